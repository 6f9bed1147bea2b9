//! The ground floor: what every stage needs and nothing above it may change — located errors,
//! the one module that touches the disk, escaping, slugs, suggestions, hashing, progress
//! events and the positions of keys in YAML text.

pub mod error;
pub mod escape;
pub mod frontmatter;
pub mod fs;
pub mod progress;
pub mod slug;
pub mod suggest;
