//! Pooling as `reduce_window`: MaxPool, AveragePool (dividing by a constant count of
//! the elements each window covers), LpPool, GlobalAveragePool, GlobalMaxPool.

use super::conv::{window, Window};
use crate::onnx::cx::{Cx, Val, R};
use crate::onnx::registry::{from, Entry};
use xlac_ir::ops::window_output_extent;
use xlac_ir::{AttrValue, Attrs, OpKind, Tensor, TensorData};

/// This family's registrations.
pub(crate) const OPS: &[Entry] = &[
    from("MaxPool", 1, max_pool),
    from("AveragePool", 1, average_pool),
    from("LpPool", 2, lp_pool),
    from("GlobalAveragePool", 1, |cx| global(cx, "mean")),
    from("GlobalMaxPool", 1, |cx| global(cx, "max")),
];

/// The extra high padding `ceil_mode` needs so that the last (partial) window, which
/// must start inside the input or its low padding, is computed.
fn ceil_extra(w: &Window, input: &[usize]) -> Vec<i64> {
    (0..input.len())
        .map(|i| {
            let (lo, hi) = w.pads[i];
            let span = ((w.kernel[i] - 1) * w.dilations[i] + 1) as i64;
            let padded = input[i] as i64 + lo + hi;
            let s = w.strides[i] as i64;
            if padded < span {
                return 0;
            }
            let mut out = (padded - span + s - 1) / s + 1;
            if (out - 1) * s >= input[i] as i64 + lo {
                out -= 1;
            }
            ((out - 1) * s + span - padded).max(0)
        })
        .collect()
}

/// `reduce_window` of `kind` over the spatial dims with window `w` and extra high
/// padding `extra`.
fn pool(cx: &mut Cx, x: &Val, kind: &'static str, w: &Window, extra: &[i64]) -> R<Val> {
    let ones = |v: &[usize]| -> Vec<i64> { [1, 1].into_iter().chain(v.iter().map(|&x| x as i64)).collect() };
    let mut padding = vec![(0, 0), (0, 0)];
    padding.extend(w.pads.iter().zip(extra).map(|(&(lo, hi), &e)| (lo, hi + e)));
    let attrs = Attrs::new(OpKind::ReduceWindow)
        .with("kind", AttrValue::Enum(kind))
        .with("window", AttrValue::Ints(ones(&w.kernel)))
        .with("strides", AttrValue::Ints(ones(&w.strides)))
        .with("padding", AttrValue::IntPairs(padding))
        .with("dilation", AttrValue::Ints(ones(&w.dilations)));
    cx.op(OpKind::ReduceWindow, std::slice::from_ref(x), attrs)
}

fn setup(cx: &Cx, x: &Val) -> R<(Window, Vec<i64>)> {
    let dims = cx.dims(x);
    if dims.len() < 3 {
        return Err(format!("pooling needs a rank of at least 3, found {}", cx.ty(x)));
    }
    let w = window(cx, &dims[2..], None)?;
    let extra = if cx.int("ceil_mode", 0) == 1 { ceil_extra(&w, &dims[2..]) } else { vec![0; dims.len() - 2] };
    Ok((w, extra))
}

fn max_pool(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let (w, extra) = setup(cx, &x)?;
    if cx.node.output.get(1).is_some_and(|o| !o.is_empty()) {
        return max_pool_with_indices(cx, &x, &w, &extra);
    }
    Ok(vec![pool(cx, &x, "max", &w, &extra)?])
}

/// The flat index of every element of a tensor of extents `dims` (row-major, or with
/// the spatial dims column-major for `storage_order=1`).
fn flat_indices(dims: &[usize], column_major: bool) -> Vec<i64> {
    let mut order: Vec<usize> = (0..dims.len()).collect();
    if column_major {
        order[2..].reverse();
    }
    let mut stride = vec![0i64; dims.len()];
    let mut acc = 1i64;
    for &d in order.iter().rev() {
        stride[d] = acc;
        acc *= dims[d] as i64;
    }
    let n: usize = dims.iter().product();
    (0..n)
        .map(|mut i| {
            let mut flat = 0;
            for d in (0..dims.len()).rev() {
                flat += (i % dims[d]) as i64 * stride[d];
                i /= dims[d];
            }
            flat
        })
        .collect()
}

