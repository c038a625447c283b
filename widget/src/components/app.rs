//! Top-level component: the form for the mode the page asked for, from what the edge rendered
//! with (so the browser's first render is the painted form, which hydration requires).

use std::rc::Rc;

use accord_core::config::{Lang, VersionedConfig};
use web_sys::Element;
use yew::prelude::*;

use super::form::ConsentForm;
use super::preferences::PreferencesForm;
use super::reconfirm::ReconfirmPrompt;
use crate::handover::Recorded;
use crate::state::Cell;

#[derive(Properties, PartialEq, Clone)]
pub struct AppProps {
    pub site: String,
    pub endpoint: String,
    pub lang: Lang,
    /// The host element, where DOM events for the page are dispatched (none on the edge).
    pub host: Option<Element>,
    pub mode: Mode,
    /// What the edge rendered with.
    pub initial: Rc<Loaded>,
    /// The person's actions on the painted form before hydration, oldest first.
    #[prop_or_default]
    pub recorded: Rc<Vec<Recorded>>,
}

/// The configuration and, in the preference centre, the person's recorded yeses and noes.
#[derive(Clone, PartialEq)]
pub struct Loaded {
    pub config: Rc<VersionedConfig>,
    pub answers: Rc<(Vec<Cell>, Vec<Cell>)>,
}

/// What the host page asked for (`data-mode`).
#[derive(Clone, PartialEq)]
pub enum Mode {
    Signup,
    /// The prompt for an identified visitor; the host passes the signed re-confirmation token.
    Reconfirm {
        token: String,
    },
    /// The preference centre, opened from a signed preference link.
    Preferences {
        token: String,
    },
    /// The re-confirmation question as a non-modal banner at the bottom of the page.
    Banner {
        token: String,
    },
}

impl Mode {
    /// `data-mode` as the page wrote it, with the signed token where the mode needs one.
    pub fn parse(mode: &str, token: String) -> Result<Mode, &'static str> {
        match mode {
            "reconfirm" | "banner" if token.is_empty() => Err(
                "data-mode=\"reconfirm\" and \"banner\" need the signed re-confirmation token (data-token or #token=)",
            ),
            "preferences" if token.is_empty() => {
                Err("data-mode=\"preferences\" needs the signed preference token (data-token or #token=)")
            }
            "reconfirm" => Ok(Mode::Reconfirm { token }),
            "banner" => Ok(Mode::Banner { token }),
            "preferences" => Ok(Mode::Preferences { token }),
            _ => Ok(Mode::Signup),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Mode::Signup => "signup",
            Mode::Reconfirm { .. } => "reconfirm",
            Mode::Preferences { .. } => "preferences",
            Mode::Banner { .. } => "banner",
        }
    }
}

#[function_component]
pub fn App(props: &AppProps) -> Html {
    let lang = props.lang;
    let (config, answers) = (props.initial.config.clone(), props.initial.answers.clone());
    match &props.mode {
        Mode::Signup => html! {
            <ConsentForm config={config} site={props.site.clone()} endpoint={props.endpoint.clone()}
                lang={lang} host={props.host.clone()} recorded={props.recorded.clone()} />
        },
        Mode::Preferences { token } => html! {
            <PreferencesForm config={config} answers={answers} endpoint={props.endpoint.clone()} token={token.clone()}
                lang={lang} host={props.host.clone()} recorded={props.recorded.clone()} />
        },
        Mode::Reconfirm { token } => html! {
            <ReconfirmPrompt config={config} endpoint={props.endpoint.clone()} token={token.clone()}
                lang={lang} host={props.host.clone()} recorded={props.recorded.clone()} />
        },
        Mode::Banner { token } => html! {
            <ReconfirmPrompt config={config} endpoint={props.endpoint.clone()} token={token.clone()}
                lang={lang} host={props.host.clone()} recorded={props.recorded.clone()} banner=true />
        },
    }
}
