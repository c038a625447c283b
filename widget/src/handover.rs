//! What a person did to the server-rendered form before the widget's code arrived, and how
//! the widget takes it over.
//!
//! The edge renders the form and the loader paints it at once; the wasm comes later. Yew's
//! hydration resets the boxes and the address to the component's state and replays no events,
//! so the loader records the person's own actions (a box changed, the address typed, a button
//! pressed) and the widget starts from their replay through the same reducer the live form
//! uses. Nothing else can tick a box: a replayed toggle is one the browser made under the
//! person's hand, and a toggle of a box this configuration does not offer is dropped.

use accord_core::ids::Channel;
use serde::Deserialize;

use crate::state::{Action, Cell, Form};

/// One recorded action, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    Toggle(Cell),
    Email(String),
    Press(Press),
}

/// A button pressed (or the form submitted) before hydration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    Save,
    AcceptAll,
    RefuseAll,
    WithdrawAll,
    ReconfirmYes,
    ReconfirmNo,
}

impl Press {
    /// From the button's `data-action`.
    pub fn parse(action: &str) -> Option<Self> {
        Some(match action {
            "save" => Press::Save,
            "accept-all" => Press::AcceptAll,
            "refuse-all" => Press::RefuseAll,
            "withdraw-all" => Press::WithdrawAll,
            "reconfirm-yes" => Press::ReconfirmYes,
            "reconfirm-no" => Press::ReconfirmNo,
            _ => return None,
        })
    }
}

/// The loader's JSON entry: exactly one of the fields.
#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    toggle: Option<(String, String)>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    press: Option<String>,
}

/// `[{"toggle":[content type, channel]}, {"email":"…"}, {"press":"save"}, …]` as the loader
/// sends it. An entry that cannot be read is dropped, never guessed at.
pub fn parse(json: &str) -> Vec<Recorded> {
    let entries: Vec<Entry> = crate::json::parse(json).unwrap_or_default();
    entries
        .into_iter()
        .filter_map(|e| match (e.toggle, e.email, e.press) {
            (Some((ct, ch)), None, None) => {
                Channel::ALL.into_iter().find(|c| c.as_str() == ch).map(|ch| Recorded::Toggle((ct, ch)))
            }
            (None, Some(email), None) => Some(Recorded::Email(email)),
            (None, None, Some(p)) => Press::parse(&p).map(Recorded::Press),
            _ => None,
        })
        .collect()
}

/// The form as the person left it, and the button they pressed, if any. The loader makes the
/// form inert once a button is pressed, so nothing after the first press is replayed.
pub fn replay(form: Form, log: &[Recorded]) -> (Form, Option<Press>) {
    use yew::Reducible as _;
    let offered: Vec<Cell> = form.cells().collect();
    let mut form = std::rc::Rc::new(form);
    for entry in log {
        form = match entry {
            Recorded::Toggle(cell) if offered.contains(cell) => form.reduce(Action::Toggle(cell.clone())),
            Recorded::Toggle(_) => form,
            Recorded::Email(email) => form.reduce(Action::SetEmail(email.clone())),
            Recorded::Press(press) => return (take(form), Some(*press)),
        };
    }
    (take(form), None)
}

fn take(form: std::rc::Rc<Form>) -> Form {
    std::rc::Rc::try_unwrap(form).unwrap_or_else(|shared| (*shared).clone())
}

// Reading the loader's JSON needs the browser's `JSON.parse`: see `tests/browser.rs`.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    mod properties {
        use std::rc::Rc;

        use accord_core::config::VersionedConfig;
        use proptest::prelude::*;

        use super::super::*;

        /// Two consent content types on two channels and one soft opt-in on one.
        fn config() -> Rc<VersionedConfig> {
            let ct = |id: &str, basis: &str, channels: &[&str]| {
                serde_json::json!({"id": id, "label": {"fr": id, "en": id}, "description": {"fr": "d", "en": "d"},
                    "commercial": true, "legal_basis": basis, "channels": channels})
            };
            Rc::new(
                serde_json::from_value(serde_json::json!({
                    "version": 1, "hash": "ab".repeat(32), "published_at": "2026-01-01T00:00:00.000Z",
                    "config": {"site": "s", "controller": {"name": "C", "contact": "c@c.fr"}, "privacy_policy_url": "https://c.fr/p",
                        "content_types": [ct("offers", "consent", &["email", "sms"]), ct("news", "consent", &["email", "post"]),
                                          ct("orders", "legitimate_interest", &["email"])]}
                }))
                .unwrap(),
            )
        }

        fn cell() -> impl Strategy<Value = Cell> {
            // Includes boxes the configuration does not offer: they must change nothing.
            (
                prop::sample::select(vec!["offers", "news", "orders", "gone"]),
                prop::sample::select(Channel::ALL.to_vec()),
            )
                .prop_map(|(ct, ch)| (ct.to_owned(), ch))
        }

        fn entry() -> impl Strategy<Value = Recorded> {
            prop_oneof![
                6 => cell().prop_map(Recorded::Toggle),
                2 => "[a-z]{0,6}@?[a-z]{0,4}".prop_map(Recorded::Email),
                1 => prop::sample::select(vec![Press::Save, Press::AcceptAll, Press::RefuseAll, Press::WithdrawAll]).prop_map(Recorded::Press),
            ]
        }

        proptest! {
            /// The replay is the person's own actions: a box is ticked (or opted out of) exactly
            /// when they changed it an odd number of times before the first press, the address is
            /// the last one typed, and the press is theirs. The live widget, fed the same events
            /// one by one through its reducer, ends in the same state.
            #[test]
            fn replay_is_the_persons_own_actions(log in prop::collection::vec(entry(), 0..40)) {
                let config = config();
                let (replayed, press) = replay(Form::new(config.clone()), &log);
                let before_press: Vec<&Recorded> = log.iter().take_while(|r| !matches!(r, Recorded::Press(_))).collect();
                let first_press = log.iter().find_map(|r| match r { Recorded::Press(p) => Some(*p), _ => None });
                prop_assert_eq!(press, first_press);
                let offered: Vec<Cell> = Form::new(config.clone()).cells().collect();
                for cell in &offered {
                    let flips = before_press.iter().filter(|r| **r == &Recorded::Toggle(cell.clone())).count();
                    let soft = replayed.is_soft_opt_in(cell);
                    prop_assert_eq!(replayed.is_ticked(cell), !soft && flips % 2 == 1, "{:?}", cell);
                    prop_assert_eq!(replayed.is_opted_out(cell), soft && flips % 2 == 1, "{:?}", cell);
                }
                let email = before_press.iter().rev().find_map(|r| match r { Recorded::Email(e) => Some(e.clone()), _ => None }).unwrap_or_default();
                prop_assert_eq!(&replayed.email, &email);

                let mut live = Rc::new(Form::new(config));
                for r in before_press {
                    if let Recorded::Toggle(cell) = r {
                        if offered.contains(cell) {
                            live = yew::Reducible::reduce(live, Action::Toggle(cell.clone()));
                        }
                    } else if let Recorded::Email(e) = r {
                        live = yew::Reducible::reduce(live, Action::SetEmail(e.clone()));
                    }
                }
                prop_assert_eq!(&*live, &replayed);
            }
        }
    }
}