/// MaxPool with its `Indices` output: a running maximum over the window taps, each a
/// strided slice of the padded input, carrying the (constant) flat index of each tap.
fn max_pool_with_indices(cx: &mut Cx, x: &Val, w: &Window, extra: &[i64]) -> R<Vec<Val>> {
    let dims = cx.dims(x);
    let n = dims.len() - 2;
    let idx = flat_indices(&dims, cx.int("storage_order", 0) == 1);
    let idx = cx.constant_val(Tensor::new(dims.clone(), TensorData::I64(idx)).expect("indices"));
    let lo: Vec<i64> = [0, 0].into_iter().chain(w.pads.iter().map(|p| p.0)).collect();
    let hi: Vec<i64> = [0, 0].into_iter().chain(w.pads.iter().zip(extra).map(|(p, e)| p.1 + e)).collect();
    let ninf = cx.scalar(cx.dtype(x), f64::NEG_INFINITY);
    let px = cx.pad(x, &lo, &hi, &ninf)?;
    let minus = cx.scalar(xlac_ir::DType::I64, -1.0);
    let pidx = cx.pad(&idx, &lo, &hi, &minus)?;
    let mut out = dims.clone();
    for i in 0..n {
        let (lo, hi) = w.pads[i];
        out[i + 2] = window_output_extent(dims[i + 2], lo, hi + extra[i], w.kernel[i], w.strides[i], 1, w.dilations[i]);
    }
    let taps: usize = w.kernel.iter().product();
    let mut best: Option<(Val, Val)> = None;
    for t in 0..taps {
        let (mut rest, mut start, mut limit, mut strides) = (t, vec![0; n + 2], out.clone(), vec![1; n + 2]);
        for i in (0..n).rev() {
            let k = rest % w.kernel[i];
            rest /= w.kernel[i];
            start[i + 2] = k * w.dilations[i];
            limit[i + 2] = start[i + 2] + out[i + 2].saturating_sub(1) * w.strides[i] + 1;
            strides[i + 2] = w.strides[i];
        }
        limit[0] = dims[0];
        limit[1] = dims[1];
        let v = cx.slice(&px, &start, &limit, &strides)?;
        let i = cx.slice(&pidx, &start, &limit, &strides)?;
        best = Some(match best {
            None => (v, i),
            Some((bv, bi)) => {
                let gt = cx.compare("gt", &v, &bv)?;
                (cx.select(&gt, &v, &bv)?, cx.select(&gt, &i, &bi)?)
            }
        });
    }
    let (v, i) = best.ok_or("MaxPool needs a nonempty kernel")?;
    Ok(vec![v, i])
}

fn average_pool(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let (w, extra) = setup(cx, &x)?;
    let sum = pool(cx, &x, "sum", &w, &extra)?;
    let dims = cx.dims(&x);
    let dt = cx.dtype(&x);
    // The count of each window: pool a [1,1,spatial...] tensor of ones; explicit padding
    // counts when count_include_pad=1, the ceil_mode extra never does.
    let mut shape = vec![1, 1];
    shape.extend_from_slice(&dims[2..]);
    let n: usize = shape.iter().product();
    let one = cx.constant_val(Tensor::new(shape, TensorData::F64(vec![1.0; n])).expect("count"));
    let one = cx.convert(&one, dt)?;
    let count = if cx.int("count_include_pad", 0) == 1 {
        let (lo, hi): (Vec<i64>, Vec<i64>) = w.pads.iter().copied().unzip();
        let (lo, hi) = ([vec![0, 0], lo].concat(), [vec![0, 0], hi].concat());
        let v = cx.scalar(dt, 1.0);
        let padded = cx.pad(&one, &lo, &hi, &v)?;
        let inner = Window { pads: vec![(0, 0); w.pads.len()], ..w };
        pool(cx, &padded, "sum", &inner, &extra)?
    } else {
        pool(cx, &one, "sum", &w, &extra)?
    };
    Ok(vec![cx.binary(OpKind::Div, &sum, &count)?])
}

fn lp_pool(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let p = cx.int("p", 2) as f64;
    let (w, extra) = setup(cx, &x)?;
    let a = cx.plain(OpKind::Abs, std::slice::from_ref(&x))?;
    let ap = cx.with_scalar(OpKind::Pow, &a, p)?;
    let s = pool(cx, &ap, "sum", &w, &extra)?;
    Ok(vec![cx.with_scalar(OpKind::Pow, &s, 1.0 / p)?])
}

fn global(cx: &mut Cx, kind: &str) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let dims = cx.dims(&x);
    let axes: Vec<usize> = (2..dims.len()).collect();
    let y = if kind == "max" {
        cx.reduce("max", &x, &axes, true)?
    } else {
        let s = cx.reduce("sum", &x, &axes, true)?;
        let n: usize = dims[2..].iter().product();
        cx.with_scalar(OpKind::Div, &s, n as f64)?
    };
    Ok(vec![y])
}
