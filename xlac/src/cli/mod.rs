//! The `xlac` command line: argument definitions (clap) and subcommand dispatch.
//!
//! Exit codes: 0 success, 1 bad input (a diagnostic says why), 101 an internal error
//! (a bug: please report it with the input).

mod bench;
mod check;
mod flags;
mod fmt;
mod ops;
mod run;

use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// xlac: an ahead-of-time tensor graph compiler for CPUs.
///
/// MODEL is an `.ir` file (xlac's SSA tensor IR in text form; see docs/text-format.md).
#[derive(Parser, Debug)]
#[command(name = "xlac", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse and verify MODEL; print a one-line summary (functions, ops, parameters, weight bytes).
    Check(check::CheckArgs),
    /// Print MODEL as canonical text (re-parsing it gives the same module).
    Fmt(fmt::FmtArgs),
    /// Compile MODEL to native code (or interpret it) and run its entry function on given or random inputs.
    Run(run::RunArgs),
    /// Compile MODEL and time calls of its entry function: median, min, max, compile time.
    Bench(bench::BenchArgs),
    /// Print the IR reference: every op, its operands, attributes and type rule (Markdown).
    Ops,
}

/// Why a command failed.
pub enum Failure {
    /// The user's input is wrong; the text (already rendered) says how.
    User(String),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::User(format!("error: {e:#}"))
    }
}

impl From<xlac_frontend::Diagnostics> for Failure {
    fn from(d: xlac_frontend::Diagnostics) -> Failure {
        Failure::User(d.render(std::io::stderr().is_terminal()))
    }
}

/// Loads a model, turning diagnostics into a [`Failure`].
pub(crate) fn load(path: &std::path::Path) -> Result<xlac_ir::Module, Failure> {
    Ok(crate::load_model(path)?)
}

/// A path argument.
pub(crate) type ModelPath = PathBuf;

/// Runs the command line in `std::env::args`; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(1) } else { ExitCode::SUCCESS };
        }
    };
    std::panic::set_hook(Box::new(|info| {
        eprintln!("internal compiler error: {info}");
        eprintln!("this is a bug in xlac; please report it with the input that caused it");
    }));
    let result = std::panic::catch_unwind(|| dispatch(cli));
    match result {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(Failure::User(msg))) => {
            eprint!("{msg}");
            if !msg.ends_with('\n') {
                eprintln!();
            }
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(101),
    }
}

fn dispatch(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Run(a) => run::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Ops => ops::run(),
    }
}
