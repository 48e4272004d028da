//! `xlac fmt`.

use super::{load, Failure, ModelPath};

/// Arguments of `xlac fmt`.
#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// The model to print canonically (to standard output).
    pub model: ModelPath,
}

pub(super) fn run(a: FmtArgs) -> Result<(), Failure> {
    let m = load(&a.model)?;
    print!("{}", xlac_ir::print_module(&m));
    Ok(())
}
