//! Indexing: Slice, Split, Gather, Tile, DepthToSpace, SpaceToDepth, Trilu.

use crate::onnx::attrs::{norm_axes, norm_axis};
use crate::onnx::cx::{Cx, Val, R};
use crate::onnx::registry::{from, reg, Entry};
use xlac_ir::{AttrValue, Attrs, DType, OpKind, TensorType};

/// This family's registrations.
pub(crate) const OPS: &[Entry] = &[
    reg("Slice", 1, 9, |cx| slice(cx, false)),
    from("Slice", 10, |cx| slice(cx, true)),
    reg("Split", 2, 12, |cx| split(cx, false)),
    from("Split", 13, |cx| split(cx, true)),
    from("Gather", 1, gather),
    from("Tile", 6, tile),
    from("DepthToSpace", 1, depth_to_space),
    from("SpaceToDepth", 1, space_to_depth),
    from("Trilu", 14, trilu),
];

/// numpy slicing of one axis of extent `n`: `(first index, count, step)`.
fn slice_axis(n: i64, start: i64, end: i64, step: i64) -> R<(i64, i64)> {
    if step == 0 {
        return Err("a slice step cannot be 0".into());
    }
    let norm = |v: i64| if v < 0 { v.saturating_add(n) } else { v };
    let (s, e) = (norm(start), norm(end));
    let count = if step > 0 {
        let (s, e) = (s.clamp(0, n), e.clamp(0, n));
        if e > s {
            (e - s + step - 1) / step
        } else {
            0
        }
    } else {
        let (s, e) = (s.clamp(-1, n - 1), e.clamp(-1, n - 1));
        if s > e {
            (s - e + (-step) - 1) / (-step)
        } else {
            0
        }
    };
    let first = if step > 0 { s.clamp(0, n) } else { s.clamp(-1, n - 1) };
    Ok((first, count))
}

fn slice(cx: &mut Cx, from_inputs: bool) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let dims = cx.dims(&x);
    let (starts, ends, axes, steps) = if from_inputs {
        (
            cx.const_ints(1, "`starts`")?.ok_or("`starts` is missing")?,
            cx.const_ints(2, "`ends`")?.ok_or("`ends` is missing")?,
            cx.const_ints(3, "`axes`")?,
            cx.const_ints(4, "`steps`")?,
        )
    } else {
        (cx.ints("starts").unwrap_or_default(), cx.ints("ends").unwrap_or_default(), cx.ints("axes"), None)
    };
    let axes = match axes {
        Some(a) => norm_axes(&a, dims.len())?,
        None => (0..starts.len()).collect(),
    };
    let steps = steps.unwrap_or_else(|| vec![1; starts.len()]);
    if ends.len() != starts.len() || axes.len() != starts.len() || steps.len() != starts.len() {
        return Err("starts, ends, axes and steps must have one length".into());
    }
    let mut lo = vec![0; dims.len()];
    let mut hi = dims.clone();
    let mut st = vec![1; dims.len()];
    let mut rev = Vec::new();
    for (i, &a) in axes.iter().enumerate() {
        let n = dims[a] as i64;
        let (first, count) = slice_axis(n, starts[i], ends[i], steps[i])?;
        let step = steps[i].unsigned_abs() as usize;
        let first = if steps[i] < 0 {
            rev.push(a);
            n - 1 - first
        } else {
            first
        };
        lo[a] = first.max(0) as usize;
        hi[a] = if count == 0 { lo[a] } else { lo[a] + (count as usize - 1) * step + 1 };
        st[a] = step;
    }
    let x = cx.reverse(&x, &rev)?;
    Ok(vec![cx.slice(&x, &lo, &hi, &st)?])
}

fn split(cx: &mut Cx, from_input: bool) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let dims = cx.dims(&x);
    let axis = norm_axis(cx.int("axis", 0), dims.len())?;
    let n = dims[axis];
    let sizes = if from_input { cx.const_ints(1, "`split`")? } else { cx.ints("split") };
    let sizes: Vec<usize> = match sizes {
        Some(s) if !s.is_empty() => s.iter().map(|&v| v.max(0) as usize).collect(),
        _ => {
            let parts = match cx.attr("num_outputs").and_then(|a| a.i) {
                Some(k) => k.max(1) as usize,
                None => cx.node.output.len().max(1),
            };
            let chunk = n.div_ceil(parts);
            (0..parts).map(|i| chunk.min(n.saturating_sub(i * chunk))).collect()
        }
    };
    if sizes.iter().sum::<usize>() != n {
        return Err(format!("split sizes {sizes:?} do not add up to the extent {n}"));
    }
    let mut out = Vec::new();
    let mut at = 0;
    for s in sizes {
        out.push(cx.slice_axis(&x, axis, at, at + s)?);
        at += s;
    }
    Ok(out)
}

