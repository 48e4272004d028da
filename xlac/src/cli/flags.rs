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
}

impl CompileFlags {
    /// The driver options these flags ask for.
    pub fn options(&self, emit_clif: bool) -> Options {
        let opt_level = match self.opt {
            0 => OptLevel::O0,
            1 => OptLevel::O1,
            _ => OptLevel::O2,
        };
        Options { opt_level, emit_clif, threads: self.threads.map(|n| n as usize) }
    }
}
