//! Algebraic identities of elementwise ops.
//!
//! The exact set keeps every result bit-for-bit except for rounding-level differences
//! of the kind reassociation makes (`pow(x,3)` → `x*x*x`, `pow(x,-1)` → `1/x`). Rules
//! that change special values (NaN, infinities, the sign of zero) are in the fast-math
//! set: `x*0` → `0` is wrong for NaN and infinities, `x+0.0` → `x` for `-0.0`,
//! `pow(x,0.5)` → `sqrt(x)` for `-0.0` and `-inf`, `exp(log x)` → `x` for negatives.

use super::super::analysis::TensorGraph;
use super::super::lang::{Scalar, TensorLang as T};
use super::build::*;
use super::Rw;
use egg::{rewrite as rw, Id, Subst};

fn zero(s: Scalar) -> bool {
    s.is(0.0)
}
fn one(s: Scalar) -> bool {
    s.is(1.0)
}
fn minus_one(s: Scalar) -> bool {
    s.is(-1.0)
}
fn two(s: Scalar) -> bool {
    s.is(2.0)
}
fn three(s: Scalar) -> bool {
    s.is(3.0)
}
fn four(s: Scalar) -> bool {
    s.is(4.0)
}
fn half(s: Scalar) -> bool {
    s.is(0.5)
}
fn minus_half(s: Scalar) -> bool {
    s.is(-0.5)
}
fn is_true(s: Scalar) -> bool {
    s.as_i64() == Some(1) && s.dtype == xlac_ir::DType::Bool
}
fn is_false(s: Scalar) -> bool {
    s.as_i64() == Some(0) && s.dtype == xlac_ir::DType::Bool
}
/// `x + s == x` for every `x`: integer 0 or float `-0.0`.
fn add_identity(s: Scalar) -> bool {
    s.is_neg_zero() || (!s.dtype.is_float() && s.is(0.0))
}
/// `x - s == x` for every `x`: integer 0 or float `+0.0`.
fn sub_identity(s: Scalar) -> bool {
    s.is(0.0) && !s.is_neg_zero()
}
fn int_zero(s: Scalar) -> bool {
    !s.dtype.is_float() && s.is(0.0)
}
fn float_zero(s: Scalar) -> bool {
    s.dtype.is_float() && s.is(0.0)
}
/// A float power of two whose reciprocal is exact (both normal and finite).
fn exact_reciprocal(s: Scalar) -> bool {
    let v = s.as_f64();
    let (min, max) = if s.dtype == xlac_ir::DType::F32 {
        (f32::MIN_POSITIVE as f64, f32::MAX as f64)
    } else {
        (f64::MIN_POSITIVE, f64::MAX)
    };
    s.dtype.is_float()
        && v != 0.0
        && v.is_finite()
        && (v.abs().log2().fract() == 0.0)
        && (1.0 / v.abs()) >= min
        && v.abs() >= min
        && (1.0 / v.abs()) <= max
}
/// A float with a finite, nonzero reciprocal.
fn has_reciprocal(s: Scalar) -> bool {
    s.dtype.is_float() && s.as_f64() != 0.0 && (1.0 / s.as_f64()).is_finite() && s.as_f64().is_finite()
}

/// A constant of the matched class's type with every element `v`.
fn splat_like(eg: &mut TensorGraph, eclass: Id, v: f64) -> Option<Id> {
    let ty = class_ty(eg, eclass)?;
    Some(add_const(eg, &ty, v))
}

/// `x / c` → `x * (1/c)`.
fn times_reciprocal(eg: &mut TensorGraph, _: Id, s: &Subst) -> Option<Id> {
    let c = splat(eg, s, "?c")?;
    let ty = ty_of(eg, s, "?c")?.clone();
    let r = add_const(eg, &ty, 1.0 / c.as_f64());
    Some(eg.add(T::Mul([get(s, "?x"), r])))
}

