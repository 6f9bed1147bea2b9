//! `casebook completions`: prints the shell completion script generated from the clap
//! definitions of `main.rs`.

use std::process::ExitCode;

use clap::CommandFactory;

use super::terminal::print_stdout;
use crate::Cli;

pub fn run(shell: clap_complete::Shell) -> ExitCode {
    // Into memory first: clap_complete panics if stdout closes early (`| head`).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "casebook", &mut script);
    print_stdout(&script)
}
