//! Conv and ConvTranspose as `convolution` (NCHW); a transposed convolution is a
//! convolution of the input dilated by the strides with the flipped, regrouped kernel.

use crate::onnx::cx::{Cx, Val, R};
use crate::onnx::registry::{from, Entry};
use xlac_ir::{AttrValue, Attrs, OpKind};

/// This family's registrations.
pub(crate) const OPS: &[Entry] = &[from("Conv", 1, conv), from("ConvTranspose", 1, conv_transpose)];

/// The window attributes shared by convolutions and pooling, for `n` spatial dims.
pub(crate) struct Window {
    /// Kernel extents.
    pub(crate) kernel: Vec<usize>,
    /// Strides.
    pub(crate) strides: Vec<usize>,
    /// Dilations.
    pub(crate) dilations: Vec<usize>,
    /// `(lo, hi)` padding.
    pub(crate) pads: Vec<(i64, i64)>,
}

fn positive_list(cx: &Cx, name: &str, n: usize) -> R<Vec<usize>> {
    match cx.ints(name) {
        None => Ok(vec![1; n]),
        Some(v) if v.len() == n && v.iter().all(|&x| x >= 1) => Ok(v.iter().map(|&x| x as usize).collect()),
        Some(v) => Err(format!("`{name}` = {v:?} must be {n} positive numbers")),
    }
}

/// Reads kernel, strides, dilations and padding (explicit or `auto_pad`) for an input
/// with spatial extents `input`; `kernel` is the default kernel shape.
pub(crate) fn window(cx: &Cx, input: &[usize], kernel: Option<Vec<usize>>) -> R<Window> {
    let n = input.len();
    let kernel = match cx.ints("kernel_shape") {
        Some(k) => k.iter().map(|&x| x.max(0) as usize).collect(),
        None => kernel.ok_or("`kernel_shape` is missing")?,
    };
    if kernel.len() != n || kernel.contains(&0) {
        return Err(format!("kernel_shape {kernel:?} must be {n} positive extents"));
    }
    let strides = positive_list(cx, "strides", n)?;
    let dilations = positive_list(cx, "dilations", n)?;
    let auto_pad = cx.string("auto_pad", "NOTSET");
    let pads = match auto_pad.as_str() {
        "NOTSET" => match cx.ints("pads") {
            None => vec![(0, 0); n],
            Some(p) if p.len() == 2 * n => (0..n).map(|i| (p[i], p[i + n])).collect(),
            Some(p) => return Err(format!("`pads` {p:?} does not fit {n} spatial dims")),
        },
        "VALID" => vec![(0, 0); n],
        "SAME_UPPER" | "SAME_LOWER" => (0..n)
            .map(|i| {
                let out = input[i].div_ceil(strides[i]);
                let span = (kernel[i] - 1).saturating_mul(dilations[i]).saturating_add(1);
                let total = (out.saturating_sub(1).saturating_mul(strides[i]).saturating_add(span))
                    .saturating_sub(input[i]) as i64;
                let small = total / 2;
                if auto_pad == "SAME_UPPER" {
                    (small, total - small)
                } else {
                    (total - small, small)
                }
            })
            .collect(),
        other => return Err(format!("auto_pad `{other}` is not supported")),
    };
    Ok(Window { kernel, strides, dilations, pads })
}

fn ints(v: &[usize]) -> AttrValue {
    AttrValue::Ints(v.iter().map(|&x| x as i64).collect())
}

/// Adds a per-channel bias `[C]` along dim 1.
pub(crate) fn add_channel_bias(cx: &mut Cx, y: &Val, b: &Val) -> R<Val> {
    let dims = cx.dims(y);
    let b = cx.broadcast_in_dim(b, &dims, &[1])?;
    cx.binary(OpKind::Add, y, &b)
}

fn conv(cx: &mut Cx) -> R<Vec<Val>> {
    let (x, w) = (cx.input(0)?, cx.input(1)?);
    let (xd, wd) = (cx.dims(&x), cx.dims(&w));
    if xd.len() < 3 || wd.len() != xd.len() {
        return Err(format!("input {xd:?} and kernel {wd:?} need one rank of at least 3"));
    }
    let win = window(cx, &xd[2..], Some(wd[2..].to_vec()))?;
    let attrs = Attrs::new(OpKind::Convolution)
        .with("strides", ints(&win.strides))
        .with("padding", AttrValue::IntPairs(win.pads.clone()))
        .with("rhs_dilation", ints(&win.dilations))
        .with("feature_groups", AttrValue::Int(cx.int("group", 1)));
    let mut y = cx.op(OpKind::Convolution, &[x, w], attrs)?;
    if let Some(b) = cx.opt(2) {
        y = add_channel_bias(cx, &y, &b)?;
    }
    Ok(vec![y])
}

