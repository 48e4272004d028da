//! Type rules of elementwise ops, sources and `call`.

use crate::verify::InferCx;
use crate::{DType, Literal, TensorType};

type R = Result<Vec<TensorType>, String>;

fn one(t: TensorType) -> R {
    Ok(vec![t])
}

fn check_dtype(t: &TensorType, ok: bool, what: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("operand must be {what}, found {t}"))
    }
}

fn same_types<'a>(cx: &InferCx<'a>) -> Result<&'a TensorType, String> {
    let first = &cx.operands[0];
    for (i, t) in cx.operands.iter().enumerate().skip(1) {
        if t != first {
            return Err(format!("operands must have one type: operand 0 is {first}, operand {i} is {t}"));
        }
    }
    Ok(first)
}

pub(super) fn unary_float(cx: &InferCx) -> R {
    let t = &cx.operands[0];
    check_dtype(t, t.dtype.is_float(), "a float tensor")?;
    one(t.clone())
}

pub(super) fn unary_numeric(cx: &InferCx) -> R {
    let t = &cx.operands[0];
    check_dtype(t, t.dtype.is_numeric(), "a numeric tensor")?;
    one(t.clone())
}

pub(super) fn unary_logical(cx: &InferCx) -> R {
    let t = &cx.operands[0];
    check_dtype(t, !t.dtype.is_float(), "a bool or integer tensor")?;
    one(t.clone())
}

pub(super) fn binary_numeric(cx: &InferCx) -> R {
    let t = same_types(cx)?;
    check_dtype(t, t.dtype.is_numeric(), "numeric")?;
    one(t.clone())
}

pub(super) fn binary_logical(cx: &InferCx) -> R {
    let t = same_types(cx)?;
    check_dtype(t, !t.dtype.is_float(), "bool or integer")?;
    one(t.clone())
}

pub(super) fn compare(cx: &InferCx) -> R {
    let t = same_types(cx)?;
    one(t.with_dtype(DType::Bool))
}

pub(super) fn select(cx: &InferCx) -> R {
    let [pred, a, b] = cx.operands else { unreachable!("arity checked") };
    if a != b {
        return Err(format!("on_true and on_false must have one type, found {a} and {b}"));
    }
    if pred.dtype != DType::Bool {
        return Err(format!("pred must be bool, found {pred}"));
    }
    if pred.rank() != 0 && pred.shape != a.shape {
        return Err(format!("pred must be a bool scalar or have the branches' shape {}, found {pred}", a.shape));
    }
    one(a.clone())
}

pub(super) fn clamp(cx: &InferCx) -> R {
    let [lo, x, hi] = cx.operands else { unreachable!("arity checked") };
    check_dtype(x, x.dtype.is_numeric(), "numeric")?;
    for (name, b) in [("min", lo), ("max", hi)] {
        if b.dtype != x.dtype || (b.rank() != 0 && b.shape != x.shape) {
            return Err(format!("{name} must have x's type {x} or be a {} scalar, found {b}", x.dtype));
        }
    }
    one(x.clone())
}

pub(super) fn convert(cx: &InferCx) -> R {
    let target = cx.declared_one()?;
    if target.shape != cx.operands[0].shape {
        return Err(format!("convert keeps the shape: operand is {}, declared {target}", cx.operands[0]));
    }
    one(target.clone())
}

pub(super) fn constant(cx: &InferCx) -> R {
    let ty = cx.declared_one()?;
    let lit = cx.attrs.literal("value").expect("required attribute checked");
    if lit.dtype() != ty.dtype {
        return Err(format!("literal of dtype {} does not match the declared type {ty}", lit.dtype()));
    }
    let n = ty.shape.checked_num_elements().ok_or("the declared shape has too many elements")?;
    match lit {
        Literal::Splat(d) if d.len() != 1 => Err("a splat holds exactly one element".into()),
        Literal::Dense(_) if ty.rank() == 0 => Err("a scalar constant is written as a splat, not a dense list".into()),
        Literal::Dense(d) if d.len() != n => {
            Err(format!("dense literal has {} elements, the declared type {ty} needs {n}", d.len()))
        }
        Literal::Weight { key, data } if data.shape != ty.shape => {
            Err(format!("weight \"{key}\" has shape {}, declared {ty}", data.shape))
        }
        _ => one(ty.clone()),
    }
}

pub(super) fn iota(cx: &InferCx) -> R {
    let ty = cx.declared_one()?;
    let dim = cx.attrs.int_or("dim", 0);
    if dim < 0 || dim as usize >= ty.rank() {
        return Err(format!("dim={dim} is out of range for the declared type {ty}"));
    }
    check_dtype(ty, ty.dtype.is_numeric(), "numeric (the declared type)")?;
    one(ty.clone())
}

pub(super) fn call(cx: &InferCx) -> R {
    let name = cx.attrs.func("callee").expect("required attribute checked");
    let module = cx.module.ok_or("a call needs its module to be verified")?;
    let callee = module.function(name).ok_or_else(|| format!("no function named @{name}"))?;
    let params: Vec<&TensorType> = callee.params.iter().map(|&p| &callee.values[p].ty).collect();
    if params.len() != cx.operands.len() {
        return Err(format!("@{name} takes {} arguments, {} given", params.len(), cx.operands.len()));
    }
    for (i, (p, a)) in params.iter().zip(cx.operands).enumerate() {
        if *p != a {
            return Err(format!("argument {i} of @{name} must be {p}, found {a}"));
        }
    }
    Ok(callee.result_types.clone())
}
