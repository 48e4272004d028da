//! `xlac run`.

use super::flags::CompileFlags;
use super::import::DimFlags;
use super::{load, Failure, ModelPath};
use crate::inputs::build_inputs;
use crate::npy::write_npy;
use anyhow::{anyhow, Context};
use std::path::PathBuf;
use xlac_ir::{Tensor, TensorData};

/// What `--emit` can print.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    /// The Cranelift IR of every generated kernel.
    Clif,
}

/// Arguments of `xlac run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The model whose entry function (@main, or the only function) runs.
    pub model: ModelPath,
    /// Symbolic dimensions of an ONNX model.
    #[command(flatten)]
    pub dims: DimFlags,
    /// Value of parameter NAME (without `%`) from a C-order .npy file (float32, float64,
    /// int32, int64 or bool). Repeat for several parameters.
    #[arg(long = "input", value_name = "NAME=FILE.npy", value_parser = parse_input)]
    pub inputs: Vec<(String, PathBuf)>,
    /// Fill parameters without --input with reproducible random data from SEED: standard
    /// normal floats, integers in [0, 8), fair booleans.
    #[arg(long, value_name = "SEED")]
    pub random_inputs: Option<u64>,
    /// Write result i to DIR/i.npy (the directory is created if needed).
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Run on the reference interpreter instead of compiling to native code.
    #[arg(long)]
    pub interp: bool,
    /// Print an intermediate form before running (JIT only).
    #[arg(long, value_name = "FORM", conflicts_with = "interp")]
    pub emit: Option<Emit>,
    /// Compilation flags.
    #[command(flatten)]
    pub compile: CompileFlags,
}

/// Parses `NAME=FILE.npy`.
pub(super) fn parse_input(s: &str) -> Result<(String, PathBuf), String> {
    let (name, file) = s.split_once('=').ok_or_else(|| format!("expected NAME=FILE.npy, found `{s}`"))?;
    let name = name.trim_start_matches('%');
    if name.is_empty() || file.is_empty() {
        return Err(format!("expected NAME=FILE.npy, found `{s}`"));
    }
    Ok((name.to_string(), PathBuf::from(file)))
}

pub(super) fn run(a: RunArgs) -> Result<(), Failure> {
    let m = load(&a.model, &a.dims)?;
    let f = m.entry().ok_or_else(|| anyhow!("{} has no @main and more than one function", a.model.display()))?;
    let inputs = build_inputs(f, &a.inputs, a.random_inputs)?;
    let results = if a.interp {
        xlac_interp::run_entry(&m, &inputs).map_err(|e| anyhow!("running @{}: {e}", f.name))?
    } else {
        let exe = crate::compile(&m, &a.compile.options(a.emit == Some(Emit::Clif)))
            .map_err(|e| anyhow!("compiling @{}: {e}", f.name))?;
        for (name, text) in exe.clif() {
            println!("; kernel {name}\n{text}");
        }
        exe.run(&inputs).map_err(|e| anyhow!("running @{}: {e}", f.name))?
    };
    if let Some(dir) = &a.output_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    for (i, t) in results.iter().enumerate() {
        let mut line = format!("result {i}: {} = {}", t.ty(), preview(t, 6));
        if let Some(dir) = &a.output_dir {
            let path = dir.join(format!("{i}.npy"));
            write_npy(&path, t)?;
            line.push_str(&format!("  -> {}", path.display()));
        }
        println!("{line}");
    }
    Ok(())
}

/// The first `n` elements in row-major order, `[a, b, ...]`.
fn preview(t: &Tensor, n: usize) -> String {
    let shown = t.data.len().min(n);
    let items: Vec<String> = (0..shown)
        .map(|i| match &t.data {
            TensorData::F32(v) => format!("{:.6}", v[i]),
            TensorData::F64(v) => format!("{:.6}", v[i]),
            TensorData::I32(v) => v[i].to_string(),
            TensorData::I64(v) => v[i].to_string(),
            TensorData::Bool(v) => v[i].to_string(),
        })
        .collect();
    let more = if t.data.len() > shown { ", ..." } else { "" };
    format!("[{}{more}]", items.join(", "))
}
