//! Writing a build: the staging folder swapped into place, and the state kept beside the
//! output so that the next build can skip or carry over what did not change.

pub mod staging;
pub mod state;
