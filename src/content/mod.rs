//! The content model: one content file's text to a typed, checked [`incident::Incident`] (or,
//! for a file of `pages/`, a [`page::Page`]), with its dates, Markdown, internal notes removed,
//! the files of its page bundle, and the reference data (ATT&CK, countries, indicators) its
//! fields are checked against. Pure functions of text and data.

pub mod attack;
mod body;
pub mod bundle;
mod country;
pub mod date;
pub mod field_path;
mod fields;
pub mod highlight;
pub mod incident;
pub mod internal;
pub mod ioc;
pub mod markdown;
pub mod page;

pub use country::Country;
pub use fields::{Impact, Kind, Level, is_web_url};
