//! Comparing a compiled result with the interpreter's, element by element.
//!
//! Integers and booleans must be equal, and so must floats the graph computes exactly
//! (see `graph.rs`). Other floats may differ by `c * M + atol`, where `M` is the
//! element's magnitude from the shadow module and `c` allows a few ulp per op and per
//! term of the longest sum (reassociation). NaN equals NaN. Where `M` is infinite (an
//! overflow upstream) any result is accepted; where it is NaN (a NaN input reaches the
//! element) a NaN the interpreter gives must be given.

use crate::gen::Case;
use xlac_ir::{DType, Tensor, TensorData};

/// How closely one result must agree.
pub struct Bound<'a> {
    /// Bit-for-bit (up to NaN payloads and the sign of zero).
    pub exact: bool,
    /// Per-element magnitudes (floats only).
    pub mag: Option<&'a Tensor>,
    /// Relative error allowed per unit of magnitude.
    pub c: f64,
    /// Absolute slack (flushed subnormals).
    pub atol: f64,
}

/// `c` and `atol` for results of `dtype` in `case`.
pub fn slack(case: &Case, dtype: DType) -> (f64, f64) {
    let (ulp, tiny) = match dtype {
        DType::F64 if !case.has_f32 => (f64::EPSILON, f64::MIN_POSITIVE),
        _ => (f32::EPSILON as f64, f32::MIN_POSITIVE as f64),
    };
    // Vector math functions are accurate to a few f32 ulp, in both precisions.
    let ulp = if case.has_math { ulp.max(2.5e-7) } else { ulp };
    (4.0 * ulp * (case.ops + 2 * case.max_terms) as f64, 16.0 * tiny)
}

/// The multi-dimensional index of flat element `i` of `dims`.
fn unflatten(mut i: usize, dims: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; dims.len()];
    for d in (0..dims.len()).rev() {
        idx[d] = i % dims[d].max(1);
        i /= dims[d].max(1);
    }
    idx
}

/// `Ok` if `got` agrees with `want` within `bound`; otherwise the first differing
/// element, its index, both values and the bound.
pub fn compare(got: &Tensor, want: &Tensor, bound: &Bound) -> Result<(), String> {
    if got.ty() != want.ty() {
        return Err(format!("type {} but the interpreter gives {}", got.ty(), want.ty()));
    }
    let float = matches!(want.data, TensorData::F32(_) | TensorData::F64(_));
    for i in 0..want.data.len() {
        let (ok, allowed) = if !float {
            (got.data.get_i64(i) == want.data.get_i64(i), 0.0)
        } else {
            let (g, w) = (got.data.get_f64(i), want.data.get_f64(i));
            let m = match bound.mag {
                Some(m) if !bound.exact => m.data.get_f64(i),
                _ => 0.0,
            };
            let allowed = if bound.exact { 0.0 } else { bound.atol + bound.c * m };
            // A NaN magnitude means a NaN input reaches the element: the result is NaN.
            let lax = m.is_infinite() || (m.is_nan() && !w.is_nan());
            let ok = (g.is_nan() && w.is_nan()) || g == w || lax || (g - w).abs() <= allowed;
            (ok, allowed)
        };
        if !ok {
            let idx = unflatten(i, want.shape.dims());
            return Err(format!(
                "element {i} (index {idx:?}): {} but the interpreter gives {} ({}, allowed difference {allowed:e})",
                got.data.get_f64(i),
                want.data.get_f64(i),
                if bound.exact { "exact value" } else { "magnitude-scaled tolerance" },
            ));
        }
    }
    Ok(())
}