/// `x / broadcast(y)` → `x * broadcast(1/y)`: one division per element of `y`.
fn broadcast_reciprocal(eg: &mut TensorGraph, _: Id, s: &Subst) -> Option<Id> {
    let y = get(s, "?y");
    let yty = class_ty(eg, y)?;
    let one = add_const(eg, &yty, 1.0);
    let r = eg.add(T::Div([one, y]));
    let b = eg.add(T::Broadcast([get(s, "?d"), get(s, "?t"), r]));
    Some(eg.add(T::Mul([get(s, "?x"), b])))
}

/// `compare dir x x` on integers or bools: true for eq, le, ge; false otherwise.
fn compare_self(eg: &mut TensorGraph, eclass: Id, s: &Subst) -> Option<Id> {
    let dir = sym(eg, get(s, "?d"))?;
    let v = matches!(dir.as_str(), "eq" | "le" | "ge");
    splat_like(eg, eclass, v as u8 as f64)
}

/// `1 / x` for `pow(x, -1)`.
fn reciprocal(eg: &mut TensorGraph, _: Id, s: &Subst) -> Option<Id> {
    let x = get(s, "?x");
    let ty = class_ty(eg, x)?;
    let one = add_const(eg, &ty, 1.0);
    Some(eg.add(T::Div([one, x])))
}

/// Rules that keep results exact (up to rounding-level differences).
#[rustfmt::skip]
pub fn exact() -> Vec<Rw> {
    vec![
        rw!("add-zero";        "(add ?x ?z)" => "?x" if splat_is("?z", add_identity)),
        rw!("zero-add";        "(add ?z ?x)" => "?x" if splat_is("?z", add_identity)),
        rw!("sub-zero";        "(sub ?x ?z)" => "?x" if splat_is("?z", sub_identity)),
        rw!("zero-sub";        "(sub ?z ?x)" => "(neg ?x)" if splat_is("?z", int_zero)),
        rw!("mul-one";         "(mul ?x ?o)" => "?x" if splat_is("?o", one)),
        rw!("one-mul";         "(mul ?o ?x)" => "?x" if splat_is("?o", one)),
        rw!("div-one";         "(div ?x ?o)" => "?x" if splat_is("?o", one)),
        rw!("mul-zero";        "(mul ?x ?z)" => "?z" if splat_is("?z", int_zero)),
        rw!("sub-self";        "(sub ?x ?x)" => { Build(|eg, c, _| splat_like(eg, c, 0.0)) } if is_exact("?x")),
        rw!("neg-neg";         "(neg (neg ?x))" => "?x"),
        rw!("sub-neg";         "(sub ?x (neg ?y))" => "(add ?x ?y)"),
        rw!("add-neg";         "(add ?x (neg ?y))" => "(sub ?x ?y)"),
        rw!("neg-add";         "(add (neg ?x) ?y)" => "(sub ?y ?x)"),
        rw!("neg-sub";         "(neg (sub ?x ?y))" => "(sub ?y ?x)" if is_exact("?x")),
        rw!("mul-neg-one";     "(mul ?x ?m)" => "(neg ?x)" if splat_is("?m", minus_one)),
        rw!("neg-one-mul";     "(mul ?m ?x)" => "(neg ?x)" if splat_is("?m", minus_one)),
        rw!("neg-mul-neg";     "(mul (neg ?x) (neg ?y))" => "(mul ?x ?y)"),
        rw!("mul-neg";         "(mul (neg ?x) ?y)" => "(neg (mul ?x ?y))"),
        rw!("div-neg-neg";     "(div (neg ?x) (neg ?y))" => "(div ?x ?y)" if is_float("?x")),
        rw!("div-pow2";        "(div ?x ?c)" => { Build(times_reciprocal) } if splat_is("?c", exact_reciprocal)),
        rw!("pow-one";         "(pow ?x ?c)" => "?x" if splat_is("?c", one)),
        rw!("pow-zero";        "(pow ?x ?c)" => { Build(|eg, c, _| splat_like(eg, c, 1.0)) } if splat_is("?c", zero)),
        rw!("pow-two";         "(pow ?x ?c)" => "(mul ?x ?x)" if splat_is("?c", two)),
        rw!("pow-three";       "(pow ?x ?c)" => "(mul (mul ?x ?x) ?x)" if splat_is("?c", three)),
        rw!("pow-four";        "(pow ?x ?c)" => "(mul (mul ?x ?x) (mul ?x ?x))" if splat_is("?c", four)),
        rw!("pow-neg-one";     "(pow ?x ?c)" => { Build(reciprocal) } if splat_is("?c", minus_one) if is_float("?x")),
        rw!("select-same";     "(select ?p ?x ?x)" => "?x"),
        rw!("select-not";      "(select (not ?p) ?a ?b)" => "(select ?p ?b ?a)"),
        rw!("select-true";     "(select ?p ?a ?b)" => "?a" if splat_is("?p", is_true)),
        rw!("select-false";    "(select ?p ?a ?b)" => "?b" if splat_is("?p", is_false)),
        rw!("not-not";         "(not (not ?x))" => "?x"),
        rw!("max-self";        "(max ?x ?x)" => "?x"),
        rw!("min-self";        "(min ?x ?x)" => "?x"),
        rw!("and-self";        "(and ?x ?x)" => "?x"),
        rw!("or-self";         "(or ?x ?x)" => "?x"),
        rw!("xor-self";        "(xor ?x ?x)" => { Build(|eg, c, _| splat_like(eg, c, 0.0)) }),
        rw!("abs-abs";         "(abs (abs ?x))" => "(abs ?x)"),
        rw!("abs-neg";         "(abs (neg ?x))" => "(abs ?x)"),
        rw!("floor-floor";     "(floor (floor ?x))" => "(floor ?x)"),
        rw!("ceil-ceil";       "(ceil (ceil ?x))" => "(ceil ?x)"),
        rw!("round-round";     "(round (round ?x))" => "(round ?x)"),
        rw!("floor-ceil";      "(floor (ceil ?x))" => "(ceil ?x)"),
        rw!("sign-sign";       "(sign (sign ?x))" => "(sign ?x)"),
        rw!("compare-self";    "(compare ?d ?x ?x)" => { Build(compare_self) } if is_exact("?x")),
        rw!("convert-id";      "(convert ?t ?x)" => "?x" if has_type("?x", "?t")),
    ]
}

