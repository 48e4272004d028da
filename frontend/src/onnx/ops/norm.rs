//! Normalizations, decomposed: BatchNormalization (inference, and training mode's
//! batch statistics), InstanceNormalization, LayerNormalization, GroupNormalization,
//! RMSNormalization, MeanVarianceNormalization, LRN.

use super::conv::add_channel_bias;
use crate::onnx::attrs::{norm_axes, norm_axis};
use crate::onnx::cx::{Cx, Val, R};
use crate::onnx::registry::{from, reg, Entry};
use xlac_ir::{AttrValue, Attrs, OpKind};

/// This family's registrations.
pub(crate) const OPS: &[Entry] = &[
    from("BatchNormalization", 7, batch_norm),
    from("InstanceNormalization", 6, instance_norm),
    from("LayerNormalization", 17, layer_norm),
    reg("GroupNormalization", 18, 20, |cx| group_norm(cx, false)),
    from("GroupNormalization", 21, |cx| group_norm(cx, true)),
    from("RMSNormalization", 23, rms_norm),
    from("MeanVarianceNormalization", 9, mvn),
    from("LRN", 1, lrn),
];

/// `(mean, variance)` of `x` over `axes`, kept as extent-1 dims.
fn moments(cx: &mut Cx, x: &Val, axes: &[usize]) -> R<(Val, Val)> {
    let dims = cx.dims(x);
    let n: usize = axes.iter().map(|&a| dims[a]).product();
    let s = cx.reduce("sum", x, axes, true)?;
    let mean = cx.with_scalar(OpKind::Div, &s, n as f64)?;
    let d = cx.binary(OpKind::Sub, x, &mean)?;
    let d2 = cx.binary(OpKind::Mul, &d, &d)?;
    let s2 = cx.reduce("sum", &d2, axes, true)?;
    let var = cx.with_scalar(OpKind::Div, &s2, n as f64)?;
    Ok((mean, var))
}

/// `1 / sqrt(var + eps)`.
fn inv_std(cx: &mut Cx, var: &Val, eps: f64) -> R<Val> {
    let v = cx.with_scalar(OpKind::Add, var, eps)?;
    cx.plain(OpKind::Rsqrt, &[v])
}

/// Broadcasts a per-channel vector `[C]` to `x`'s shape along dim 1.
fn per_channel(cx: &mut Cx, v: &Val, dims: &[usize]) -> R<Val> {
    cx.broadcast_in_dim(v, dims, &[1])
}

fn batch_norm(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let (scale, bias, mean, var) = (cx.input(1)?, cx.input(2)?, cx.input(3)?, cx.input(4)?);
    let eps = cx.float("epsilon", 1e-5) as f64;
    let dims = cx.dims(&x);
    if cx.int("training_mode", 0) == 1 {
        let axes: Vec<usize> = (0..dims.len()).filter(|&a| a != 1).collect();
        let (bm, bv) = moments(cx, &x, &axes)?;
        let d = cx.binary(OpKind::Sub, &x, &bm)?;
        let r = inv_std(cx, &bv, eps)?;
        let n = cx.binary(OpKind::Mul, &d, &r)?;
        let s = per_channel(cx, &scale, &dims)?;
        let y = cx.binary(OpKind::Mul, &n, &s)?;
        let y = add_channel_bias(cx, &y, &bias)?;
        let m = cx.float("momentum", 0.9) as f64;
        let c = cx.dims(&mean);
        let (bm, bv) = (cx.reshape(&bm, &c)?, cx.reshape(&bv, &c)?);
        let run = |cx: &mut Cx, old: &Val, new: &Val| -> R<Val> {
            let a = cx.with_scalar(OpKind::Mul, old, m)?;
            let b = cx.with_scalar(OpKind::Mul, new, 1.0 - m)?;
            cx.binary(OpKind::Add, &a, &b)
        };
        let rm = run(cx, &mean, &bm)?;
        let rv = run(cx, &var, &bv)?;
        return Ok(vec![y, rm, rv]);
    }
    // y = x * a + b with a = scale / sqrt(var + eps), b = bias - mean * a (folded when
    // the parameters are constants).
    let r = inv_std(cx, &var, eps)?;
    let a = cx.binary(OpKind::Mul, &scale, &r)?;
    let ma = cx.binary(OpKind::Mul, &mean, &a)?;
    let b = cx.binary(OpKind::Sub, &bias, &ma)?;
    let a = per_channel(cx, &a, &dims)?;
    let y = cx.binary(OpKind::Mul, &x, &a)?;
    Ok(vec![add_channel_bias(cx, &y, &b)?])
}

/// `(x - mean) * inv_std` over `axes`, also returning the mean and inverse std.
fn normalize(cx: &mut Cx, x: &Val, axes: &[usize], eps: f64) -> R<(Val, Val, Val)> {
    let (mean, var) = moments(cx, x, axes)?;
    let r = inv_std(cx, &var, eps)?;
    let d = cx.binary(OpKind::Sub, x, &mean)?;
    Ok((cx.binary(OpKind::Mul, &d, &r)?, mean, r))
}

