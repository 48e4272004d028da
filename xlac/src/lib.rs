//! The xlac driver: loading models and, as the compiler grows, compiling them.
//!
//! The `xlac` command (in `main.rs` and [`cli`]) is a thin layer over this crate, so
//! everything it does is also reachable from Rust.

pub mod cli;
mod compile;
pub mod inputs;
pub mod npy;
mod summary;

pub use compile::{
    compile, compile_with_sink, elem_type, from_host, optimize, tensor_ref, CompileError, CompilePhases, Executable,
    OptLevel, Options,
};
pub use summary::ModuleSummary;

use std::path::Path;
use xlac_frontend::Diagnostics;
use xlac_ir::Module;

/// Choices a model file leaves open.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Values of symbolic dimensions of ONNX graph inputs (`--dim NAME=VALUE`).
    pub dims: std::collections::HashMap<String, usize>,
}

/// Loads a model file into a verified module. `.ir` text is parsed (weights files
/// resolved relative to it); the frontend's diagnostics say what is wrong and where.
/// `.onnx` files are imported (see [`load_model_with`] for symbolic dimensions).
pub fn load_model(path: &Path) -> Result<Module, Diagnostics> {
    load_model_with(path, &LoadOptions::default())
}

/// [`load_model`] with options: files ending in `.onnx` go through the ONNX importer
/// (with `options.dims` fixing symbolic dimensions), everything else is `.ir` text.
pub fn load_model_with(path: &Path, options: &LoadOptions) -> Result<Module, Diagnostics> {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("onnx")) {
        let o = xlac_frontend::onnx::ImportOptions { dims: options.dims.clone(), ..Default::default() };
        return xlac_frontend::onnx::load_onnx(path, &o);
    }
    xlac_frontend::load_module(path)
}