fn gather(cx: &mut Cx) -> R<Vec<Val>> {
    let (x, idx) = (cx.input(0)?, cx.input(1)?);
    let dims = cx.dims(&x);
    let axis = norm_axis(cx.int("axis", 0), dims.len())?;
    let n = dims[axis] as f64;
    let dt = cx.dtype(&idx);
    if !dt.is_int() {
        return Err(format!("indices must be INT32 or INT64, found {dt}"));
    }
    let zero = cx.scalar(dt, 0.0);
    let neg = cx.compare("lt", &idx, &zero)?;
    let wrapped = cx.with_scalar(OpKind::Add, &idx, n)?;
    let idx = cx.select(&neg, &wrapped, &idx)?;
    let attrs = Attrs::new(OpKind::Gather).with("axis", AttrValue::Int(axis as i64));
    Ok(vec![cx.op(OpKind::Gather, &[x, idx], attrs)?])
}

fn tile(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let dims = cx.dims(&x);
    let reps = cx.const_ints(1, "`repeats`")?.ok_or("`repeats` is missing")?;
    if reps.len() != dims.len() || reps.iter().any(|&r| r < 0) {
        return Err(format!("repeats {reps:?} do not fit rank {}", dims.len()));
    }
    let mut expanded = Vec::new();
    let mut map = Vec::new();
    for (i, &d) in dims.iter().enumerate() {
        expanded.push(reps[i] as usize);
        map.push(2 * i + 1);
        expanded.push(d);
    }
    let b = cx.broadcast_in_dim(&x, &expanded, &map)?;
    let out: Vec<usize> = dims.iter().zip(&reps).map(|(&d, &r)| d * r as usize).collect();
    Ok(vec![cx.reshape(&b, &out)?])
}

fn nchw(cx: &Cx, x: &Val) -> R<[usize; 4]> {
    match cx.dims(x)[..] {
        [n, c, h, w] => Ok([n, c, h, w]),
        _ => Err(format!("expects a 4-D input, found {}", cx.ty(x))),
    }
}

fn depth_to_space(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let [n, c, h, w] = nchw(cx, &x)?;
    let b = cx.int("blocksize", 0).max(1) as usize;
    if !c.is_multiple_of(b * b) {
        return Err(format!("channels {c} are not divisible by blocksize^2 = {}", b * b));
    }
    let c2 = c / (b * b);
    let (split, perm) = if cx.string("mode", "DCR") == "CRD" {
        (vec![n, c2, b, b, h, w], [0, 1, 4, 2, 5, 3])
    } else {
        (vec![n, b, b, c2, h, w], [0, 3, 4, 1, 5, 2])
    };
    let r = cx.reshape(&x, &split)?;
    let t = cx.transpose(&r, &perm)?;
    Ok(vec![cx.reshape(&t, &[n, c2, h * b, w * b])?])
}

fn space_to_depth(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let [n, c, h, w] = nchw(cx, &x)?;
    let b = cx.int("blocksize", 0).max(1) as usize;
    if !h.is_multiple_of(b) || !w.is_multiple_of(b) {
        return Err(format!("spatial dims {h}x{w} are not divisible by blocksize {b}"));
    }
    let perm = if cx.string("mode", "DCR") == "CRD" { [0, 1, 3, 5, 2, 4] } else { [0, 3, 5, 1, 2, 4] };
    let r = cx.reshape(&x, &[n, c, h / b, b, w / b, b])?;
    let t = cx.transpose(&r, &perm)?;
    Ok(vec![cx.reshape(&t, &[n, c * b * b, h / b, w / b])?])
}

fn trilu(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let dims = cx.dims(&x);
    let r = dims.len();
    if r < 2 {
        return Err("Trilu needs a rank of at least 2".into());
    }
    let k = cx.const_ints(1, "`k`")?.and_then(|v| v.first().copied()).unwrap_or(0);
    let mat = TensorType::new(DType::I64, vec![dims[r - 2], dims[r - 1]]);
    let (i, j) = (cx.iota(mat.clone(), 0)?, cx.iota(mat, 1)?);
    let d = cx.binary(OpKind::Sub, &j, &i)?;
    let kv = cx.scalar(DType::I64, k as f64);
    let dir = if cx.int("upper", 1) == 1 { "ge" } else { "le" };
    let keep = cx.compare(dir, &d, &kv)?;
    let zero = cx.scalar(cx.dtype(&x), 0.0);
    Ok(vec![cx.select(&keep, &x, &zero)?])
}
