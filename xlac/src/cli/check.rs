//! `xlac check`.

use super::{load, Failure, ModelPath};
use crate::ModuleSummary;

/// Arguments of `xlac check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The model to parse and verify.
    pub model: ModelPath,
}

pub(super) fn run(a: CheckArgs) -> Result<(), Failure> {
    let m = load(&a.model)?;
    println!("{}: ok: {}", a.model.display(), ModuleSummary::of(&m));
    Ok(())
}
