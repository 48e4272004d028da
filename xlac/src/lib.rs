//! The xlac driver: loading models and, as the compiler grows, compiling them.
//!
//! The `xlac` command (in `main.rs` and [`cli`]) is a thin layer over this crate, so
//! everything it does is also reachable from Rust.

pub mod cli;
mod compile;
pub mod inputs;
pub mod npy;
mod summary;

pub use compile::{compile, elem_type, from_host, tensor_ref, CompileError, Executable, OptLevel, Options};
pub use summary::ModuleSummary;

use std::path::Path;
use xlac_frontend::Diagnostics;
use xlac_ir::Module;

/// Loads a model file into a verified module. `.ir` text is parsed (weights files
/// resolved relative to it); the frontend's diagnostics say what is wrong and where.
pub fn load_model(path: &Path) -> Result<Module, Diagnostics> {
    xlac_frontend::load_module(path)
}
