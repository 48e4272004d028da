//! Pad: constant, edge, reflect and wrap modes; pads and value are attributes before
//! opset 11 and inputs after (with `axes` from 18).

use crate::onnx::attrs::norm_axes;
use crate::onnx::cx::{Cx, Val, R};
use crate::onnx::registry::{from, reg, Entry};

/// This family's registrations.
pub(crate) const OPS: &[Entry] = &[reg("Pad", 2, 10, |cx| pad(cx, false)), from("Pad", 11, |cx| pad(cx, true))];

fn pad(cx: &mut Cx, from_inputs: bool) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let dims = cx.dims(&x);
    let r = dims.len();
    let (pads, value, axes) = if from_inputs {
        let pads = cx.const_ints(1, "`pads`")?.ok_or("`pads` is missing")?;
        let value = cx.const_f64(2, "`constant_value`")?.unwrap_or(0.0);
        let axes = cx.const_ints(3, "`axes`")?;
        (pads, value, axes)
    } else {
        (cx.ints("pads").or_else(|| cx.ints("paddings")).unwrap_or_default(), cx.float("value", 0.0) as f64, None)
    };
    let axes = match axes {
        Some(a) => norm_axes(&a, r)?,
        None => (0..r).collect(),
    };
    if pads.len() != 2 * axes.len() {
        return Err(format!("{} pads for {} axes", pads.len(), axes.len()));
    }
    let mut low = vec![0i64; r];
    let mut high = vec![0i64; r];
    for (i, &a) in axes.iter().enumerate() {
        low[a] = pads[i];
        high[a] = pads[i + axes.len()];
    }
    let mode = cx.string("mode", "constant");
    if mode == "constant" {
        let v = cx.scalar(cx.dtype(&x), value);
        return Ok(vec![cx.pad(&x, &low, &high, &v)?]);
    }
    let mut y = x;
    for a in 0..r {
        y = pad_axis(cx, &y, a, low[a], high[a], &mode)?;
    }
    Ok(vec![y])
}

/// Edge, reflect or wrap padding of one axis, by slicing and concatenating.
fn pad_axis(cx: &mut Cx, x: &Val, axis: usize, lo: i64, hi: i64, mode: &str) -> R<Val> {
    if lo == 0 && hi == 0 {
        return Ok(x.clone());
    }
    if lo < 0 || hi < 0 {
        return Err(format!("negative pads are only supported in constant mode ({mode})"));
    }
    let n = cx.dims(x)[axis];
    let (lo, hi) = (lo as usize, hi as usize);
    let too_big = match mode {
        "reflect" => lo >= n || hi >= n,
        "wrap" | "edge" => n == 0 || (mode == "wrap" && (lo > n || hi > n)),
        _ => return Err(format!("pad mode `{mode}` is not supported")),
    };
    if too_big {
        return Err(format!("pads ({lo}, {hi}) are too large for extent {n} in {mode} mode"));
    }
    let (left, right) = match mode {
        "edge" => {
            let first = cx.slice_axis(x, axis, 0, 1)?;
            let last = cx.slice_axis(x, axis, n - 1, n)?;
            let mut d = cx.dims(x);
            d[axis] = lo;
            let l = cx.broadcast_to(&first, &d)?;
            d[axis] = hi;
            (l, cx.broadcast_to(&last, &d)?)
        }
        "reflect" => {
            let l = cx.slice_axis(x, axis, 1, lo + 1)?;
            let rr = cx.slice_axis(x, axis, n - 1 - hi, n - 1)?;
            (cx.reverse(&l, &[axis])?, cx.reverse(&rr, &[axis])?)
        }
        _ => (cx.slice_axis(x, axis, n - lo, n)?, cx.slice_axis(x, axis, 0, hi)?),
    };
    let parts: Vec<Val> =
        [(left, lo), (x.clone(), n), (right, hi)].into_iter().filter(|(_, k)| *k > 0).map(|(v, _)| v).collect();
    cx.concat(&parts, axis)
}
