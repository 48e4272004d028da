//! Logic and comparisons: And/Or/Xor/Not, Equal/Less/Greater(/OrEqual), Where, IsNaN,
//! IsInf.

use super::elementwise::same_dtype;
use crate::onnx::cx::{Cx, Val, R};
use crate::onnx::registry::{from, Entry};
use xlac_ir::OpKind;

/// This family's registrations.
pub(crate) const OPS: &[Entry] = &[
    from("And", 7, |cx| logic(cx, OpKind::And)),
    from("Or", 7, |cx| logic(cx, OpKind::Or)),
    from("Xor", 7, |cx| logic(cx, OpKind::Xor)),
    from("Not", 1, not),
    from("Equal", 7, |cx| compare(cx, "eq")),
    from("Less", 7, |cx| compare(cx, "lt")),
    from("Greater", 7, |cx| compare(cx, "gt")),
    from("LessOrEqual", 12, |cx| compare(cx, "le")),
    from("GreaterOrEqual", 12, |cx| compare(cx, "ge")),
    from("Where", 9, where_op),
    from("IsNaN", 9, is_nan),
    from("IsInf", 10, is_inf),
];

fn logic(cx: &mut Cx, kind: OpKind) -> R<Vec<Val>> {
    let (a, b) = (cx.input(0)?, cx.input(1)?);
    same_dtype(cx, &a, &b)?;
    Ok(vec![cx.binary(kind, &a, &b)?])
}

fn not(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    Ok(vec![cx.plain(OpKind::Not, &[x])?])
}

fn compare(cx: &mut Cx, dir: &'static str) -> R<Vec<Val>> {
    let (a, b) = (cx.input(0)?, cx.input(1)?);
    same_dtype(cx, &a, &b)?;
    Ok(vec![cx.compare(dir, &a, &b)?])
}

fn where_op(cx: &mut Cx) -> R<Vec<Val>> {
    let (c, a, b) = (cx.input(0)?, cx.input(1)?, cx.input(2)?);
    same_dtype(cx, &a, &b)?;
    Ok(vec![cx.select(&c, &a, &b)?])
}

fn is_nan(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    Ok(vec![cx.compare("ne", &x, &x)?])
}

fn is_inf(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let (pos, neg) = (cx.int("detect_positive", 1) == 1, cx.int("detect_negative", 1) == 1);
    let inf = cx.scalar(cx.dtype(&x), f64::INFINITY);
    let ninf = cx.scalar(cx.dtype(&x), f64::NEG_INFINITY);
    let p = cx.compare("eq", &x, &inf)?;
    let n = cx.compare("eq", &x, &ninf)?;
    Ok(vec![match (pos, neg) {
        (true, true) => cx.binary(OpKind::Or, &p, &n)?,
        (true, false) => p,
        (false, true) => n,
        (false, false) => {
            let f = cx.scalar(xlac_ir::DType::Bool, 0.0);
            let dims = cx.dims(&x);
            cx.broadcast_to(&f, &dims)?
        }
    }])
}
