//! Shape manipulation: Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Expand,
//! Concat, and the shape queries Shape and Size (folded to constants).

use crate::onnx::attrs::{norm_axes, norm_axis};
use crate::onnx::cx::{Cx, Val, R};
use crate::onnx::emit::broadcast_shape;
use crate::onnx::registry::{from, reg, Entry};

/// This family's registrations.
pub(crate) const OPS: &[Entry] = &[
    from("Reshape", 5, reshape),
    from("Flatten", 1, flatten),
    reg("Squeeze", 1, 12, |cx| squeeze(cx, false)),
    from("Squeeze", 13, |cx| squeeze(cx, true)),
    reg("Unsqueeze", 1, 12, |cx| unsqueeze(cx, false)),
    from("Unsqueeze", 13, |cx| unsqueeze(cx, true)),
    from("Transpose", 1, transpose),
    from("Expand", 8, expand),
    from("Concat", 4, concat),
    from("Shape", 1, shape),
    from("Size", 1, size),
];

/// The target dims of `Reshape`: `0` copies the input extent (unless `allowzero`),
/// `-1` is inferred.
pub(crate) fn reshape_dims(input: &[usize], spec: &[i64], allow_zero: bool) -> R<Vec<usize>> {
    let total: usize = input.iter().product();
    let mut out = Vec::with_capacity(spec.len());
    let mut infer = None;
    for (i, &s) in spec.iter().enumerate() {
        out.push(match s {
            0 if !allow_zero => {
                *input.get(i).ok_or_else(|| format!("shape entry {i} is 0 but the input has rank {}", input.len()))?
            }
            -1 if infer.is_none() => {
                infer = Some(i);
                1
            }
            s if s >= 0 => s as usize,
            _ => return Err(format!("shape {spec:?} is invalid")),
        });
    }
    if let Some(i) = infer {
        let known: usize = out.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, &d)| d).product();
        if known == 0 || !total.is_multiple_of(known) {
            return Err(format!("cannot reshape {input:?} to {spec:?}"));
        }
        out[i] = total / known;
    }
    if out.iter().product::<usize>() != total {
        return Err(format!("cannot reshape {input:?} ({total} elements) to {spec:?}"));
    }
    Ok(out)
}

fn reshape(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let spec = cx.const_ints(1, "the target `shape`")?.ok_or("the target `shape` is missing")?;
    let dims = reshape_dims(&cx.dims(&x), &spec, cx.int("allowzero", 0) == 1)?;
    Ok(vec![cx.reshape(&x, &dims)?])
}

fn flatten(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let dims = cx.dims(&x);
    let r = dims.len() as i64;
    let axis = cx.int("axis", 1);
    if axis < -r || axis > r {
        return Err(format!("axis {axis} is out of range for rank {r}"));
    }
    let axis = if axis < 0 { axis + r } else { axis } as usize;
    let rows = dims[..axis].iter().product();
    let cols = dims[axis..].iter().product();
    Ok(vec![cx.reshape(&x, &[rows, cols])?])
}

fn axes_of(cx: &mut Cx, from_input: bool) -> R<Option<Vec<i64>>> {
    if from_input {
        cx.const_ints(1, "`axes`")
    } else {
        Ok(cx.ints("axes"))
    }
}

fn squeeze(cx: &mut Cx, from_input: bool) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let dims = cx.dims(&x);
    let axes = match axes_of(cx, from_input)? {
        Some(a) => norm_axes(&a, dims.len())?,
        None => (0..dims.len()).filter(|&i| dims[i] == 1).collect(),
    };
    if let Some(&a) = axes.iter().find(|&&a| dims[a] != 1) {
        return Err(format!("cannot squeeze dim {a} of extent {}", dims[a]));
    }
    let out: Vec<usize> = dims.iter().enumerate().filter(|(i, _)| !axes.contains(i)).map(|(_, &d)| d).collect();
    Ok(vec![cx.reshape(&x, &out)?])
}

fn unsqueeze(cx: &mut Cx, from_input: bool) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let dims = cx.dims(&x);
    let axes = axes_of(cx, from_input)?.ok_or("`axes` is missing")?;
    let rank = dims.len() + axes.len();
    let axes = norm_axes(&axes, rank)?;
    let mut rest = dims.iter();
    let out: Vec<usize> = (0..rank).map(|i| if axes.contains(&i) { 1 } else { *rest.next().unwrap_or(&1) }).collect();
    Ok(vec![cx.reshape(&x, &out)?])
}

fn transpose(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let r = cx.rank(&x);
    let perm = match cx.ints("perm") {
        Some(p) => norm_axes(&p, r)?,
        None => (0..r).rev().collect(),
    };
    Ok(vec![cx.transpose(&x, &perm)?])
}

fn expand(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let spec = cx.const_ints(1, "the target `shape`")?.ok_or("the target `shape` is missing")?;
    let spec: Vec<usize> = spec.iter().map(|&d| d.max(0) as usize).collect();
    let out = broadcast_shape(&cx.dims(&x), &spec)?;
    Ok(vec![cx.broadcast_to(&x, &out)?])
}

fn concat(cx: &mut Cx) -> R<Vec<Val>> {
    let xs: Vec<Val> = (0..cx.num_inputs()).map(|i| cx.input(i)).collect::<R<_>>()?;
    let first = xs.first().ok_or("Concat needs an input")?;
    let axis = norm_axis(cx.int("axis", 0), cx.rank(first))?;
    Ok(vec![cx.concat(&xs, axis)?])
}

fn shape(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let dims: Vec<i64> = cx.dims(&x).iter().map(|&d| d as i64).collect();
    let r = dims.len() as i64;
    let clampi = |v: i64| if v < 0 { (v + r).max(0) } else { v.min(r) };
    let start = clampi(cx.int("start", 0)) as usize;
    let end = clampi(cx.int("end", r)) as usize;
    let slice = if start < end { dims[start..end].to_vec() } else { Vec::new() };
    Ok(vec![cx.i64s(slice)])
}

fn size(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let n: usize = cx.dims(&x).iter().product();
    Ok(vec![cx.scalar(xlac_ir::DType::I64, n as f64)])
}
