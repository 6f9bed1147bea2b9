//! The incident model: one content file's text to a typed, checked [`incident::Incident`],
//! with its dates, Markdown, internal notes removed, and the reference data (ATT&CK,
//! countries, indicators) its fields are checked against. Pure functions of text and data.

pub mod attack;
mod country;
pub mod date;
pub mod field_path;
mod fields;
pub mod highlight;
pub mod incident;
pub mod internal;
pub mod ioc;
pub mod markdown;

pub use country::Country;
pub use fields::{Impact, Level, is_web_url};
