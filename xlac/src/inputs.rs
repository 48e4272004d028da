//! Building the inputs of an entry function: from `.npy` files by parameter name, or
//! reproducible random data.

use crate::npy::{numpy_name, read_npy};
use anyhow::{bail, Result};
use std::path::PathBuf;
use xlac_ir::{DType, Function, Tensor, TensorData, TensorType};

/// A small, fast, reproducible generator (SplitMix64); `--random-inputs SEED` must give
/// the same inputs on every machine and version, which a general-purpose RNG crate
/// does not promise.
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.next_f64();
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Random data for `ty`: standard normal floats, integers uniform in `[0, 8)` (valid
/// indices for small gathers), fair booleans. Parameter `i` of a run with `seed` uses
/// its own stream, so adding a parameter does not change the others.
pub fn random_tensor(ty: &TensorType, seed: u64, index: usize) -> Tensor {
    let mut rng = SplitMix64::new(seed ^ (index as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let n = ty.shape.num_elements();
    let data = match ty.dtype {
        DType::F32 => TensorData::F32((0..n).map(|_| rng.normal() as f32).collect()),
        DType::F64 => TensorData::F64((0..n).map(|_| rng.normal()).collect()),
        DType::I32 => TensorData::I32((0..n).map(|_| (rng.next_u64() % 8) as i32).collect()),
        DType::I64 => TensorData::I64((0..n).map(|_| (rng.next_u64() % 8) as i64).collect()),
        DType::Bool => TensorData::Bool((0..n).map(|_| rng.next_u64() & 1 == 1).collect()),
    };
    Tensor { shape: ty.shape.clone(), data }
}

/// Inputs for `f`: each parameter from its `NAME=FILE.npy` entry, else random from
/// `seed`. Errors name unknown parameters, missing inputs, and dtype/shape mismatches.
pub fn build_inputs(f: &Function, files: &[(String, PathBuf)], seed: Option<u64>) -> Result<Vec<Tensor>> {
    let names: Vec<&str> = f.params.iter().map(|&p| f.name_of(p)).collect();
    for (name, _) in files {
        if !names.contains(&name.as_str()) {
            let known = names.join(", ");
            bail!("@{} has no parameter named `{name}` (parameters: {known})", f.name);
        }
    }
    let mut missing = Vec::new();
    let mut inputs = Vec::new();
    for (i, &p) in f.params.iter().enumerate() {
        let (name, ty) = (f.name_of(p), f.ty(p));
        match (files.iter().rev().find(|(n, _)| n == name), seed) {
            (Some((_, path)), _) => {
                let t = read_npy(path)?;
                if t.ty() != *ty {
                    bail!(
                        "input `{name}` from {} is {}{} but @{} expects {ty} ({})",
                        path.display(),
                        numpy_name(t.dtype()),
                        t.shape,
                        f.name,
                        numpy_name(ty.dtype),
                    );
                }
                inputs.push(t);
            }
            (None, Some(seed)) => inputs.push(random_tensor(ty, seed, i)),
            (None, None) => missing.push(format!("{name}: {ty}")),
        }
    }
    if !missing.is_empty() {
        bail!(
            "no value for parameter(s) {} of @{}: pass --input NAME=FILE.npy or --random-inputs SEED",
            missing.join(", "),
            f.name
        );
    }
    Ok(inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_inputs_are_reproducible_and_plausible() {
        let ty = TensorType::new(DType::F32, vec![10_000]);
        let a = random_tensor(&ty, 7, 0);
        assert_eq!(a, random_tensor(&ty, 7, 0));
        assert_ne!(a, random_tensor(&ty, 7, 1));
        let TensorData::F32(v) = &a.data else { panic!() };
        let mean = v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / v.len() as f64;
        assert!(mean.abs() < 0.05, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }
}
