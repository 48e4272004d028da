//! Shared helpers of the eqsat tests: loading modules, random inputs, comparing results.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use xlac_ir::{DType, Module, Tensor, TensorData, TensorType};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace").to_path_buf()
}

/// Every `.ir` file under `dir`, sorted.
pub fn ir_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "ir") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Parses `text` as the module of file `path`.
pub fn parse(path: &Path, text: &str) -> Result<Module, String> {
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    xlac_frontend::parse_module(&name, text, path.parent()).map_err(|d| d.render(false))
}

/// Reproducible data for `ty`: floats uniform in `[lo, hi)`, integers in [-4, 4), fair bools.
pub fn random_tensor(ty: &TensorType, seed: u64, lo: f64, hi: f64) -> Tensor {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(0xD1B5_4A32_D192_ED03);
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (((z ^ (z >> 31)) >> 11) as f64) / (1u64 << 53) as f64
    };
    let n = ty.shape.num_elements();
    let data = match ty.dtype {
        DType::F32 => TensorData::F32((0..n).map(|_| (lo + next() * (hi - lo)) as f32).collect()),
        DType::F64 => TensorData::F64((0..n).map(|_| lo + next() * (hi - lo)).collect()),
        DType::I32 => TensorData::I32((0..n).map(|_| (next() * 8.0) as i32 - 4).collect()),
        DType::I64 => TensorData::I64((0..n).map(|_| (next() * 8.0) as i64 - 4).collect()),
        DType::Bool => TensorData::Bool((0..n).map(|_| next() >= 0.5).collect()),
    };
    Tensor { shape: ty.shape.clone(), data }
}

/// Whether two results agree: equal shapes and dtypes; floats within
/// `1e-4 + 1e-4·|want|` (NaN matches NaN, infinities exactly); others exactly.
pub fn agree(got: &Tensor, want: &Tensor) -> Result<(), String> {
    if got.ty() != want.ty() {
        return Err(format!("type {} vs {}", got.ty(), want.ty()));
    }
    for i in 0..want.data.len() {
        let (g, w) = (got.data.get_f64(i), want.data.get_f64(i));
        let ok = if want.dtype().is_float() {
            (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= 1e-4 + 1e-4 * w.abs()
        } else {
            g == w
        };
        if !ok {
            return Err(format!("element {i}: got {g}, want {w}"));
        }
    }
    Ok(())
}

/// Runs every function of `before` and `after` on the same random inputs (floats in
/// `[lo, hi)`) and compares; functions too large to interpret quickly are skipped.
pub fn same_results(before: &Module, after: &Module, lo: f64, hi: f64) -> Result<(), String> {
    for f in &before.functions {
        let big = f.values.values().any(|v| v.ty.shape.num_elements() > 1 << 16);
        if big || f.ops.iter().any(|op| op.kind == xlac_ir::OpKind::Call) {
            continue;
        }
        for seed in 0..3 {
            let inputs: Vec<Tensor> = f
                .param_types()
                .iter()
                .enumerate()
                .map(|(i, t)| random_tensor(t, seed * 31 + i as u64, lo, hi))
                .collect();
            let Ok(want) = xlac_interp::run_function(before, &f.name, &inputs) else { continue };
            let got = xlac_interp::run_function(after, &f.name, &inputs).map_err(|e| format!("@{}: {e}", f.name))?;
            for (k, (g, w)) in got.iter().zip(&want).enumerate() {
                agree(g, w).map_err(|e| format!("@{} result {k} (seed {seed}): {e}", f.name))?;
            }
        }
    }
    Ok(())
}
