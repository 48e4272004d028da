//! `exp`, and the functions built on its reduction: `expm1` (internal), `tanh`,
//! `logistic`.
//!
//! `exp(x) = 2^n * (1 + p(r))` with `n = round(x / ln 2)`, `r = x - n ln 2` (Cody–Waite:
//! `ln 2` in a short high part, so `n * hi` is exact, and a low part), `|r| <= ln2/2`,
//! and `p(r) = r + r^2 P(r)`, `P` a minimax fit (Remez) of `(e^r - 1 - r) / r^2`
//! weighted by `r^2 / |expm1 r|`, so `p` is also an accurate `expm1(r)`. `2^n` is built
//! from exponent bits and applied in two steps (`2^(n/2) * 2^(n - n/2)`), so overflow
//! gives `inf` and underflow rounds to a denormal or zero once. Vectors whose lanes all
//! give normal results skip the clamps and add `n` to the exponent bits instead (see
//! [`exp`]); callers that know their argument's sign or range skip what it cannot reach
//! ([`Clamp`]). Every variant gives the same bits as the general path.

use super::log::{LN2_HI32, LN2_HI64, LN2_LO32, LN2_LO64};
use super::ops::Vb;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{BlockArg, InstBuilder, Value};

/// `P` for `f32`: weighted max error 1.3e-8 on `|r| <= ln2/2`.
#[allow(clippy::excessive_precision)]
const P32: [f64; 5] =
    [0.4999999701976776, 0.1666654348373413, 0.04166720062494278, 0.008366547524929047, 0.0013882515486329794];

/// `P` for `f64`: weighted max error 2.6e-19 on `|r| <= ln2/2`.
#[allow(clippy::excessive_precision)]
const P64: [f64; 11] = [
    0.5,
    0.16666666666666677,
    0.04166666666666651,
    0.00833333333332165,
    0.0013888888888962181,
    0.0001984126988608845,
    2.4801587173204886e-05,
    2.7557244237386897e-06,
    2.75574018291875e-07,
    2.5109030865646003e-08,
    2.087565550108652e-09,
];

const LOG2E: f64 = std::f64::consts::LOG2_E;

/// The reduced pieces of `exp(x + lo)`: `exp = 2^n * (1 + p)`.
pub(crate) struct ExpParts {
    /// `n` as an integer vector.
    pub(crate) n: Value,
    /// `expm1(r)`.
    pub(crate) p: Value,
}

/// Reduces `x + lo` (`lo` a small correction, as from a double-length product) after
/// clamping `x` to the range where `exp` is neither `0` nor `inf` in every lane; NaN
/// stays NaN.
pub(crate) fn exp_parts(v: &mut Vb, x: Value, lo: Option<Value>) -> ExpParts {
    exp_parts_clamped(v, x, lo, Clamp::Both)
}

/// Which ends of `exp`'s range a caller needs clamped (those its argument can reach).
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) enum Clamp {
    /// Any argument.
    Both,
    /// Arguments `<= 0` (or NaN).
    Low,
    /// Arguments in `[-40, 0]` (or NaN).
    None,
}

/// [`exp_parts`] for an argument range known to the caller (`clamp`).
pub(crate) fn exp_parts_clamped(v: &mut Vb, x: Value, lo: Option<Value>, clamp: Clamp) -> ExpParts {
    let (lo_lim, hi_lim) = if v.is_f64() { (-746.0, 710.0) } else { (-104.0, 89.0) };
    let x = if clamp == Clamp::None { x } else { v.max_keep_nan(x, lo_lim) };
    let x = if clamp == Clamp::Both { v.min_keep_nan(x, hi_lim) } else { x };
    let l2e = v.c(LOG2E);
    let magic = v.c(1.5 * 2f64.powi(v.mant_bits() as i32));
    let t = v.mul_add(x, l2e, magic);
    let nf = v.sub(t, magic);
    let tb = v.bits(t);
    let n = v.magic_int(tb);
    let (hi, lo_c) = if v.is_f64() { (LN2_HI64, LN2_LO64) } else { (LN2_HI32, LN2_LO32) };
    let neg_n = v.neg(nf);
    let hi = v.c(hi);
    let r = v.mul_add(neg_n, hi, x);
    let lo_c = v.c(lo_c);
    let mut r = v.mul_add(neg_n, lo_c, r);
    if let Some(lo) = lo {
        r = v.add(r, lo);
    }
    let coeffs: &[f64] = if v.is_f64() { &P64 } else { &P32 };
    let q = v.poly(r, coeffs);
    let r2 = v.mul(r, r);
    let p = v.mul_add(r2, q, r);
    ExpParts { n, p }
}

