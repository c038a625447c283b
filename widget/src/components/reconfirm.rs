//! The re-confirmation prompt for an identified visitor whose consent is due: a small modal
//! dialog, "No thanks" and "Yes, keep me subscribed" equal and side by side, focus trapped
//! inside while open and given back when it closes. Closing (Escape) is refusing.
//!
//! As a banner (`data-mode="banner"`) the same question sits at the bottom of the page without
//! taking focus or blocking it: a landmark the person can reach, answer or ignore.

use std::rc::Rc;

use accord_core::config::{Lang, VersionedConfig};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

use crate::api;
use crate::handover::{Press, Recorded};
use crate::i18n::{Key, t};

#[derive(Properties, PartialEq)]
pub struct PromptProps {
    pub config: Rc<VersionedConfig>,
    pub endpoint: String,
    pub token: String,
    pub lang: Lang,
    pub host: Option<Element>,
    /// What the person did before hydration: only a press matters here.
    #[prop_or_default]
    pub recorded: Rc<Vec<Recorded>>,
    /// A non-modal banner instead of the dialog.
    #[prop_or_default]
    pub banner: bool,
}

#[derive(Clone, PartialEq)]
enum Stage {
    Asking,
    Sending,
    Kept,
    Declined,
    Failed,
}

#[function_component]
pub fn ReconfirmPrompt(props: &PromptProps) -> Html {
    let stage = use_state(|| Stage::Asking);
    let no_ref = use_node_ref();
    let yes_ref = use_node_ref();
    let previous = use_mut_ref(|| None::<HtmlElement>);
    let key = use_memo((), |_| api::new_key());
    let lang = props.lang;

    {
        // Remember where focus was, then move it into the dialog.
        let (previous, yes_ref, banner) = (previous.clone(), yes_ref.clone(), props.banner);
        use_effect_with((), move |_| {
            if banner {
                return;
            }
            *previous.borrow_mut() = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|e| e.dyn_into::<HtmlElement>().ok());
            if let Some(b) = yes_ref.cast::<HtmlElement>() {
                let _ = b.focus();
            }
        });
    }

    let restore = {
        let previous = previous.clone();
        move || {
            if let Some(p) = previous.borrow().as_ref() {
                let _ = p.focus();
            }
        }
    };

    let decline = {
        let (stage, restore) = (stage.clone(), restore.clone());
        Callback::from(move |_: ()| {
            stage.set(Stage::Declined);
            restore();
        })
    };

    let accept = {
        let (stage, endpoint, token, host, key) =
            (stage.clone(), props.endpoint.clone(), props.token.clone(), props.host.clone(), key.clone());
        let restore = restore.clone();
        Callback::from(move |_: ()| {
            stage.set(Stage::Sending);
            let (stage, endpoint, token, host, key, restore) =
                (stage.clone(), endpoint.clone(), token.clone(), host.clone(), key.clone(), restore.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::reconfirm(&endpoint, &token, &key).await {
                    Ok(raw) => {
                        stage.set(Stage::Kept);
                        super::form::announce(&host, "accord:saved", &raw);
                        restore();
                    }
                    Err(_) => stage.set(Stage::Failed),
                }
            });
        })
    };

    {
        // A button pressed before hydration is honoured once.
        let press = props.recorded.iter().find_map(|r| match r {
            Recorded::Press(p) => Some(*p),
            _ => None,
        });
        let (accept, decline) = (accept.clone(), decline.clone());
        use_effect_with((), move |_| match press {
            Some(Press::ReconfirmYes) => accept.emit(()),
            Some(Press::ReconfirmNo) => decline.emit(()),
            _ => {}
        });
    }

    let onkeydown = {
        let (no_ref, yes_ref, decline, banner) = (no_ref.clone(), yes_ref.clone(), decline.clone(), props.banner);
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                decline.emit(());
            } else if e.key() == "Tab" && !banner {
                // Two buttons: Tab and Shift-Tab go from one to the other and never leave.
                let (first, last) = (no_ref.cast::<HtmlElement>(), yes_ref.cast::<HtmlElement>());
                let on_last = e.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) == last;
                let target = if e.shift_key() == on_last {
                    None
                } else if on_last {
                    first
                } else {
                    last
                };
                let target = target.or_else(|| if e.shift_key() { no_ref.cast() } else { yes_ref.cast() });
                e.prevent_default();
                if let Some(t) = target {
                    let _ = t.focus();
                }
            }
        })
    };

    let status = match *stage {
        Stage::Asking => html! {},
        Stage::Sending => html! { { t(lang, Key::Saving) } },
        Stage::Kept => html! { { t(lang, Key::ReconfirmKept) } },
        Stage::Declined => html! { { t(lang, Key::ReconfirmDeclined) } },
        Stage::Failed => html! { { t(lang, Key::Offline) } },
    };
    let state_attr = match *stage {
        Stage::Kept => "saved",
        Stage::Failed => "error",
        Stage::Declined => "declined",
        _ => "editing",
    };
    let open = matches!(*stage, Stage::Asking | Stage::Sending | Stage::Failed);
    let busy = *stage == Stage::Sending;
    let controller = props.config.config.controller.name.clone();
    let body = html! {
        <>
            <h2 id="accord-rc-title" class="accord-title">{ super::form::own(&props.config.config.widget_texts.reconfirm_title, lang, Key::ReconfirmTitle) }</h2>
            <p id="accord-rc-text">{ format!("{controller} — {}", t(lang, Key::ReconfirmText)) }</p>
            <div class="accord-actions">
                <button type="button" class="accord-btn" data-action="reconfirm-no" ref={no_ref} disabled={busy}
                    onclick={decline.reform(|_: MouseEvent| ())}>{ t(lang, Key::ReconfirmNo) }</button>
                <button type="button" class="accord-btn" data-action="reconfirm-yes" ref={yes_ref} disabled={busy}
                    onclick={accept.reform(|_: MouseEvent| ())}>{ t(lang, Key::ReconfirmYes) }</button>
            </div>
        </>
    };
    html! {
        <>
            if open && props.banner {
                <section class="accord-banner" aria-labelledby="accord-rc-title" onkeydown={onkeydown.clone()}>
                    { body.clone() }
                </section>
            } else if open {
                <div class="accord-dialog" role="dialog" aria-modal="true" aria-labelledby="accord-rc-title"
                    aria-describedby="accord-rc-text" onkeydown={onkeydown}>
                    { body }
                </div>
            }
            <p class="accord-status" role="status" aria-live="polite" data-state={state_attr}>{ status }</p>
        </>
    }
}
