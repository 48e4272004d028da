//! Softmax, LogSoftmax and Hardmax, decomposed into reductions. Before opset 13 they
//! work on the input flattened to 2-D at `axis` (default 1); from 13 on one axis
//! (default -1).

use super::elementwise::need_float;
use crate::onnx::attrs::norm_axis;
use crate::onnx::cx::{Cx, Val, R};
use crate::onnx::registry::{from, reg, Entry};
use xlac_ir::{DType, OpKind, TensorType};

/// This family's registrations.
pub(crate) const OPS: &[Entry] = &[
    reg("Softmax", 1, 12, |cx| legacy(cx, Kind::Softmax)),
    from("Softmax", 13, |cx| modern(cx, Kind::Softmax)),
    reg("LogSoftmax", 1, 12, |cx| legacy(cx, Kind::LogSoftmax)),
    from("LogSoftmax", 13, |cx| modern(cx, Kind::LogSoftmax)),
    reg("Hardmax", 1, 12, |cx| legacy(cx, Kind::Hardmax)),
    from("Hardmax", 13, |cx| modern(cx, Kind::Hardmax)),
];

#[derive(Copy, Clone)]
enum Kind {
    Softmax,
    LogSoftmax,
    Hardmax,
}

/// Softmax-like `kind` of `x` along `axis`.
fn along(cx: &mut Cx, x: &Val, axis: usize, kind: Kind) -> R<Val> {
    let m = cx.reduce("max", x, &[axis], true)?;
    if let Kind::Hardmax = kind {
        return hardmax(cx, x, &m, axis);
    }
    let d = cx.binary(OpKind::Sub, x, &m)?;
    let e = cx.plain(OpKind::Exp, std::slice::from_ref(&d))?;
    let s = cx.reduce("sum", &e, &[axis], true)?;
    match kind {
        Kind::Softmax => cx.binary(OpKind::Div, &e, &s),
        _ => {
            let l = cx.plain(OpKind::Log, &[s])?;
            cx.binary(OpKind::Sub, &d, &l)
        }
    }
}

/// One-hot of the first maximum along `axis`.
fn hardmax(cx: &mut Cx, x: &Val, m: &Val, axis: usize) -> R<Val> {
    let first = first_index_of_max(cx, x, m, axis)?;
    let ty = cx.ty(x);
    let idx = cx.iota(TensorType::new(DType::I64, ty.dims().to_vec()), axis)?;
    let hit = cx.compare("eq", &idx, &first)?;
    let (one, zero) = (cx.scalar(ty.dtype, 1.0), cx.scalar(ty.dtype, 0.0));
    cx.select(&hit, &one, &zero)
}

/// The (kept-dim) index of the first element equal to the kept-dim maximum `m`.
pub(crate) fn first_index_of_max(cx: &mut Cx, x: &Val, m: &Val, axis: usize) -> R<Val> {
    let dims = cx.dims(x);
    let eq = cx.compare("eq", x, m)?;
    let idx = cx.iota(TensorType::new(DType::I64, dims.clone()), axis)?;
    let big = cx.scalar(DType::I64, dims[axis] as f64);
    let cand = cx.select(&eq, &idx, &big)?;
    cx.reduce("min", &cand, &[axis], true)
}

fn modern(cx: &mut Cx, kind: Kind) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    need_float(cx, &x)?;
    let axis = norm_axis(cx.int("axis", -1), cx.rank(&x))?;
    Ok(vec![along(cx, &x, axis, kind)?])
}

fn legacy(cx: &mut Cx, kind: Kind) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    need_float(cx, &x)?;
    let dims = cx.dims(&x);
    let axis = norm_axis(cx.int("axis", 1), dims.len())?;
    let rows: usize = dims[..axis].iter().product();
    let cols: usize = dims[axis..].iter().product();
    let flat = cx.reshape(&x, &[rows, cols])?;
    let y = along(cx, &flat, 1, kind)?;
    Ok(vec![cx.reshape(&y, &dims)?])
}
