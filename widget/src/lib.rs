//! Accord's consent widget.
//!
//! The loader script (`loader/accord.js`) finds its `<script>` tag and the places to show the
//! widget, asks the edge for each form already rendered ([`view`], rendered by [`ssr`] from the
//! same components), paints it into a shadow root (host CSS cannot reach in, ours cannot leak
//! out) and downloads this code meanwhile. `hydrate` then takes the painted form over,
//! starting from what the person did to it before ([`handover`]). The form's state lives in
//! [`state`], a pure reducer in which no box can start ticked.

// dlmalloc, the default, was 6.5 kB of the wasm; talc is made for wasm and smaller.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub mod api;
pub mod components;
pub mod handover;
pub mod i18n;
pub mod json;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod state;
pub mod view;

/// The widget's stylesheet, sent with each rendered form ([`view::View::css`]): the loader
/// adopts it as a constructed sheet (no inline style, so no CSP exception on the host page).
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

    /// Takes over the form the loader painted into `container` from the edge's `view` (its
    /// JSON, see [`crate::view::View`]), starting from the person's actions in `log` (the
    /// loader's JSON, see [`crate::handover`]).
    #[wasm_bindgen]
    pub fn hydrate(
        host: Element,
        container: Element,
        endpoint: String,
        site: String,
        token: String,
        view: String,
        log: String,
    ) -> Result<(), JsValue> {
        let (props, _) = props(host, endpoint, site, token, &view, crate::handover::parse(&log))?;
        yew::Renderer::<App>::with_root_and_props(container, props).hydrate();
        Ok(())
    }

    /// Renders the edge's `view` from scratch into a new shadow root of `host`, without the
    /// edge's HTML: the same first render hydration expects (end-to-end tests compare them).
    #[wasm_bindgen]
    pub fn render(host: Element, endpoint: String, site: String, token: String, view: String) -> Result<(), JsValue> {
        let root = match host.shadow_root() {
            Some(root) => root,
            None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
        };
        let (props, css) = props(host.clone(), endpoint, site, token, &view, Vec::new())?;
        let sheet = web_sys::CssStyleSheet::new()?;
        sheet.replace_sync(&css)?;
        root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
        let document = host.owner_document().ok_or("host element is not in a document")?;
        let container = document.create_element("div")?;
        container.set_class_name(if matches!(props.mode, Mode::Banner { .. }) {
            "accord accord-bare"
        } else {
            "accord"
        });
        root.append_child(&container)?;
        yew::Renderer::<App>::with_root_and_props(container, props).render();
        Ok(())
    }

    /// The props the edge rendered `view` with (its texts installed), and its stylesheet.
    fn props(
        host: Element,
        endpoint: String,
        site: String,
        token: String,
        view: &str,
        recorded: Vec<crate::handover::Recorded>,
    ) -> Result<(AppProps, String), JsValue> {
        let view: crate::view::View = crate::json::parse(view)?;
        let config = view.config.ok_or("the edge rendered no form")?;
        let mode = Mode::parse(&view.mode, token)?;
        crate::i18n::install(view.texts);
        let initial = Rc::new(Loaded { config: Rc::new(config), answers: Rc::new((view.yes, view.no)) });
        let endpoint = endpoint.trim_end_matches('/').to_owned();
        let props =
            AppProps { site, endpoint, lang: view.lang, host: Some(host), mode, initial, recorded: Rc::new(recorded) };
        Ok((props, view.css))
    }
}
