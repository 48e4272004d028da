//! The ONNX importer: reads a `.onnx` model (protobuf, decoded with `prost` from the
//! checked-in code generated for `proto/onnx.proto`) and builds an [`xlac_ir::Module`]
//! whose `@main` takes the graph inputs and returns the graph outputs.
//!
//! Every ONNX op is lowered onto xlac primitives by a handler registered by op name and
//! opset range in [`registry`], one family per module under `ops/`. Composite operators
//! (Softmax, LayerNormalization, Gemm, ...) are decomposed. Shapes are static: symbolic
//! dimensions are fixed with [`ImportOptions::dims`]. Any op whose operands are all
//! constants is evaluated at import time with the reference interpreter, so shape
//! arithmetic (`Shape`, `ConstantOfShape`, `Range`, ...) folds away.
//!
//! Initializers (inline or external data) become constants: small ones inline, large
//! ones as `weight("name")` literals that carry their data (see [`WEIGHT_THRESHOLD`]).

mod attrs;
mod cx;
mod emit;
mod error;
mod graph;
mod names;
mod ops;
pub mod proto;
mod registry;
mod tensor;

pub use error::ImportError;
pub use graph::import_model;
pub use registry::{supported_ops, MAX_OPSET};
pub use tensor::{read_tensor_file, tensor_from_proto};

use std::collections::HashMap;
use std::path::Path;
use xlac_ir::{Module, Tensor};

/// Constants with more elements than this become `weight("...")` literals (written to
/// a side `.safetensors` file when the module is saved); smaller ones are inline.
pub const WEIGHT_THRESHOLD: usize = 256;

/// Choices the ONNX graph leaves open.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Values of symbolic dimensions (`dim_param` names), e.g. `N=1`.
    pub dims: HashMap<String, usize>,
    /// Graph inputs bound to a fixed value: they become constants instead of
    /// parameters (needed when an input feeds a shape, like `Reshape`'s `shape`).
    pub constant_inputs: HashMap<String, Tensor>,
}

/// Reads and imports an ONNX file; external-data paths are relative to its directory.
pub fn import_file(path: &Path, options: &ImportOptions) -> Result<Module, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::new(format!("cannot read `{}`: {e}", path.display())))?;
    import_model(&bytes, path.parent(), options)
}

/// [`import_file`] with its error as a [`crate::Diagnostics`], for the driver.
pub fn load_onnx(path: &Path, options: &ImportOptions) -> Result<Module, crate::Diagnostics> {
    import_file(path, options).map_err(|e| crate::Diagnostics::from_message(&path.display().to_string(), "", e.message))
}
