//! Rendering on the edge: the same [`App`] the browser runs, rendered to HTML with Yew's
//! server-side renderer from the props the browser will hydrate with, so both produce the same
//! DOM. Only built with the `ssr` feature, by the edge.

use std::rc::Rc;

use accord_core::config::{Lang, VersionedConfig};

use crate::components::app::{App, AppProps, Loaded, Mode};
use crate::i18n::{Key, t};
use crate::state::Cell;
use crate::view::View;

/// The loader's answer for `mode`, rendered from `config` (and, in the preference centre, the
/// person's recorded `yes` and `no`).
pub async fn render(
    site: &str,
    mode: Mode,
    lang: Lang,
    config: VersionedConfig,
    yes: Vec<Cell>,
    no: Vec<Cell>,
) -> View {
    let name = mode.name().to_owned();
    let loaded = Loaded { config: Rc::new(config.clone()), answers: Rc::new((yes.clone(), no.clone())) };
    let props = AppProps {
        site: site.to_owned(),
        // Only callbacks use it, and none runs here.
        endpoint: String::new(),
        lang,
        host: None,
        mode,
        initial: Rc::new(loaded),
        recorded: Rc::default(),
    };
    let html = yew::LocalServerRenderer::<App>::with_props(props).render().await;
    View {
        mode: name,
        lang,
        html,
        css: crate::STYLE.to_owned(),
        saving: t(lang, Key::Saving),
        texts: crate::i18n::texts(lang),
        config: Some(config),
        yes,
        no,
    }
}
