//! The module's weights file: safetensors, read on the first `weight("key")` literal.

use crate::ast::Span;
use crate::diag::Diagnostic;
use safetensors::tensor::{Metadata, TensorView};
use safetensors::{Dtype, SafeTensors};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use xlac_ir::{DType, Tensor, TensorData, TensorType};

/// A loaded safetensors file: its bytes and parsed header.
struct File {
    bytes: Vec<u8>,
    data_start: usize,
    meta: Metadata,
}

enum State {
    /// The module has no `weights` line.
    Undeclared,
    /// Declared, not read yet.
    Pending(PathBuf),
    /// Read.
    Loaded(File),
    /// Reading failed; the error was reported at the `weights` line.
    Failed,
}

/// Resolves `weight("key")` literals against the module's weights file.
pub struct Weights {
    state: State,
    /// The `weights "..."` string, for errors about the file itself.
    span: Span,
    cache: HashMap<String, Arc<Tensor>>,
}

impl Weights {
    /// A module without a weights file.
    pub fn none() -> Weights {
        Weights { state: State::Undeclared, span: Span::default(), cache: HashMap::new() }
    }

    /// A module whose `weights` line (at `span`) names `path`.
    pub fn declared(path: PathBuf, span: Span) -> Weights {
        Weights { state: State::Pending(path), span, cache: HashMap::new() }
    }

    /// Tensor `key`, which must have type `ty`; `at` is the literal. `Err(None)` means the
    /// error was already reported (the file could not be read).
    pub fn get(&mut self, key: &str, ty: &TensorType, at: Span) -> Result<Arc<Tensor>, Option<Diagnostic>> {
        if let State::Pending(path) = &self.state {
            self.state = match read(path) {
                Ok(file) => State::Loaded(file),
                Err(msg) => {
                    self.state = State::Failed;
                    return Err(Some(Diagnostic::new(self.span, msg).label("weights file named here")));
                }
            };
        }
        let file = match &self.state {
            State::Undeclared => {
                return Err(Some(
                    Diagnostic::new(at, format!("`weight(\"{key}\")` needs a weights file"))
                        .note("declare one at the top of the module: weights \"file.safetensors\""),
                ))
            }
            State::Failed | State::Pending(_) => return Err(None),
            State::Loaded(file) => file,
        };
        let tensor = match self.cache.get(key) {
            Some(t) => t.clone(),
            None => {
                let t = Arc::new(file.tensor(key).map_err(|m| Some(Diagnostic::new(at, m)))?);
                self.cache.insert(key.to_string(), t.clone());
                t
            }
        };
        if tensor.ty() != *ty {
            return Err(Some(Diagnostic::new(
                at,
                format!("weight `{key}` is {} in the weights file but the declared type is {ty}", tensor.ty()),
            )));
        }
        Ok(tensor)
    }
}

fn read(path: &Path) -> Result<File, String> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read weights file `{shown}`: {e}"))?;
    let (header_len, meta) =
        SafeTensors::read_metadata(&bytes).map_err(|e| format!("`{shown}` is not a valid safetensors file: {e}"))?;
    Ok(File { data_start: 8 + header_len, meta, bytes })
}

impl File {
    fn tensor(&self, key: &str) -> Result<Tensor, String> {
        let info = self.meta.info(key).ok_or_else(|| format!("the weights file has no tensor `{key}`"))?;
        let dtype = match info.dtype {
            Dtype::F32 => DType::F32,
            Dtype::F64 => DType::F64,
            Dtype::I32 => DType::I32,
            Dtype::I64 => DType::I64,
            Dtype::BOOL => DType::Bool,
            other => return Err(format!("weight `{key}` has dtype {other:?}, which xlac does not support")),
        };
        let (start, end) = info.data_offsets;
        let bytes = self
            .bytes
            .get(self.data_start.saturating_add(start)..self.data_start.saturating_add(end))
            .ok_or_else(|| format!("weight `{key}` lies outside the weights file"))?;
        let data =
            TensorData::from_le_bytes(dtype, bytes).ok_or_else(|| format!("weight `{key}` has a partial element"))?;
        Tensor::new(info.shape.clone(), data)
            .ok_or_else(|| format!("weight `{key}`: its data does not match its shape {:?}", info.shape))
    }
}

/// Writes `tensors` as a safetensors file at `path` (for importers that produce a module
/// and its weights). Names must be distinct.
pub fn write_safetensors(path: &Path, tensors: &[(&str, &Tensor)]) -> std::io::Result<()> {
    let bytes: Vec<Vec<u8>> = tensors.iter().map(|(_, t)| t.data.to_le_bytes()).collect();
    let mut views = Vec::with_capacity(tensors.len());
    for ((name, t), data) in tensors.iter().zip(&bytes) {
        let dtype = match t.dtype() {
            DType::F32 => Dtype::F32,
            DType::F64 => Dtype::F64,
            DType::I32 => Dtype::I32,
            DType::I64 => Dtype::I64,
            DType::Bool => Dtype::BOOL,
        };
        let view = TensorView::new(dtype, t.shape.dims().to_vec(), data).map_err(std::io::Error::other)?;
        views.push((name.to_string(), view));
    }
    safetensors::serialize_to_file(views, None, path).map_err(std::io::Error::other)
}
