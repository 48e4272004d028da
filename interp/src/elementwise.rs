//! Elementwise ops: unary and binary math, logic, `compare`, `select`, `clamp` and
//! `convert`. Each result element depends only on the operand elements at its index.

use crate::num::{map_numeric, map_numeric2, unsupported, Num};
use crate::{erf, InterpError, OpCx};
use std::ops::{BitAnd, BitOr, BitXor, Not};
use xlac_ir::{DType, OpKind, TensorData};

type R = Result<TensorData, InterpError>;

macro_rules! float_unary_fn {
    ($name:ident, $t:ty, $erf:expr) => {
        /// The function a float unary op applies to one element, in the element's precision.
        fn $name(kind: OpKind) -> Option<fn($t) -> $t> {
            use OpKind::*;
            Some(match kind {
                Exp => |x| x.exp(),
                Log => |x| x.ln(),
                Log1p => |x| x.ln_1p(),
                Tanh => |x| x.tanh(),
                // Two forms so that exp never overflows into inf/inf.
                Logistic => |x| if x >= 0.0 { 1.0 / (1.0 + (-x).exp()) } else { x.exp() / (1.0 + x.exp()) },
                Sqrt => |x| x.sqrt(),
                Rsqrt => |x| 1.0 / x.sqrt(),
                Erf => $erf,
                Sin => |x| x.sin(),
                Cos => |x| x.cos(),
                Floor => |x| x.floor(),
                Ceil => |x| x.ceil(),
                Round => |x| x.round_ties_even(),
                _ => return None,
            })
        }
    };
}

float_unary_fn!(float_fn_f32, f32, |x| erf::erf(x as f64) as f32);
float_unary_fn!(float_fn_f64, f64, erf::erf);

/// `exp` ... `round`: unary ops on floats.
pub(crate) fn unary_float(cx: &OpCx) -> R {
    let x = &cx.operands[0].data;
    let missing = || unsupported(cx.name(), x);
    Ok(match x {
        TensorData::F32(v) => TensorData::F32(map(v, float_fn_f32(cx.kind).ok_or_else(missing)?)),
        TensorData::F64(v) => TensorData::F64(map(v, float_fn_f64(cx.kind).ok_or_else(missing)?)),
        other => return Err(unsupported(cx.name(), other)),
    })
}

fn map<T: Copy, U>(v: &[T], f: impl Fn(T) -> U) -> Vec<U> {
    v.iter().map(|&x| f(x)).collect()
}

fn zip<T: Copy, U>(a: &[T], b: &[T], f: impl Fn(T, T) -> U) -> Vec<U> {
    a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect()
}

fn numeric_unary<T: Num>(kind: OpKind, v: &[T]) -> Vec<T> {
    match kind {
        OpKind::Neg => map(v, T::neg),
        OpKind::Abs => map(v, T::abs),
        _ => map(v, T::sign),
    }
}

/// `neg`, `abs`, `sign` on numbers; `not` on bool and integers.
pub(crate) fn unary_other(cx: &OpCx) -> R {
    let x = &cx.operands[0].data;
    if cx.kind == OpKind::Not {
        return Ok(match x {
            TensorData::Bool(v) => TensorData::Bool(map(v, bool::not)),
            TensorData::I32(v) => TensorData::I32(map(v, i32::not)),
            TensorData::I64(v) => TensorData::I64(map(v, i64::not)),
            other => return Err(unsupported(cx.name(), other)),
        });
    }
    Ok(map_numeric!(cx.name(), x, v => numeric_unary(cx.kind, v)))
}

fn numeric_binary<T: Num>(kind: OpKind, a: &[T], b: &[T]) -> Vec<T> {
    let f: fn(T, T) -> T = match kind {
        OpKind::Add => T::add,
        OpKind::Sub => T::sub,
        OpKind::Mul => T::mul,
        OpKind::Div => T::div,
        OpKind::Rem => T::rem,
        OpKind::Pow => T::pow,
        OpKind::Max => T::max,
        _ => T::min,
    };
    zip(a, b, f)
}

fn logical_binary<T: Copy + BitAnd<Output = T> + BitOr<Output = T> + BitXor<Output = T>>(
    kind: OpKind,
    a: &[T],
    b: &[T],
) -> Vec<T> {
    match kind {
        OpKind::And => zip(a, b, T::bitand),
        OpKind::Or => zip(a, b, T::bitor),
        _ => zip(a, b, T::bitxor),
    }
}

/// Binary arithmetic (`add` ... `min`) and logic (`and`, `or`, `xor`).
pub(crate) fn binary(cx: &OpCx) -> R {
    let (a, b) = (&cx.operands[0].data, &cx.operands[1].data);
    if matches!(cx.kind, OpKind::And | OpKind::Or | OpKind::Xor) {
        return Ok(match (a, b) {
            (TensorData::Bool(x), TensorData::Bool(y)) => TensorData::Bool(logical_binary(cx.kind, x, y)),
            (TensorData::I32(x), TensorData::I32(y)) => TensorData::I32(logical_binary(cx.kind, x, y)),
            (TensorData::I64(x), TensorData::I64(y)) => TensorData::I64(logical_binary(cx.kind, x, y)),
            (other, _) => return Err(unsupported(cx.name(), other)),
        });
    }
    Ok(map_numeric2!(cx.name(), a, b, x, y => numeric_binary(cx.kind, x, y)))
}

