//! Activations, decomposed: Relu, LeakyRelu, PRelu, Elu, Selu, Celu, Sigmoid,
//! HardSigmoid, HardSwish, Gelu, Clip, Softplus, Softsign, ThresholdedRelu, Mish.

use super::elementwise::need_float;
use crate::onnx::cx::{Cx, Val, R};
use crate::onnx::registry::{from, reg, Entry};
use xlac_ir::OpKind;

/// This family's registrations.
pub(crate) const OPS: &[Entry] = &[
    from("Relu", 6, relu),
    from("LeakyRelu", 6, leaky_relu),
    from("PRelu", 7, prelu),
    from("Elu", 6, elu),
    from("Selu", 6, selu),
    from("Celu", 12, celu),
    from("Sigmoid", 6, sigmoid),
    from("HardSigmoid", 6, hard_sigmoid),
    from("HardSwish", 14, hard_swish),
    from("Gelu", 20, gelu),
    reg("Clip", 6, 10, clip_attrs),
    from("Clip", 11, clip_inputs),
    from("Softplus", 1, softplus),
    from("Softsign", 1, softsign),
    from("ThresholdedRelu", 10, thresholded_relu),
    from("Mish", 18, mish),
];

fn x_float(cx: &Cx) -> R<Val> {
    let x = cx.input(0)?;
    need_float(cx, &x)?;
    Ok(x)
}

fn relu(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    Ok(vec![cx.with_scalar(OpKind::Max, &x, 0.0)?])
}

/// `x < 0 ? neg : x`.
fn where_negative(cx: &mut Cx, x: &Val, neg: &Val) -> R<Val> {
    let zero = cx.scalar(cx.dtype(x), 0.0);
    let p = cx.compare("lt", x, &zero)?;
    cx.select(&p, neg, x)
}

fn leaky_relu(cx: &mut Cx) -> R<Vec<Val>> {
    let x = x_float(cx)?;
    let a = cx.float("alpha", 0.01) as f64;
    let ax = cx.with_scalar(OpKind::Mul, &x, a)?;
    Ok(vec![where_negative(cx, &x, &ax)?])
}

fn prelu(cx: &mut Cx) -> R<Vec<Val>> {
    let (x, slope) = (cx.input(0)?, cx.input(1)?);
    let sx = cx.binary(OpKind::Mul, &x, &slope)?;
    Ok(vec![where_negative(cx, &x, &sx)?])
}

/// `alpha * (exp(x) - 1)`.
fn expm1_scaled(cx: &mut Cx, x: &Val, alpha: f64) -> R<Val> {
    let e = cx.plain(OpKind::Exp, std::slice::from_ref(x))?;
    let e1 = cx.with_scalar(OpKind::Sub, &e, 1.0)?;
    cx.with_scalar(OpKind::Mul, &e1, alpha)
}

fn elu(cx: &mut Cx) -> R<Vec<Val>> {
    let x = x_float(cx)?;
    let neg = expm1_scaled(cx, &x, cx.float("alpha", 1.0) as f64)?;
    Ok(vec![where_negative(cx, &x, &neg)?])
}

fn selu(cx: &mut Cx) -> R<Vec<Val>> {
    let x = x_float(cx)?;
    let alpha = cx.float("alpha", 1.673_263_2) as f64;
    let gamma = cx.float("gamma", 1.050_701) as f64;
    let neg = expm1_scaled(cx, &x, alpha)?;
    let zero = cx.scalar(cx.dtype(&x), 0.0);
    let p = cx.compare("le", &x, &zero)?;
    let y = cx.select(&p, &neg, &x)?;
    Ok(vec![cx.with_scalar(OpKind::Mul, &y, gamma)?])
}

fn celu(cx: &mut Cx) -> R<Vec<Val>> {
    let x = x_float(cx)?;
    let alpha = cx.float("alpha", 1.0) as f64;
    let xa = cx.with_scalar(OpKind::Div, &x, alpha)?;
    let neg = expm1_scaled(cx, &xa, alpha)?;
    let neg = cx.with_scalar(OpKind::Min, &neg, 0.0)?;
    let pos = cx.with_scalar(OpKind::Max, &x, 0.0)?;
    Ok(vec![cx.binary(OpKind::Add, &pos, &neg)?])
}

fn sigmoid(cx: &mut Cx) -> R<Vec<Val>> {
    let x = x_float(cx)?;
    Ok(vec![cx.plain(OpKind::Logistic, &[x])?])
}