/// `exp(x + lo)`.
pub(crate) fn exp_lo(v: &mut Vb, x: Value, lo: Option<Value>) -> Value {
    let ExpParts { n, p } = exp_parts(v, x, lo);
    let one = v.c(1.0);
    let m = v.add(p, one);
    v.ldexp(m, n)
}

/// `exp(x)`: `exp(-inf) = 0`, `exp(inf) = inf`, NaN gives NaN.
///
/// A vector whose lanes are all in the range where the result is a normal number
/// (`|x| < 86`, `f64`: `708`; NaN is not) takes a branch without the clamps, with
/// `2^n` applied to the exponent bits ([`exp_normal`]); the others take the general
/// path. Both give the same bits where both apply.
pub(crate) fn exp(v: &mut Vb, x: Value) -> Value {
    let lim = if v.is_f64() { 708.0 } else { 86.0 };
    let a = v.abs(x);
    let outside = v.cmpc(FloatCC::UnorderedOrGreaterThanOrEqual, a, lim);
    let any = v.fb.ins().vany_true(outside);
    let normal = v.fb.create_block();
    let general = v.fb.create_block();
    let join = v.fb.create_block();
    let r = v.fb.append_block_param(join, v.ty);
    v.fb.ins().brif(any, general, &[], normal, &[]);
    v.fb.switch_to_block(normal);
    let y = exp_normal(v, x);
    v.fb.ins().jump(join, &[BlockArg::Value(y)]);
    v.fb.switch_to_block(general);
    let y = exp_lo(v, x, None);
    v.fb.ins().jump(join, &[BlockArg::Value(y)]);
    v.fb.switch_to_block(join);
    r
}

/// `exp(x)` for `|x| < 86` (`f64`: `708`), where `2^n` and the result are normal.
fn exp_normal(v: &mut Vb, x: Value) -> Value {
    let ExpParts { n, p } = exp_parts_clamped(v, x, None, Clamp::None);
    let one = v.c(1.0);
    let m = v.add(p, one);
    v.scale_normal(m, n)
}

/// `exp(x)` for `x <= 0` or NaN: `n >= -150` (`f64`: `-1077`), so `m * 2^(n + K)` is
/// exact and normal, and the one rounding (to a denormal) is in the product with
/// `2^-K`: the same bits as the two-step [`Vb::ldexp`], in four instructions, not eight.
fn exp_nonpositive(v: &mut Vb, x: Value) -> Value {
    let ExpParts { n, p } = exp_parts_clamped(v, x, None, Clamp::Low);
    let one = v.c(1.0);
    let m = v.add(p, one);
    let k = if v.is_f64() { 600 } else { 64 };
    let s = v.pow2i_plus(n, k);
    let t = v.mul(m, s);
    let down = v.c(2f64.powi(-k as i32));
    v.mul(t, down)
}

/// `expm1(x)` for `x` in `[-40, 0]` (where `2^n` is normal and the result is exact to a
/// few ulp): `2^n * p + (2^n - 1)`.
fn expm1_neg(v: &mut Vb, x: Value) -> Value {
    let ExpParts { n, p } = exp_parts_clamped(v, x, None, Clamp::None);
    let s = v.pow2i(n);
    let one = v.c(1.0);
    let sm1 = v.sub(s, one);
    v.mul_add(s, p, sm1)
}

/// `tanh(x) = sign(x) * |u / (2 + u)|` with `u = expm1(-2|x|) <= 0`; `|x|` is clamped
/// where `tanh` rounds to 1, so no overflow; `tanh(-0) = -0`, NaN gives NaN.
pub(crate) fn tanh(v: &mut Vb, x: Value) -> Value {
    let sat = if v.is_f64() { 20.0 } else { 10.0 };
    let a = v.abs(x);
    let a = v.min_keep_nan(a, sat);
    let m2 = v.c(-2.0);
    let a2 = v.mul(a, m2);
    let u = expm1_neg(v, a2);
    let two = v.c(2.0);
    let d = v.add(u, two);
    let t = v.div(u, d);
    let t = v.abs(t);
    let s = v.sign_of(x);
    v.with_sign(t, s)
}

/// `logistic(x) = 1 / (1 + e^-x)`, computed as `e / (1 + e)` for `x < 0` with
/// `e = exp(-|x|)`, so it never overflows and keeps denormal results.
pub(crate) fn logistic(v: &mut Vb, x: Value) -> Value {
    let na = v.neg_abs(x);
    let e = exp_nonpositive(v, na);
    let one = v.c(1.0);
    let d = v.add(one, e);
    let neg = v.cmpc(FloatCC::LessThan, x, 0.0);
    let num = v.select(neg, e, one);
    v.div(num, d)
}
