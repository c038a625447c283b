//! The preference centre, opened from a signed preference link: the person's current answers,
//! the same grid and the same three equal buttons to change them, and one more to stop
//! everything at once (a withdrawal that also covers whatever the site adds later).

use std::rc::Rc;

use accord_core::config::{Lang, VersionedConfig};
use web_sys::Element;
use yew::prelude::*;

use super::actions::{Actions, Intent};
use super::footer::Footer;
use super::form::{phone_field, settle, status_line, with_retries};
use super::grid::Grid;
use crate::api;
use crate::handover::{self, Press, Recorded};
use crate::i18n::{Key, t};
use crate::state::{Action, Cell, Form, Status};

#[derive(Properties, PartialEq)]
pub struct PreferencesProps {
    pub config: Rc<VersionedConfig>,
    /// The boxes the person said yes and no to, from their signed history.
    pub answers: Rc<(Vec<Cell>, Vec<Cell>)>,
    pub endpoint: String,
    pub token: String,
    pub lang: Lang,
    pub host: Option<Element>,
    /// What the person did before hydration (see [`handover`]).
    #[prop_or_default]
    pub recorded: Rc<Vec<Recorded>>,
}

/// What a send asks the edge for.
#[derive(Clone, Copy, PartialEq)]
enum Change {
    Boxes(Intent),
    WithdrawAll,
}

#[function_component]
pub fn PreferencesForm(props: &PreferencesProps) -> Html {
    let start = use_memo((), |_| {
        let recorded =
            Form::recorded(props.config.clone(), props.answers.0.iter().cloned(), props.answers.1.iter().cloned());
        handover::replay(recorded, &props.recorded)
    });
    let form = use_reducer(|| start.0.clone());
    let withdrawn = use_state(|| false);
    let lang = props.lang;

    let send = {
        let (form, withdrawn) = (form.clone(), withdrawn.clone());
        let (endpoint, token, host) = (props.endpoint.clone(), props.token.clone(), props.host.clone());
        Callback::from(move |change: Change| {
            let body = match change {
                Change::WithdrawAll => {
                    form.dispatch(Action::RefuseAll);
                    api::PreferencesBody::WithdrawAll { withdraw_all: true }
                }
                Change::Boxes(intent) => {
                    if let Intent::All(all) = intent {
                        form.dispatch(if all { Action::AcceptAll } else { Action::RefuseAll });
                    }
                    let mut s = form.submission(None, lang);
                    if let Intent::All(all) = intent {
                        s.choices.iter_mut().for_each(|c| c.granted = all);
                    }
                    let phone = match form.phone_for(&s.choices) {
                        Ok(phone) => phone,
                        Err(why) => {
                            form.dispatch(Action::PhoneInvalid(t(lang, why).to_owned()));
                            return;
                        }
                    };
                    api::PreferencesBody::Choices {
                        config_version: s.config_version,
                        config_hash: s.config_hash,
                        choices: s.choices,
                        phone,
                    }
                }
            };
            let key = match (change, &form.key) {
                (Change::Boxes(Intent::AsTicked), Some(k)) => k.clone(),
                _ => api::new_key(),
            };
            withdrawn.set(change == Change::WithdrawAll);
            form.dispatch(Action::Sending(key.clone()));
            let (form, endpoint, token, host) = (form.dispatcher(), endpoint.clone(), token.clone(), host.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = with_retries(|| api::save_preferences(&endpoint, &token, &body, &key)).await;
                settle(&form, &host, lang, &endpoint, outcome).await;
            });
        })
    };
    let on_submit = {
        let send = send.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            send.emit(Change::Boxes(Intent::AsTicked));
        })
    };
    {
        // A button pressed before hydration is honoured once, on the replayed form.
        let change = match start.1 {
            Some(Press::WithdrawAll) => Some(Change::WithdrawAll),
            press => press.and_then(Press::intent).map(Change::Boxes),
        };
        let send = send.clone();
        use_effect_with((), move |_| {
            if let Some(change) = change {
                send.emit(change);
            }
        });
    }
    let on_phone = {
        let form = form.dispatcher();
        Callback::from(move |e: InputEvent| {
            form.dispatch(Action::SetPhone(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))
        })
    };
    let on_intent = send.reform(Change::Boxes);
    let on_withdraw = send.reform(|_: MouseEvent| Change::WithdrawAll);
    let busy = form.status == Status::Sending;
    let saved = if *withdrawn { Key::Withdrawn } else { Key::Saved };

    html! {
        <form class="accord-form" onsubmit={on_submit} novalidate=true aria-labelledby="accord-title">
            <h2 id="accord-title" class="accord-title">{ t(lang, Key::PrefsTitle) }</h2>
            <p class="accord-intro">{ t(lang, Key::PrefsIntro) }</p>
            <Grid form={form.clone()} lang={lang} />
            { phone_field(&form, lang, on_phone) }
            <Actions lang={lang} on_intent={on_intent} busy={busy} />
            <p class="accord-withdraw">
                <button type="button" class="accord-link" data-action="withdraw-all" disabled={busy} onclick={on_withdraw}>
                    { t(lang, Key::WithdrawAll) }
                </button>
            </p>
            { status_line(&form.status, lang, saved) }
            <Footer config={props.config.clone()} lang={lang} />
        </form>
    }
}
