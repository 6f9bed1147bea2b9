//! Progress events of a long build, for a front end (the binary) to display.
//!
//! The library never prints; it tells a [`Progress`] what it is doing and the caller decides
//! whether that becomes a terminal progress line, a log entry, or nothing.

/// Receives progress events; every method has a do-nothing default.
pub trait Progress: Sync {
    /// A stage started, with the number of steps it will take.
    fn start(&self, _stage: &str, _total: usize) {}
    /// `n` more steps of the current stage are done.
    fn advance(&self, _n: usize) {}
    /// The build is over (successfully or not).
    fn finish(&self) {}
}

/// Ignores every event.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}
