//! MatMul (numpy semantics: 1-D promotion, broadcast batch dims) and Gemm, as
//! `dot_general`.

use crate::onnx::cx::{Cx, Val, R};
use crate::onnx::emit::broadcast_shape;
use crate::onnx::registry::{from, Entry};
use xlac_ir::OpKind;

/// This family's registrations.
pub(crate) const OPS: &[Entry] = &[from("MatMul", 1, matmul), from("Gemm", 7, gemm)];

/// numpy `matmul` of `a` and `b`.
pub(crate) fn matmul_of(cx: &mut Cx, a: &Val, b: &Val) -> R<Val> {
    let (mut ad, mut bd) = (cx.dims(a), cx.dims(b));
    if ad.is_empty() || bd.is_empty() {
        return Err("MatMul does not take scalars".into());
    }
    let (a_vec, b_vec) = (ad.len() == 1, bd.len() == 1);
    if a_vec {
        ad.insert(0, 1);
    }
    if b_vec {
        bd.push(1);
    }
    let a = cx.reshape(a, &ad)?;
    let b = cx.reshape(b, &bd)?;
    let (ra, rb) = (ad.len(), bd.len());
    if ad[ra - 1] != bd[rb - 2] {
        return Err(format!("MatMul: inner dimensions differ ({ad:?} x {bd:?})"));
    }
    let y = if rb == 2 {
        cx.dot(&a, &b, (&[], &[]), (&[ra - 1], &[0]))?
    } else {
        let batch = broadcast_shape(&ad[..ra - 2], &bd[..rb - 2])?;
        let nb = batch.len();
        let mut at = batch.clone();
        at.extend_from_slice(&ad[ra - 2..]);
        let mut bt = batch.clone();
        bt.extend_from_slice(&bd[rb - 2..]);
        let a = cx.broadcast_to(&a, &at)?;
        let b = cx.broadcast_to(&b, &bt)?;
        let dims: Vec<usize> = (0..nb).collect();
        cx.dot(&a, &b, (&dims, &dims), (&[nb + 1], &[nb]))?
    };
    let mut out = cx.dims(&y);
    let r = out.len();
    if b_vec {
        out.remove(r - 1);
    }
    if a_vec {
        out.remove(r - 2);
    }
    cx.reshape(&y, &out)
}

fn matmul(cx: &mut Cx) -> R<Vec<Val>> {
    let (a, b) = (cx.input(0)?, cx.input(1)?);
    Ok(vec![matmul_of(cx, &a, &b)?])
}

fn gemm(cx: &mut Cx) -> R<Vec<Val>> {
    let (a, b) = (cx.input(0)?, cx.input(1)?);
    if cx.rank(&a) != 2 || cx.rank(&b) != 2 {
        return Err("Gemm needs 2-D A and B".into());
    }
    let ca = if cx.int("transA", 0) == 1 { 0 } else { 1 };
    let cb = if cx.int("transB", 0) == 1 { 1 } else { 0 };
    let mut y = cx.dot(&a, &b, (&[], &[]), (&[ca], &[cb]))?;
    let alpha = cx.float("alpha", 1.0) as f64;
    if alpha != 1.0 {
        y = cx.with_scalar(OpKind::Mul, &y, alpha)?;
    }
    if let Some(c) = cx.opt(2) {
        let beta = cx.float("beta", 1.0) as f64;
        let c = if beta != 1.0 { cx.with_scalar(OpKind::Mul, &c, beta)? } else { c };
        y = cx.binary(OpKind::Add, &y, &c)?;
    }
    Ok(vec![y])
}