/// `max(0, min(1, alpha * x + beta))`.
fn hard_sigmoid_of(cx: &mut Cx, x: &Val, alpha: f64, beta: f64) -> R<Val> {
    let ax = cx.with_scalar(OpKind::Mul, x, alpha)?;
    let y = cx.with_scalar(OpKind::Add, &ax, beta)?;
    let y = cx.with_scalar(OpKind::Min, &y, 1.0)?;
    cx.with_scalar(OpKind::Max, &y, 0.0)
}

fn hard_sigmoid(cx: &mut Cx) -> R<Vec<Val>> {
    let x = x_float(cx)?;
    let (a, b) = (cx.float("alpha", 0.2) as f64, cx.float("beta", 0.5) as f64);
    Ok(vec![hard_sigmoid_of(cx, &x, a, b)?])
}

fn hard_swish(cx: &mut Cx) -> R<Vec<Val>> {
    let x = x_float(cx)?;
    let h = hard_sigmoid_of(cx, &x, 1.0 / 6.0, 0.5)?;
    Ok(vec![cx.binary(OpKind::Mul, &x, &h)?])
}

fn gelu(cx: &mut Cx) -> R<Vec<Val>> {
    let x = x_float(cx)?;
    let inner = match cx.string("approximate", "none").as_str() {
        "none" => {
            let s = cx.with_scalar(OpKind::Mul, &x, std::f64::consts::FRAC_1_SQRT_2)?;
            cx.plain(OpKind::Erf, &[s])?
        }
        "tanh" => {
            let x2 = cx.binary(OpKind::Mul, &x, &x)?;
            let x3 = cx.binary(OpKind::Mul, &x2, &x)?;
            let c = cx.with_scalar(OpKind::Mul, &x3, 0.044715)?;
            let s = cx.binary(OpKind::Add, &x, &c)?;
            let s = cx.with_scalar(OpKind::Mul, &s, (2.0 / std::f64::consts::PI).sqrt())?;
            cx.plain(OpKind::Tanh, &[s])?
        }
        other => return Err(format!("approximate=\"{other}\" is not one of none, tanh")),
    };
    let one_plus = cx.with_scalar(OpKind::Add, &inner, 1.0)?;
    let hx = cx.with_scalar(OpKind::Mul, &x, 0.5)?;
    Ok(vec![cx.binary(OpKind::Mul, &hx, &one_plus)?])
}

fn clip_with(cx: &mut Cx, x: Val, lo: Option<Val>, hi: Option<Val>) -> R<Vec<Val>> {
    let mut y = x;
    if let Some(lo) = lo {
        y = cx.binary(OpKind::Max, &y, &lo)?;
    }
    if let Some(hi) = hi {
        y = cx.binary(OpKind::Min, &y, &hi)?;
    }
    Ok(vec![y])
}

fn clip_attrs(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let d = cx.dtype(&x);
    let lo = cx.attr("min").and_then(|a| a.f).map(|v| cx.scalar(d, v as f64));
    let hi = cx.attr("max").and_then(|a| a.f).map(|v| cx.scalar(d, v as f64));
    clip_with(cx, x, lo, hi)
}

fn clip_inputs(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let (lo, hi) = (cx.opt(1), cx.opt(2));
    clip_with(cx, x, lo, hi)
}

/// `log(1 + exp(x))`.
fn softplus_of(cx: &mut Cx, x: &Val) -> R<Val> {
    let e = cx.plain(OpKind::Exp, std::slice::from_ref(x))?;
    cx.plain(OpKind::Log1p, &[e])
}

fn softplus(cx: &mut Cx) -> R<Vec<Val>> {
    let x = x_float(cx)?;
    Ok(vec![softplus_of(cx, &x)?])
}

fn softsign(cx: &mut Cx) -> R<Vec<Val>> {
    let x = x_float(cx)?;
    let a = cx.plain(OpKind::Abs, std::slice::from_ref(&x))?;
    let d = cx.with_scalar(OpKind::Add, &a, 1.0)?;
    Ok(vec![cx.binary(OpKind::Div, &x, &d)?])
}

fn thresholded_relu(cx: &mut Cx) -> R<Vec<Val>> {
    let x = x_float(cx)?;
    let alpha = cx.scalar(cx.dtype(&x), cx.float("alpha", 1.0) as f64);
    let zero = cx.scalar(cx.dtype(&x), 0.0);
    let p = cx.compare("gt", &x, &alpha)?;
    Ok(vec![cx.select(&p, &x, &zero)?])
}

fn mish(cx: &mut Cx) -> R<Vec<Val>> {
    let x = x_float(cx)?;
    let sp = softplus_of(cx, &x)?;
    let t = cx.plain(OpKind::Tanh, &[sp])?;
    Ok(vec![cx.binary(OpKind::Mul, &x, &t)?])
}