fn compare_vec<T: Copy + PartialOrd>(dir: &str, a: &[T], b: &[T]) -> Vec<bool> {
    match dir {
        "eq" => zip(a, b, |x, y| x == y),
        "ne" => zip(a, b, |x, y| x != y),
        "lt" => zip(a, b, |x, y| x < y),
        "le" => zip(a, b, |x, y| x <= y),
        "gt" => zip(a, b, |x, y| x > y),
        _ => zip(a, b, |x, y| x >= y),
    }
}

/// `compare` with IEEE semantics (`PartialOrd`: NaN compares false, except `ne`);
/// bools order `false < true`.
pub(crate) fn compare(cx: &OpCx) -> R {
    let dir = cx.attrs.enum_or("dir", "eq");
    let v = match (&cx.operands[0].data, &cx.operands[1].data) {
        (TensorData::F32(x), TensorData::F32(y)) => compare_vec(dir, x, y),
        (TensorData::F64(x), TensorData::F64(y)) => compare_vec(dir, x, y),
        (TensorData::I32(x), TensorData::I32(y)) => compare_vec(dir, x, y),
        (TensorData::I64(x), TensorData::I64(y)) => compare_vec(dir, x, y),
        (TensorData::Bool(x), TensorData::Bool(y)) => compare_vec(dir, x, y),
        (a, b) => return Err(crate::num::mismatch(cx.name(), a, b)),
    };
    Ok(TensorData::Bool(v))
}

/// Element `i` of `v`, which is either a scalar (one element, broadcast) or has an
/// element for every index.
fn at<T: Copy>(v: &[T], i: usize) -> T {
    if v.len() == 1 {
        v[0]
    } else {
        v[i]
    }
}

/// `select`: `pred ? on_true : on_false`, with `pred` a scalar or of the branches' shape.
pub(crate) fn select(cx: &OpCx) -> R {
    let TensorData::Bool(pred) = &cx.operands[0].data else {
        return Err(unsupported(cx.name(), &cx.operands[0].data));
    };
    let (a, b) = (&cx.operands[1].data, &cx.operands[2].data);
    Ok(crate::num::map_any2!(cx.name(), a, b, x, y => {
        (0..x.len()).map(|i| if at(pred, i) { x[i] } else { y[i] }).collect()
    }))
}

fn clamp_vec<T: Num>(lo: &[T], x: &[T], hi: &[T]) -> Vec<T> {
    (0..x.len()).map(|i| x[i].max(at(lo, i)).min(at(hi, i))).collect()
}

/// `clamp`: `min(max(x, lo), hi)`, with the NaN-propagating max/min; `lo` and `hi` are
/// scalars or of x's shape.
pub(crate) fn clamp(cx: &OpCx) -> R {
    use TensorData::*;
    let [lo, x, hi] = [0, 1, 2].map(|i| &cx.operands[i].data);
    Ok(match (lo, x, hi) {
        (F32(l), F32(v), F32(h)) => F32(clamp_vec(l, v, h)),
        (F64(l), F64(v), F64(h)) => F64(clamp_vec(l, v, h)),
        (I32(l), I32(v), I32(h)) => I32(clamp_vec(l, v, h)),
        (I64(l), I64(v), I64(h)) => I64(clamp_vec(l, v, h)),
        _ => return Err(unsupported(cx.name(), x)),
    })
}

macro_rules! convert_to {
    ($data:expr, $variant:ident, $t:ty) => {
        TensorData::$variant(match $data {
            TensorData::F32(v) => map(v, |x| x as $t),
            TensorData::F64(v) => map(v, |x| x as $t),
            TensorData::I32(v) => map(v, |x| x as $t),
            TensorData::I64(v) => map(v, |x| x as $t),
            TensorData::Bool(v) => map(v, |x| x as u8 as $t),
        })
    };
}

/// Converts elements to `to` with Rust `as` semantics, which are the op table's: float
/// to int truncates toward zero and saturates (NaN gives 0), int to float rounds to
/// nearest, int to narrower int wraps (keeps the low bits), bool gives 0/1, and
/// anything to bool is `x != 0` (NaN gives true).
pub(crate) fn convert(data: &TensorData, to: DType) -> TensorData {
    match to {
        DType::F32 => convert_to!(data, F32, f32),
        DType::F64 => convert_to!(data, F64, f64),
        DType::I32 => convert_to!(data, I32, i32),
        DType::I64 => convert_to!(data, I64, i64),
        DType::Bool => TensorData::Bool(match data {
            TensorData::F32(v) => map(v, |x| x != 0.0),
            TensorData::F64(v) => map(v, |x| x != 0.0),
            TensorData::I32(v) => map(v, |x| x != 0),
            TensorData::I64(v) => map(v, |x| x != 0),
            TensorData::Bool(v) => v.clone(),
        }),
    }
}