/// Rules that change special values or rounding beyond reassociation (`--fast-math`).
#[rustfmt::skip]
pub fn fast() -> Vec<Rw> {
    vec![
        rw!("add-zero-fast";   "(add ?x ?z)" => "?x" if splat_is("?z", float_zero)),
        rw!("sub-zero-fast";   "(sub ?x ?z)" => "?x" if splat_is("?z", float_zero)),
        rw!("zero-sub-fast";   "(sub ?z ?x)" => "(neg ?x)" if splat_is("?z", float_zero)),
        rw!("mul-zero-fast";   "(mul ?x ?z)" => "?z" if splat_is("?z", float_zero)),
        rw!("sub-self-fast";   "(sub ?x ?x)" => { Build(|eg, c, _| splat_like(eg, c, 0.0)) } if is_float("?x")),
        rw!("neg-sub-fast";    "(neg (sub ?x ?y))" => "(sub ?y ?x)" if is_float("?x")),
        rw!("div-recip-fast";  "(div ?x ?c)" => { Build(times_reciprocal) } if splat_is("?c", has_reciprocal)),
        rw!("div-broadcast-recip-fast"; "(div ?x (broadcast_in_dim ?d ?t ?y))" => { Build(broadcast_reciprocal) } if is_float("?x")),
        rw!("exp-log-fast";    "(exp (log ?x))" => "?x"),
        rw!("log-exp-fast";    "(log (exp ?x))" => "?x"),
        rw!("pow-half-fast";   "(pow ?x ?c)" => "(sqrt ?x)" if splat_is("?c", half)),
        rw!("pow-neg-half-fast"; "(pow ?x ?c)" => "(rsqrt ?x)" if splat_is("?c", minus_half)),
        rw!("sqrt-sqrt-mul-fast"; "(mul (sqrt ?x) (sqrt ?x))" => "?x"),
        rw!("recip-sqrt-fast"; "(div ?o (sqrt ?x))" => "(rsqrt ?x)" if splat_is("?o", one)),
    ]
}
