//! Flags shared by the subcommands that compile.

use crate::{OptLevel, Options};

/// How to compile.
#[derive(clap::Args, Debug, Clone)]
pub struct CompileFlags {
    /// Optimization level: -O0 (one kernel per op), -O1, -O2 (the default).
    #[arg(short = 'O', value_name = "LEVEL", default_value = "2", value_parser = clap::value_parser!(u8).range(0..=2))]
    pub opt: u8,
    /// Worker threads for large kernels and library calls (default: all cores, or
    /// the XLAC_THREADS environment variable).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Print the module after pass PASS (or after every pass: `all`) to stderr. Repeatable.
    #[arg(long = "dump-after", value_name = "PASS")]
    pub dump_after: Vec<String>,
    /// Skip pass PASS. Repeatable.
    #[arg(long = "disable-pass", value_name = "PASS")]
    pub disable_pass: Vec<String>,
    /// Print a table of the passes run (time, whether they changed the module, notes) to stderr.
    #[arg(long)]
    pub pass_stats: bool,
    /// Allow rewrites that change floating-point results beyond reassociation.
    #[arg(long)]
    pub fast_math: bool,
}

impl CompileFlags {
    /// The driver options these flags ask for.
    pub fn options(&self, emit_clif: bool) -> Options {
        let opt_level = match self.opt {
            0 => OptLevel::O0,
            1 => OptLevel::O1,
            _ => OptLevel::O2,
        };
        Options {
            opt_level,
            emit_clif,
            threads: self.threads.map(|n| n as usize),
            dump_after: self.dump_after.clone(),
            disabled_passes: self.disable_pass.clone(),
            fast_math: self.fast_math,
            print_pass_stats: self.pass_stats,
            verify_each_pass: false,
        }
    }
}
