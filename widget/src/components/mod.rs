//! The widget's components, one per file.

pub mod actions;
pub mod app;
pub mod footer;
pub mod form;
pub mod grid;
pub mod preferences;
pub mod reconfirm;