fn conv_transpose(cx: &mut Cx) -> R<Vec<Val>> {
    let (x, w) = (cx.input(0)?, cx.input(1)?);
    let (xd, wd) = (cx.dims(&x), cx.dims(&w));
    let n = xd.len().saturating_sub(2);
    if n == 0 || wd.len() != xd.len() {
        return Err(format!("input {xd:?} and kernel {wd:?} need one rank of at least 3"));
    }
    let g = cx.int("group", 1).max(1) as usize;
    let (c, og) = (wd[0], wd[1]);
    if c != xd[1] || !c.is_multiple_of(g) {
        return Err(format!("kernel {wd:?} does not fit input channels {} with group {g}", xd[1]));
    }
    let k: Vec<usize> = match cx.ints("kernel_shape") {
        Some(k) => k.iter().map(|&v| v.max(1) as usize).collect(),
        None => wd[2..].to_vec(),
    };
    if k.len() != n || wd[2..].len() != n {
        return Err(format!("kernel_shape {k:?} does not fit {n} spatial dims"));
    }
    let s = positive_list(cx, "strides", n)?;
    let d = positive_list(cx, "dilations", n)?;
    let out_pad = cx.ints("output_padding").unwrap_or_else(|| vec![0; n]);
    if cx.ints("output_shape").is_some_and(|o| o.len() < n) {
        return Err(format!("`output_shape` needs {n} extents"));
    }
    let span = |i: usize| ((k[i] - 1) * d[i] + 1) as i64;
    let full = |i: usize| s[i] as i64 * (xd[i + 2] as i64 - 1) + out_pad.get(i).copied().unwrap_or(0) + span(i);
    let auto_pad = cx.string("auto_pad", "NOTSET");
    let output_shape = cx.ints("output_shape");
    let pads: Vec<(i64, i64)> = if auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER" {
        (0..n)
            .map(|i| {
                let out = output_shape.as_ref().map_or(xd[i + 2] as i64 * s[i] as i64, |o| o[o.len() - n + i]);
                let total = full(i) - out;
                if auto_pad == "SAME_UPPER" {
                    (total / 2, total - total / 2)
                } else {
                    (total - total / 2, total / 2)
                }
            })
            .collect()
    } else {
        let p = cx.ints("pads").unwrap_or_else(|| vec![0; 2 * n]);
        if p.len() != 2 * n {
            return Err(format!("`pads` {p:?} does not fit {n} spatial dims"));
        }
        (0..n)
            .map(|i| match &output_shape {
                Some(o) => (p[i], full(i) - p[i] - o[o.len() - n + i]),
                None => (p[i], p[i + n]),
            })
            .collect()
    };
    // W [C, O/g, k...] -> [g, C/g, O/g, k...] -> [g, O/g, C/g, k...] -> [O, C/g, k...], flipped.
    let mut split = vec![g, c / g, og];
    split.extend_from_slice(&wd[2..]);
    let wr = cx.reshape(&w, &split)?;
    let mut perm = vec![0, 2, 1];
    perm.extend(3..3 + n);
    let wt = cx.transpose(&wr, &perm)?;
    let mut kdims = vec![g * og, c / g];
    kdims.extend_from_slice(&wd[2..]);
    let wk = cx.reshape(&wt, &kdims)?;
    let wk = cx.reverse(&wk, &(2..2 + n).collect::<Vec<_>>())?;
    let padding: Vec<(i64, i64)> = (0..n)
        .map(|i| (span(i) - 1 - pads[i].0, span(i) - 1 - pads[i].1 + out_pad.get(i).copied().unwrap_or(0)))
        .collect();
    let attrs = Attrs::new(OpKind::Convolution)
        .with("padding", AttrValue::IntPairs(padding))
        .with("lhs_dilation", ints(&s))
        .with("rhs_dilation", ints(&d))
        .with("feature_groups", AttrValue::Int(g as i64));
    let mut y = cx.op(OpKind::Convolution, &[x, wk], attrs)?;
    if let Some(b) = cx.opt(2) {
        y = add_channel_bias(cx, &y, &b)?;
    }
    Ok(vec![y])
}
