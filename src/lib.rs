//! casebook turns a folder of Markdown incident reports into a static incident site.
//!
//! A build runs in stages, each handing a named type to the next (see ARCHITECTURE.md):
//!
//! 1. [`Config`] — `casebook.yaml`, or defaults;
//! 2. [`Site`] — every incident parsed and checked, taxonomies grouped ([`Site::load`]);
//! 3. [`Theme`] — the templates and static files to use ([`Theme::load`]);
//! 4. [`plan::Page`]s — every file to write ([`plan::plan`]), rendered by a [`render::Renderer`];
//! 5. [`write::staging::Staging`] — written into a staging folder, swapped into place on success.
//!
//! [`build`] runs them all and returns a [`BuildReport`], or an [`Error`] listing every problem.
//!
//! Each stage is a folder, and a folder uses only the folders of the stages before it
//! (`base` and `content` first, `preview`, `check`, `import` and `scaffold` last): see the
//! table in ARCHITECTURE.md, which `tests/layers.rs` enforces.

pub mod base;
pub mod check;
pub mod config;
pub mod content;
pub mod import;
pub mod pipeline;
pub mod plan;
pub mod preview;
pub mod render;
pub mod scaffold;
pub mod site;
pub mod theme;
pub mod write;

pub use base::error::{Diagnostic, Error, Location, Repeat, Result};
pub use base::{Progress, Silent};
pub use config::Config;
pub use site::{LoadOptions, Site};
pub use theme::Theme;

pub use pipeline::{BuildOptions, BuildReport, Outputs, build, outputs};
