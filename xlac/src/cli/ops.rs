//! `xlac ops`.

use super::Failure;

pub(super) fn run() -> Result<(), Failure> {
    print!("{}", xlac_ir::op_reference_markdown());
    Ok(())
}
