//! The subcommands of the `casebook` binary, one file each, plus what several of them share:
//! the argument pieces (`args`) and the terminal side (`terminal`: progress, diagnostics, log
//! lines). `main.rs` parses the command line and dispatches to each file's `run`.

pub mod args;
pub mod build;
pub mod check;
pub mod completions;
pub mod import;
pub mod init;
pub mod new;
pub mod serve;
pub mod terminal;
pub mod watch;
