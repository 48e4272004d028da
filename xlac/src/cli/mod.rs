//! The `xlac` command line: argument definitions (clap) and subcommand dispatch.
//!
//! Exit codes: 0 success, 1 bad input (a diagnostic says why), 101 an internal error
//! (a bug: please report it with the input).

mod aot;
mod bench;
mod check;
mod compile;
mod flags;
mod fmt;
mod import;
mod ops;
mod profile;
mod run;

use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// xlac: an ahead-of-time tensor graph compiler for CPUs.
///
/// MODEL is an `.ir` file (xlac's SSA tensor IR in text form; see docs/text-format.md)
/// or an ONNX model (`.onnx`; fix symbolic dimensions with `--dim NAME=VALUE`).
#[derive(Parser, Debug)]
#[command(
    name = "xlac",
    version,
    about = "xlac: an ahead-of-time tensor graph compiler for CPUs",
    long_about = "xlac: an ahead-of-time tensor graph compiler for CPUs.\n\nMODEL is an .ir file (xlac's SSA tensor IR in text form, see docs/text-format.md) or an .onnx file. \
                  `xlac MODEL -O2` compiles it to MODEL.o + MODEL.h for C programs; `xlac run` compiles it in-process and runs it.",
    propagate_version = true
)]
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
    /// Compile MODEL ahead of time to OUT.o + OUT.h (a C entry point linking against
    /// libxlac_runtime.a); --stats prints its kernels (the IR ops of each), library calls,
    /// peak arena size and compile time. `xlac MODEL ...` is short for `xlac compile MODEL ...`.
    Compile(compile::CompileArgs),
    /// Compile MODEL and time calls of its entry function: median, min, max, compile time.
    Bench(bench::BenchArgs),
    /// Import an ONNX model and write it as `.ir` text (large weights to a side `.safetensors` file).
    Import(import::ImportArgs),
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

/// Loads a model (`.ir` or `.onnx`), turning diagnostics into a [`Failure`].
pub(crate) fn load(path: &std::path::Path, dims: &import::DimFlags) -> Result<xlac_ir::Module, Failure> {
    Ok(crate::load_model_with(path, &dims.load_options())?)
}

/// A path argument.
pub(crate) type ModelPath = PathBuf;

/// Runs the command line in `std::env::args`; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse_from(with_default_command(std::env::args_os().collect())) {
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

/// `xlac MODEL ...` (a first argument that names an existing file, not a subcommand)
/// means `xlac compile MODEL ...`.
fn with_default_command(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let is_model = args.get(1).is_some_and(|a| {
        use clap::CommandFactory;
        let s = a.to_string_lossy();
        !s.starts_with('-') && Cli::command().find_subcommand(&*s).is_none() && std::path::Path::new(a).is_file()
    });
    if is_model {
        args.insert(1, "compile".into());
    }
    args
}

fn dispatch(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Run(a) => run::run(a),
        Command::Compile(a) => compile::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Import(a) => import::run(a),
        Command::Ops => ops::run(),
    }
}
