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
            (Some((ct, ch)), None, None) => Channel::ALL.into_iter().find(|c| c.as_str() == ch).map(|ch| Recorded::Toggle((ct, ch))),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loaders_log_is_read_strictly() {
        let log = parse(r#"[{"toggle":["offers","sms"]},{"email":"a@b.fr"},{"press":"save"},{"press":"explode"},{"toggle":["x","fax"]},{"email":"x","press":"save"}]"#);
        assert_eq!(log, vec![Recorded::Toggle(("offers".into(), Channel::Sms)), Recorded::Email("a@b.fr".into()), Recorded::Press(Press::Save)]);
        assert!(parse("not json").is_empty());
    }
}
