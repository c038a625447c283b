//! Accord's consent widget.
//!
//! The loader script (`loader/accord.js`) finds its `<script>` tag and the places to show the
//! widget, asks the edge for each form already rendered ([`view`], rendered by [`ssr`] from the
//! same components), paints it into a shadow root (host CSS cannot reach in, ours cannot leak
//! out) and downloads this code meanwhile. [`hydrate`] then takes the painted form over,
//! starting from what the person did to it before ([`handover`]); [`mount`] renders from
//! scratch when the edge could not render. The form's state lives in [`state`], a pure reducer
//! in which no box can start ticked.

pub mod api;
pub mod components;
pub mod handover;
pub mod i18n;
pub mod json;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod state;
pub mod view;

/// The widget's stylesheet: adopted as a constructed sheet (no inline style, so no CSP
/// exception on the host page), by the loader before it paints and by [`mount`].
pub const STYLE: &str = include_str!("style.css");

thread_local! {
    /// The boxes currently ticked, as JSON, for the page's `Accord.getChoices()`.
    static CHOICES: std::cell::RefCell<String> = std::cell::RefCell::new("[]".into());
}

/// Records the current ticks (called by the form on every change).
pub fn publish_choices(json: String) {
    CHOICES.with(|c| *c.borrow_mut() = json);
}

#[cfg(feature = "csr")]
mod browser {
    use std::rc::Rc;

    use wasm_bindgen::prelude::*;
    use web_sys::{Element, ShadowRootInit, ShadowRootMode};

    use crate::components::app::{App, AppProps, Loaded, Mode};

    /// `Accord.getChoices()`: `[{content_type, channel}]` of the ticked boxes.
    #[wasm_bindgen]
    pub fn choices() -> JsValue {
        super::CHOICES.with(|c| js_sys::JSON::parse(&c.borrow()).unwrap_or(JsValue::NULL))
    }

    /// Renders the widget into a shadow root of `host`, loading the configuration itself.
    #[wasm_bindgen]
    pub fn mount(host: Element, site: String, endpoint: String, lang: String, mode: String, token: String) -> Result<(), JsValue> {
        let root = match host.shadow_root() {
            Some(root) => root,
            None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
        };
        let sheet = web_sys::CssStyleSheet::new()?;
        sheet.replace_sync(super::STYLE)?;
        root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
        let document = host.owner_document().ok_or("host element is not in a document")?;
        let container = document.create_element("div")?;
        container.set_class_name("accord");
        root.append_child(&container)?;
        let lang = crate::i18n::pick_lang(&lang);
        let mode = Mode::parse(&mode, token)?;
        if matches!(mode, Mode::Banner { .. }) {
            container.set_class_name("accord accord-bare");
        }
        let endpoint = endpoint.trim_end_matches('/').to_owned();
        let props = AppProps { site, endpoint, lang, host: Some(host), mode, initial: None, recorded: Rc::default() };
        yew::Renderer::<App>::with_root_and_props(container, props).render();
        Ok(())
    }

    /// Takes over the form the loader painted into `container` from the edge's `view` (its
    /// JSON, see [`crate::view::View`]), starting from the person's actions in `log` (the
    /// loader's JSON, see [`crate::handover`]).
    #[wasm_bindgen]
    pub fn hydrate(host: Element, container: Element, endpoint: String, site: String, token: String, view: String, log: String) -> Result<(), JsValue> {
        let view: crate::view::View = crate::json::parse(&view)?;
        let config = view.config.ok_or("the edge rendered no form")?;
        let mode = Mode::parse(&view.mode, token)?;
        let loaded = Loaded { config: Rc::new(config), answers: Rc::new((view.yes, view.no)) };
        let endpoint = endpoint.trim_end_matches('/').to_owned();
        let recorded = Rc::new(crate::handover::parse(&log));
        let props = AppProps { site, endpoint, lang: view.lang, host: Some(host), mode, initial: Some(Rc::new(loaded)), recorded };
        yew::Renderer::<App>::with_root_and_props(container, props).hydrate();
        Ok(())
    }
}
