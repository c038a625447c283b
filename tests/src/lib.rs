//! Process harness for Accord's end-to-end tests and for `cargo xtask demo`: the real edge on
//! `workerd serve` with on-disk storage, a static server for the demo site and the widget,
//! demo secrets, and a small JSON client for the API.
//!
//! Tool locations come from the environment `cargo xtask` sets up (`ACCORD_WORKERD`,
//! `ACCORD_CHROMEDRIVER`, `ACCORD_CHROMIUM`); run the tests through `cargo xtask test`.

pub mod api;
pub mod backup;
pub mod cache;
pub mod crash;
pub mod edge;
pub mod inbox;
pub mod load;
pub mod net;
pub mod paths;
pub mod proofs;
pub mod secrets;
pub mod site;
pub mod wrangler;
