//! The preview: `casebook watch` and `casebook serve` keep a site in memory and rebuild only
//! what an edit changed, then tell the browser to reload.

mod folder;
pub mod server;
mod session;
mod signature;
mod watch;

pub use folder::{Preview, PreviewFolder, preview_folder};
pub use session::{RebuildReport, Session, SessionOptions};
pub use watch::Watcher;