fn instance_norm(cx: &mut Cx) -> R<Vec<Val>> {
    let (x, scale, bias) = (cx.input(0)?, cx.input(1)?, cx.input(2)?);
    let dims = cx.dims(&x);
    let axes: Vec<usize> = (2..dims.len()).collect();
    let (n, _, _) = normalize(cx, &x, &axes, cx.float("epsilon", 1e-5) as f64)?;
    let s = per_channel(cx, &scale, &dims)?;
    let y = cx.binary(OpKind::Mul, &n, &s)?;
    Ok(vec![add_channel_bias(cx, &y, &bias)?])
}

fn layer_norm(cx: &mut Cx) -> R<Vec<Val>> {
    let (x, scale) = (cx.input(0)?, cx.input(1)?);
    let dims = cx.dims(&x);
    let axis = norm_axis(cx.int("axis", -1), dims.len())?;
    let axes: Vec<usize> = (axis..dims.len()).collect();
    let (n, mean, r) = normalize(cx, &x, &axes, cx.float("epsilon", 1e-5) as f64)?;
    let mut y = cx.binary(OpKind::Mul, &n, &scale)?;
    if let Some(b) = cx.opt(2) {
        y = cx.binary(OpKind::Add, &y, &b)?;
    }
    Ok(vec![y, mean, r])
}

fn group_norm(cx: &mut Cx, per_channel_affine: bool) -> R<Vec<Val>> {
    let (x, scale, bias) = (cx.input(0)?, cx.input(1)?, cx.input(2)?);
    let dims = cx.dims(&x);
    let g = cx.int("num_groups", 0);
    if dims.len() < 2 || g < 1 || !dims[1].is_multiple_of(g as usize) {
        return Err(format!("num_groups {g} does not divide the channels of {dims:?}"));
    }
    let g = g as usize;
    let rest: usize = dims[2..].iter().product();
    let grouped = cx.reshape(&x, &[dims[0], g, dims[1] / g * rest])?;
    let (n, _, _) = normalize(cx, &grouped, &[2], cx.float("epsilon", 1e-5) as f64)?;
    let n = cx.reshape(&n, &dims)?;
    let (scale, bias) = if per_channel_affine {
        (scale, bias)
    } else {
        let c = dims[1];
        let expand = |cx: &mut Cx, v: &Val| -> R<Val> {
            let b = cx.broadcast_in_dim(v, &[g, c / g], &[0])?;
            cx.reshape(&b, &[c])
        };
        (expand(cx, &scale)?, expand(cx, &bias)?)
    };
    let s = per_channel(cx, &scale, &dims)?;
    let y = cx.binary(OpKind::Mul, &n, &s)?;
    Ok(vec![add_channel_bias(cx, &y, &bias)?])
}

fn rms_norm(cx: &mut Cx) -> R<Vec<Val>> {
    let (x, scale) = (cx.input(0)?, cx.input(1)?);
    let dims = cx.dims(&x);
    let axis = norm_axis(cx.int("axis", -1), dims.len())?;
    let axes: Vec<usize> = (axis..dims.len()).collect();
    let n: usize = axes.iter().map(|&a| dims[a]).product();
    let sq = cx.binary(OpKind::Mul, &x, &x)?;
    let s = cx.reduce("sum", &sq, &axes, true)?;
    let ms = cx.with_scalar(OpKind::Div, &s, n as f64)?;
    let r = inv_std(cx, &ms, cx.float("epsilon", 1e-5) as f64)?;
    let y = cx.binary(OpKind::Mul, &x, &r)?;
    Ok(vec![cx.binary(OpKind::Mul, &y, &scale)?])
}

fn mvn(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let r = cx.rank(&x);
    let axes = norm_axes(&cx.ints("axes").unwrap_or_else(|| vec![0, 2, 3]), r)?;
    let (mean, var) = moments(cx, &x, &axes)?;
    let sd = cx.plain(OpKind::Sqrt, &[var])?;
    let sd = cx.with_scalar(OpKind::Add, &sd, 1e-9)?;
    let d = cx.binary(OpKind::Sub, &x, &mean)?;
    Ok(vec![cx.binary(OpKind::Div, &d, &sd)?])
}

fn lrn(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let r = cx.rank(&x);
    let size = cx.int("size", 0);
    if size < 1 || r < 2 {
        return Err(format!("LRN needs size >= 1 and rank >= 2 (size {size}, rank {r})"));
    }
    let (alpha, beta, bias) =
        (cx.float("alpha", 1e-4) as f64, cx.float("beta", 0.75) as f64, cx.float("bias", 1.0) as f64);
    let sq = cx.binary(OpKind::Mul, &x, &x)?;
    let mut window = vec![1i64; r];
    window[1] = size;
    let mut padding = vec![(0i64, 0i64); r];
    padding[1] = ((size - 1) / 2, size - 1 - (size - 1) / 2);
    let attrs = Attrs::new(OpKind::ReduceWindow)
        .with("kind", AttrValue::Enum("sum"))
        .with("window", AttrValue::Ints(window))
        .with("padding", AttrValue::IntPairs(padding));
    let s = cx.op(OpKind::ReduceWindow, &[sq], attrs)?;
    let s = cx.with_scalar(OpKind::Mul, &s, alpha / size as f64)?;
    let s = cx.with_scalar(OpKind::Add, &s, bias)?;
    let p = cx.with_scalar(OpKind::Pow, &s, beta)?;
    Ok(vec![cx.binary(OpKind::Div, &x, &p)?])
}
