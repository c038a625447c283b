//! Accord's consent widget.
//!
//! The loader script (`loader/accord.js`) finds its `<script>` tag, creates or finds the host
//! element and calls [`mount`], which attaches a shadow root (host CSS cannot reach in, ours
//! cannot leak out) and renders the Yew app there. The form's state lives in [`state`], a pure
//! reducer in which no box can start ticked.

pub mod api;
pub mod components;
pub mod i18n;
pub mod json;
pub mod state;

use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRootInit, ShadowRootMode};

use components::app::{App, AppProps, Mode};

const STYLE: &str = include_str!("style.css");

thread_local! {
    /// The boxes currently ticked, as JSON, for the page's `Accord.getChoices()`.
    static CHOICES: std::cell::RefCell<String> = std::cell::RefCell::new("[]".into());
}

/// Records the current ticks (called by the form on every change).
pub fn publish_choices(json: String) {
    CHOICES.with(|c| *c.borrow_mut() = json);
}

/// `Accord.getChoices()`: `[{content_type, channel}]` of the ticked boxes.
#[wasm_bindgen]
pub fn choices() -> JsValue {
    CHOICES.with(|c| js_sys::JSON::parse(&c.borrow()).unwrap_or(JsValue::NULL))
}

/// Renders the widget into a shadow root of `host`.
#[wasm_bindgen]
pub fn mount(host: Element, site: String, endpoint: String, lang: String, mode: String, token: String) -> Result<(), JsValue> {
    let root = match host.shadow_root() {
        Some(root) => root,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    // A constructed stylesheet is not an inline style: it needs no CSP exception on the host.
    let sheet = web_sys::CssStyleSheet::new()?;
    sheet.replace_sync(STYLE)?;
    root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
    let document = host.owner_document().ok_or("host element is not in a document")?;
    let container = document.create_element("div")?;
    container.set_class_name("accord");
    root.append_child(&container)?;
    let lang = i18n::pick_lang(&lang);
    let endpoint = endpoint.trim_end_matches('/').to_owned();
    let mode = match mode.as_str() {
        "reconfirm" if !token.is_empty() => Mode::Reconfirm { token },
        "reconfirm" => return Err("data-mode=\"reconfirm\" needs the signed re-confirmation token (data-token or #token=)".into()),
        "preferences" if !token.is_empty() => Mode::Preferences { token },
        "banner" if !token.is_empty() => Mode::Banner { token },
        "banner" => return Err("data-mode=\"banner\" needs the signed re-confirmation token (data-token or #token=)".into()),
        "preferences" => return Err("data-mode=\"preferences\" needs the signed preference token (data-token or #token=)".into()),
        _ => Mode::Signup,
    };
    if matches!(mode, Mode::Banner { .. }) {
        container.set_class_name("accord accord-bare");
    }
    yew::Renderer::<App>::with_root_and_props(container, AppProps { site, endpoint, lang, host, mode }).render();
    Ok(())
}
