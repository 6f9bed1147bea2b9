//! The preview: `casebook watch` and `casebook serve` keep a site in memory and rebuild only
//! what an edit changed, then tell the browser to reload.

pub mod server;
pub mod session;
pub mod signature;
pub mod watch;
