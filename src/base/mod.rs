//! The ground floor: what every stage needs and nothing above it may change — located errors,
//! the one module that touches the disk, escaping, slugs, suggestions, hashing, progress
//! events, the positions of keys in YAML text and relative URLs read as files.

pub mod error;
mod escape;
pub mod frontmatter;
pub mod fs;
pub mod hash;
pub mod local_url;
pub mod number;
mod progress;
pub mod slug;
pub mod suggest;

pub use escape::{push_xml_escaped, xml_escape};
pub use progress::{Progress, Silent};
pub use slug::{humanize, is_slug, slugify};

/// Frees `value` on a thread of its own; if the process ends first, the system takes the
/// memory back at once.
// A loaded site is millions of small allocations: freeing them took 4% of a build, and nothing
// waits for it.
pub fn dispose<T: Send + 'static>(value: T) {
    let spawned = std::thread::Builder::new().name("casebook-dispose".into()).spawn(move || drop(value));
    // Without a thread (resource limits), freeing here is as correct, only slower.
    if let Err(e) = spawned {
        log::debug!("freeing on the build's thread: {e}");
    }
}
