//! `xlac check`.

use super::import::DimFlags;
use super::{load, Failure, ModelPath};
use crate::ModuleSummary;

/// Arguments of `xlac check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The model to parse and verify.
    pub model: ModelPath,
    /// Symbolic dimensions of an ONNX model.
    #[command(flatten)]
    pub dims: DimFlags,
}

pub(super) fn run(a: CheckArgs) -> Result<(), Failure> {
    let m = load(&a.model, &a.dims)?;
    println!("{}: ok: {}", a.model.display(), ModuleSummary::of(&m));
    Ok(())
}
