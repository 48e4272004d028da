//! Arithmetic: unary math, binary ops with broadcasting, variadic Sum/Mean/Max/Min,
//! Cast and Identity.

use crate::onnx::cx::{Cx, Val, R};
use crate::onnx::registry::{from, Entry};
use crate::onnx::tensor::dtype_of;
use xlac_ir::{DType, OpKind};

/// This family's registrations.
pub(crate) const OPS: &[Entry] = &[
    from("Abs", 1, |cx| unary(cx, OpKind::Abs)),
    from("Neg", 1, |cx| unary(cx, OpKind::Neg)),
    from("Sign", 9, |cx| unary(cx, OpKind::Sign)),
    from("Exp", 1, |cx| float_unary(cx, OpKind::Exp)),
    from("Log", 1, |cx| float_unary(cx, OpKind::Log)),
    from("Sqrt", 1, |cx| float_unary(cx, OpKind::Sqrt)),
    from("Sin", 7, |cx| float_unary(cx, OpKind::Sin)),
    from("Cos", 7, |cx| float_unary(cx, OpKind::Cos)),
    from("Tanh", 1, |cx| float_unary(cx, OpKind::Tanh)),
    from("Erf", 9, |cx| float_unary(cx, OpKind::Erf)),
    from("Floor", 1, |cx| float_unary(cx, OpKind::Floor)),
    from("Ceil", 1, |cx| float_unary(cx, OpKind::Ceil)),
    from("Round", 11, |cx| float_unary(cx, OpKind::Round)),
    from("Reciprocal", 1, reciprocal),
    from("Tan", 7, tan),
    from("Add", 7, |cx| binary(cx, OpKind::Add)),
    from("Sub", 7, |cx| binary(cx, OpKind::Sub)),
    from("Mul", 7, |cx| binary(cx, OpKind::Mul)),
    from("Div", 7, |cx| binary(cx, OpKind::Div)),
    from("Pow", 7, pow),
    from("Mod", 10, modulo),
    from("Sum", 6, |cx| variadic(cx, OpKind::Add)),
    from("Max", 6, |cx| variadic(cx, OpKind::Max)),
    from("Min", 6, |cx| variadic(cx, OpKind::Min)),
    from("Mean", 6, mean),
    from("Cast", 6, cast),
    from("CastLike", 15, cast_like),
    from("Identity", 1, identity),
];

fn unary(cx: &mut Cx, kind: OpKind) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    Ok(vec![cx.plain(kind, &[x])?])
}

/// Checks that `x` is a float tensor (the op table's float-only ops).
pub(crate) fn need_float(cx: &Cx, x: &Val) -> R<()> {
    let t = cx.ty(x);
    if t.dtype.is_float() {
        Ok(())
    } else {
        Err(format!("this op needs a float input, found {t}"))
    }
}

fn float_unary(cx: &mut Cx, kind: OpKind) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    need_float(cx, &x)?;
    Ok(vec![cx.plain(kind, &[x])?])
}

fn reciprocal(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    Ok(vec![cx.scalar_with(OpKind::Div, 1.0, &x)?])
}

fn tan(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    need_float(cx, &x)?;
    let (s, c) = (cx.plain(OpKind::Sin, std::slice::from_ref(&x))?, cx.plain(OpKind::Cos, &[x])?);
    Ok(vec![cx.plain(OpKind::Div, &[s, c])?])
}

/// Checks that two operands have one dtype.
pub(crate) fn same_dtype(cx: &Cx, a: &Val, b: &Val) -> R<()> {
    let (x, y) = (cx.dtype(a), cx.dtype(b));
    if x == y {
        Ok(())
    } else {
        Err(format!("operands have different element types {x} and {y}"))
    }
}

fn binary(cx: &mut Cx, kind: OpKind) -> R<Vec<Val>> {
    let (a, b) = (cx.input(0)?, cx.input(1)?);
    same_dtype(cx, &a, &b)?;
    Ok(vec![cx.binary(kind, &a, &b)?])
}

/// `Pow`: the result has the base's type; mixed types compute in `f64`.
fn pow(cx: &mut Cx) -> R<Vec<Val>> {
    let (a, b) = (cx.input(0)?, cx.input(1)?);
    let (da, db) = (cx.dtype(&a), cx.dtype(&b));
    if da == db {
        return Ok(vec![cx.binary(OpKind::Pow, &a, &b)?]);
    }
    let (a64, b64) = (cx.convert(&a, DType::F64)?, cx.convert(&b, DType::F64)?);
    let p = cx.binary(OpKind::Pow, &a64, &b64)?;
    Ok(vec![cx.convert(&p, da)?])
}

/// `Mod`: `fmod=1` is C's remainder; `fmod=0` (integers) takes the divisor's sign.
fn modulo(cx: &mut Cx) -> R<Vec<Val>> {
    let (a, b) = (cx.input(0)?, cx.input(1)?);
    same_dtype(cx, &a, &b)?;
    let r = cx.binary(OpKind::Rem, &a, &b)?;
    if cx.int("fmod", 0) == 1 {
        return Ok(vec![r]);
    }
    let zero = cx.scalar(cx.dtype(&a), 0.0);
    let r_neg = cx.compare("lt", &r, &zero)?;
    let b_neg = cx.compare("lt", &b, &zero)?;
    let r_nz = cx.compare("ne", &r, &zero)?;
    let differ = cx.compare("ne", &r_neg, &b_neg)?;
    let fix = cx.binary(OpKind::And, &differ, &r_nz)?;
    let shifted = cx.binary(OpKind::Add, &r, &b)?;
    Ok(vec![cx.select(&fix, &shifted, &r)?])
}

fn variadic(cx: &mut Cx, kind: OpKind) -> R<Vec<Val>> {
    let mut acc = cx.input(0)?;
    for i in 1..cx.num_inputs() {
        let x = cx.input(i)?;
        same_dtype(cx, &acc, &x)?;
        acc = cx.binary(kind, &acc, &x)?;
    }
    Ok(vec![acc])
}

fn mean(cx: &mut Cx) -> R<Vec<Val>> {
    let n = cx.num_inputs() as f64;
    let sum = variadic(cx, OpKind::Add)?.remove(0);
    Ok(vec![cx.with_scalar(OpKind::Div, &sum, n)?])
}

fn cast(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let to = dtype_of(cx.int("to", 0) as i32)?;
    Ok(vec![cx.convert(&x, to)?])
}

fn cast_like(cx: &mut Cx) -> R<Vec<Val>> {
    let (x, like) = (cx.input(0)?, cx.input(1)?);
    let to = cx.dtype(&like);
    Ok(vec![cx.convert(&x, to)?])
}

fn identity(cx: &mut Cx) -> R<Vec<Val>> {
    Ok(vec![cx.input(0)?])
}
