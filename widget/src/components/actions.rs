//! "Refuse all", "Accept all" and "Save": same element, same style, side by side, one
//! activation each. Refusing is never harder than accepting.

use accord_core::config::Lang;
use yew::prelude::*;

use crate::i18n::{Key, t};

/// What a button asks for: the boxes as they are, or all of them one way.
#[derive(Clone, Copy, PartialEq)]
pub enum Intent {
    AsTicked,
    All(bool),
}

#[derive(Properties, PartialEq)]
pub struct ActionsProps {
    pub lang: Lang,
    pub on_intent: Callback<Intent>,
    pub busy: bool,
}

#[function_component]
pub fn Actions(props: &ActionsProps) -> Html {
    let button = |key: Key, intent: Intent, kind: &'static str| {
        let on_intent = props.on_intent.clone();
        let onclick = Callback::from(move |_: MouseEvent| on_intent.emit(intent));
        html! {
            <button type="button" class="accord-btn" data-action={kind} disabled={props.busy} onclick={onclick}>
                { t(props.lang, key) }
            </button>
        }
    };
    html! {
        <div class="accord-actions">
            { button(Key::RefuseAll, Intent::All(false), "refuse-all") }
            { button(Key::AcceptAll, Intent::All(true), "accept-all") }
            <button type="submit" class="accord-btn" data-action="save" disabled={props.busy}>{ t(props.lang, Key::Save) }</button>
        </div>
    }
}
