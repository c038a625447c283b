//! What the edge answers the loader with: the form it rendered and what the widget needs to
//! take that form over (the configuration it was rendered from, the language, and in the
//! preference centre the person's recorded answers). One type, written by the edge and read by
//! the widget, so the two cannot drift apart.

use accord_core::config::{Lang, VersionedConfig};
use accord_core::ids::Channel;
use serde::{Deserialize, Serialize};

/// `GET /v1/sites/{site}/widget` and `GET /v1/widget/{token}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct View {
    /// `signup`, `preferences`, `reconfirm` or `banner`.
    pub mode: String,
    pub lang: Lang,
    /// The rendered form, with Yew's hydration markers; empty when a re-confirmation is not due.
    #[serde(default)]
    pub html: String,
    /// The widget's stylesheet, for the constructed sheet the loader adopts before painting.
    #[serde(default)]
    pub css: String,
    /// "Saving…" in `lang`: shown by the loader when a button is pressed before hydration.
    #[serde(default)]
    pub saving: String,
    /// The widget's own texts in `lang`, in [`crate::i18n::Key::ALL`] order: the browser's
    /// code carries no catalogue.
    #[serde(default)]
    pub texts: Vec<String>,
    /// Absent when a re-confirmation is not due.
    #[serde(default)]
    pub config: Option<VersionedConfig>,
    /// Recorded yeses and noes (preference centre only).
    #[serde(default)]
    pub yes: Vec<(String, Channel)>,
    #[serde(default)]
    pub no: Vec<(String, Channel)>,
}
