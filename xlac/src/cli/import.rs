//! `xlac import`, and the `--dim NAME=VALUE` flag every model-reading subcommand takes.

use super::{load, Failure, ModelPath};
use crate::LoadOptions;
use anyhow::{anyhow, Context};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use xlac_ir::{AttrValue, Literal, Module, Tensor};

/// Symbolic dimensions of an ONNX model's inputs.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DimFlags {
    /// Fix the symbolic dimension NAME of an ONNX model's inputs to VALUE. Repeatable.
    #[arg(long = "dim", value_name = "NAME=VALUE", value_parser = parse_dim)]
    pub dims: Vec<(String, usize)>,
}

impl DimFlags {
    /// The loader options these flags ask for.
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions { dims: self.dims.iter().cloned().collect() }
    }
}

/// Parses `NAME=VALUE`.
fn parse_dim(s: &str) -> Result<(String, usize), String> {
    let (name, value) = s.split_once('=').ok_or_else(|| format!("expected NAME=VALUE, found `{s}`"))?;
    let value = value.parse::<usize>().map_err(|_| format!("`{value}` is not a dimension (a non-negative integer)"))?;
    if name.is_empty() {
        return Err(format!("expected NAME=VALUE, found `{s}`"));
    }
    Ok((name.to_string(), value))
}

/// Arguments of `xlac import`.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The ONNX model to import.
    pub model: ModelPath,
    /// Write the module here (default: standard output). Large weights go to a
    /// `.safetensors` file beside it, named after it.
    #[arg(short = 'o', long = "output", value_name = "FILE.ir")]
    pub output: Option<PathBuf>,
    /// Symbolic dimensions.
    #[command(flatten)]
    pub dims: DimFlags,
}

/// Every weight literal of `m`, by key.
fn weights(m: &Module) -> Vec<(String, Arc<Tensor>)> {
    let mut out: Vec<(String, Arc<Tensor>)> = Vec::new();
    for f in &m.functions {
        for op in &f.ops {
            for (_, v) in op.attrs.iter() {
                if let AttrValue::Literal(Literal::Weight { key, data }) = v {
                    if !out.iter().any(|(k, _)| k == key) {
                        out.push((key.clone(), data.clone()));
                    }
                }
            }
        }
    }
    out
}

/// Writes the weights of `m` beside `output` and names the file in the module.
fn write_weights(m: &mut Module, output: &Path) -> anyhow::Result<()> {
    let w = weights(m);
    if w.is_empty() {
        return Ok(());
    }
    let file = output.with_extension("safetensors");
    let refs: Vec<(&str, &Tensor)> = w.iter().map(|(k, t)| (k.as_str(), &**t)).collect();
    xlac_frontend::write_safetensors(&file, &refs).with_context(|| format!("cannot write {}", file.display()))?;
    let name = file.file_name().ok_or_else(|| anyhow!("bad output path {}", output.display()))?;
    m.weights_file = Some(name.to_string_lossy().into_owned());
    Ok(())
}

pub(super) fn run(a: ImportArgs) -> Result<(), Failure> {
    let mut m = load(&a.model, &a.dims)?;
    match &a.output {
        Some(out) => {
            write_weights(&mut m, out)?;
            std::fs::write(out, xlac_ir::print_module(&m))
                .with_context(|| format!("cannot write {}", out.display()))?;
        }
        None if !weights(&m).is_empty() => {
            return Err(
                anyhow!("{} has large weights: give -o FILE.ir to write them beside it", a.model.display()).into()
            );
        }
        None => print!("{}", xlac_ir::print_module(&m)),
    }
    Ok(())
}
