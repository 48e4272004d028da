//! `log` and `log1p`.
//!
//! `x = 2^k * m` with `m` in `[sqrt(1/2), sqrt(2))` (denormals are scaled up first),
//! `f = m - 1` (exact), `s = f / (2 + f)`, and
//! `log(1 + f) = f - (f^2/2 - s (f^2/2 + R))` with `R = s^2 T(s^2)`, `T` a minimax fit
//! (Remez) of `(2 atanh(s)/s - 2) / s^2` on `s^2 <= 0.0295` (the fdlibm arrangement: the
//! rounding error of `s` only touches the small term).

use super::ops::Vb;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::Value;

/// `T` for `f32`: weighted max error 2.8e-9.
#[allow(clippy::excessive_precision)]
const T32: [f64; 3] = [0.6666677594184875, 0.39976033568382263, 0.29926854372024536];

/// `T` for `f64`: weighted max error 4.6e-18.
#[allow(clippy::excessive_precision)]
pub(crate) const T64: [f64; 7] = [
    0.666666666666671,
    0.3999999999951718,
    0.28571428730011333,
    0.22222199005393076,
    0.1818357643089106,
    0.15313030178560308,
    0.14811936241135093,
];

/// `ln 2 = HI + LO`; `HI` has 9 significant bits (f32) or 32 (f64), so `k * HI` is exact.
pub(crate) const LN2_HI32: f64 = 0.693359375;
pub(crate) const LN2_LO32: f64 = -0.00021219444005469057;
pub(crate) const LN2_HI64: f64 = 0.6931471803691238;
pub(crate) const LN2_LO64: f64 = 1.9082149292705877e-10;

/// `x = 2^k * (1 + f)` for finite `x > 0`: returns `(k as float, f)`, `1 + f` in
/// `[sqrt(1/2), sqrt(2))`.
pub(crate) fn log_reduce(v: &mut Vb, x: Value) -> (Value, Value) {
    let (min_normal, up, sqrt_half) = if v.is_f64() {
        (f64::MIN_POSITIVE, 54i64, std::f64::consts::FRAC_1_SQRT_2.to_bits() as i64)
    } else {
        (f32::MIN_POSITIVE as f64, 25, (std::f32::consts::FRAC_1_SQRT_2).to_bits() as i64)
    };
    let den = v.cmpc(FloatCC::LessThan, x, min_normal);
    let scale = v.c(2f64.powi(up as i32));
    let xs = v.mul(x, scale);
    let x = v.select(den, xs, x);
    let bits = v.bits(x);
    let c = v.ci(sqrt_half);
    let ix = v.isub(bits, c);
    let k = v.sshr(ix, v.mant_bits());
    let upv = v.ci(up);
    let zero = v.ci(0);
    let adj = v.select(den, upv, zero);
    let k = v.isub(k, adj);
    let mask = v.ci((1i64 << v.mant_bits()) - 1);
    let mb = v.and(ix, mask);
    let mb = v.iadd(mb, c);
    let m = v.float(mb);
    let one = v.c(1.0);
    let f = v.sub(m, one);
    (int_to_float(v, k), f)
}

/// A small integer vector (`|k| < 2^20`) converted to float, via the magic-number trick
/// (no `i64x2` conversion instruction is needed).
pub(crate) fn int_to_float(v: &mut Vb, k: Value) -> Value {
    let magic = 1.5 * 2f64.powi(v.mant_bits() as i32);
    let mbits = v.ci(if v.is_f64() { magic.to_bits() as i64 } else { (magic as f32).to_bits() as i64 });
    let t = v.iadd(k, mbits);
    let t = v.float(t);
    let m = v.c(magic);
    v.sub(t, m)
}

/// `log(x)` for finite `x > 0`, before the special cases.
fn log_body(v: &mut Vb, x: Value) -> Value {
    let (kf, f) = log_reduce(v, x);
    let two = v.c(2.0);
    let d = v.add(f, two);
    let s = v.div(f, d);
    let z = v.mul(s, s);
    let t: &[f64] = if v.is_f64() { &T64 } else { &T32 };
    let tz = v.poly(z, t);
    let r = v.mul(z, tz);
    let half = v.c(0.5);
    let hf = v.mul(f, half);
    let hfsq = v.mul(hf, f);
    let hr = v.add(hfsq, r);
    let (hi, lo) = if v.is_f64() { (LN2_HI64, LN2_LO64) } else { (LN2_HI32, LN2_LO32) };
    let lo = v.c(lo);
    let klo = v.mul(kf, lo);
    let a = v.mul_add(s, hr, klo);
    let b = v.sub(hfsq, a);
    let c = v.sub(b, f);
    let hi = v.c(hi);
    let khi = v.mul(kf, hi);
    v.sub(khi, c)
}

/// Replaces `body` by `log`'s special values of `x`: `-inf` at `+-0`, `inf` at `inf`,
/// NaN below zero or at NaN.
fn log_specials(v: &mut Vb, x: Value, body: Value) -> Value {
    let zero = v.cmpc(FloatCC::Equal, x, 0.0);
    let ninf = v.c(f64::NEG_INFINITY);
    let r = v.select(zero, ninf, body);
    let inf = v.cmpc(FloatCC::Equal, x, f64::INFINITY);
    let r = v.select(inf, x, r);
    let bad = v.cmpc(FloatCC::UnorderedOrLessThan, x, 0.0);
    let nan = v.c(f64::NAN);
    v.select(bad, nan, r)
}

/// `log(x)`: `log(+-0) = -inf`, `log(inf) = inf`, NaN for `x < 0` and NaN.
pub(crate) fn log(v: &mut Vb, x: Value) -> Value {
    let body = log_body(v, x);
    log_specials(v, x, body)
}

/// `log1p(x) = log(u) + (x - (u - 1)) / u` with `u = 1 + x`: the second term corrects
/// for the rounding of `u`. `log1p(+-0) = +-0`, `log1p(-1) = -inf`, NaN below -1.
pub(crate) fn log1p(v: &mut Vb, x: Value) -> Value {
    let one = v.c(1.0);
    let u = v.add(x, one);
    let um1 = v.sub(u, one);
    let c = v.sub(x, um1);
    let cu = v.div(c, u);
    let body = log_body(v, u);
    let body = v.add(body, cu);
    let r = log_specials(v, u, body);
    let zero = v.cmpc(FloatCC::Equal, x, 0.0);
    v.select(zero, x, r)
}
