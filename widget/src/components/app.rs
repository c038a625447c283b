//! Top-level component: loads the site's configuration, then shows the form.

use std::rc::Rc;

use accord_core::config::{Lang, VersionedConfig};
use web_sys::Element;
use yew::prelude::*;

use super::form::ConsentForm;
use super::preferences::PreferencesForm;
use super::reconfirm::ReconfirmPrompt;
use crate::api;
use crate::i18n::{Key, t};
use crate::state::Cell;

#[derive(Properties, PartialEq, Clone)]
pub struct AppProps {
    pub site: String,
    pub endpoint: String,
    pub lang: Lang,
    /// The host element, where DOM events for the page are dispatched.
    pub host: Element,
    pub mode: Mode,
}

/// What the host page asked for (`data-mode`).
#[derive(Clone, PartialEq)]
pub enum Mode {
    Signup,
    /// The prompt for an identified visitor; the host passes the signed re-confirmation token.
    Reconfirm { token: String },
    /// The preference centre, opened from a signed preference link.
    Preferences { token: String },
    /// The re-confirmation question as a non-modal banner at the bottom of the page.
    Banner { token: String },
}

#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    /// The configuration and, in the preference centre, the person's current yeses and noes.
    Ready(Rc<VersionedConfig>, Rc<(Vec<Cell>, Vec<Cell>)>),
    Failed,
}

#[function_component]
pub fn App(props: &AppProps) -> Html {
    let load = use_state(|| Load::Loading);
    {
        let load = load.clone();
        let (endpoint, site, mode) = (props.endpoint.clone(), props.site.clone(), props.mode.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let loaded = match &mode {
                    Mode::Preferences { token } => api::load_preferences(&endpoint, token).await.map(|p| (p.config, (p.yes, p.no))),
                    _ => api::load_config(&endpoint, &site).await.map(|c| (c, (Vec::new(), Vec::new()))),
                };
                load.set(match loaded {
                    Ok((c, answers)) => Load::Ready(Rc::new(c), Rc::new(answers)),
                    Err(_) => Load::Failed,
                });
            });
        });
    }
    let lang = props.lang;
    match &*load {
        Load::Loading => html! { <p class="accord-status" role="status">{ t(lang, Key::Loading) }</p> },
        Load::Failed => html! { <p class="accord-status accord-error" role="alert">{ t(lang, Key::LoadFailed) }</p> },
        Load::Ready(config, answers) => match &props.mode {
            Mode::Signup => html! {
                <ConsentForm config={config.clone()} site={props.site.clone()} endpoint={props.endpoint.clone()}
                    lang={lang} host={props.host.clone()} />
            },
            Mode::Preferences { token } => html! {
                <PreferencesForm config={config.clone()} answers={answers.clone()} endpoint={props.endpoint.clone()} token={token.clone()}
                    lang={lang} host={props.host.clone()} />
            },
            Mode::Reconfirm { token } => html! {
                <ReconfirmPrompt config={config.clone()} endpoint={props.endpoint.clone()} token={token.clone()}
                    lang={lang} host={props.host.clone()} />
            },
            Mode::Banner { token } => html! {
                <ReconfirmPrompt config={config.clone()} endpoint={props.endpoint.clone()} token={token.clone()}
                    lang={lang} host={props.host.clone()} banner=true />
            },
        },
    }
}
