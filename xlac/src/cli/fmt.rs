//! `xlac fmt`.

use super::import::DimFlags;
use super::{load, Failure, ModelPath};

/// Arguments of `xlac fmt`.
#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// The model to print canonically (to standard output).
    pub model: ModelPath,
    /// Symbolic dimensions of an ONNX model.
    #[command(flatten)]
    pub dims: DimFlags,
}

pub(super) fn run(a: FmtArgs) -> Result<(), Failure> {
    let m = load(&a.model, &a.dims)?;
    print!("{}", xlac_ir::print_module(&m));
    Ok(())
}
