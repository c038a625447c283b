//! Who the controller is and where the privacy policy and rights are.

use std::rc::Rc;

use accord_core::config::{Lang, VersionedConfig};
use yew::prelude::*;

use crate::i18n::{Key, t};

#[derive(Properties, PartialEq)]
pub struct FooterProps {
    pub config: Rc<VersionedConfig>,
    pub lang: Lang,
}

#[function_component]
pub fn Footer(props: &FooterProps) -> Html {
    let c = &props.config.config;
    html! {
        <p class="accord-footer">
            { format!("{} : {} ({}). ", t(props.lang, Key::Controller), c.controller.name, c.controller.contact) }
            <a href={c.privacy_policy_url.clone()} target="_blank" rel="noopener">{ t(props.lang, Key::Privacy) }</a>
        </p>
    }
}
