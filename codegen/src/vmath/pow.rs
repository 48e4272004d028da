//! `pow(x, y) = exp(y * log|x|)` with C `pow` special cases.
//!
//! `f64`: `log|x|` is computed as a double-length `hi + lo` (relative error about
//! `2^-64`): `log(1+f) = 2s + (2/3)s^3 + s^5 U(s^2)` with `s = f/(2+f)`, the first two
//! terms in double-double arithmetic, `U` a minimax fit; `y * (hi + lo)` is an exact
//! product plus correction, and `exp` takes the correction as a low part. `f32`: both
//! operands are widened to `f64`, where this is exact enough to round correctly in
//! nearly all cases.

use super::exp::exp_lo;
use super::lanes::{narrow, widen};
use super::log::{log_reduce, LN2_HI64, LN2_LO64};
use super::ops::Vb;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};

/// `U(z)`, `z = s^2`: weighted (by `z^2`) max error 7.9e-20.
#[allow(clippy::excessive_precision)]
const U64: [f64; 7] = [
    0.40000000000000385,
    0.2857142857099606,
    0.22222222364277328,
    0.18181797385443466,
    0.15386190230579172,
    0.13269222248152585,
    0.13088626998393096,
];

/// `2/3 = TWO_THIRDS_HI + TWO_THIRDS_LO`.
const TWO_THIRDS_HI: f64 = 2.0 / 3.0;
const TWO_THIRDS_LO: f64 = 3.700743415417188e-17;

/// `a * b = p + e` exactly (FMA, or Dekker's product with Veltkamp splitting).
fn two_prod(v: &mut Vb, a: Value, b: Value) -> (Value, Value) {
    let p = v.mul(a, b);
    if v.fma {
        let np = v.neg(p);
        let e = v.fb.ins().fma(a, b, np);
        return (p, e);
    }
    let (ah, al) = split(v, a);
    let (bh, bl) = split(v, b);
    let hh = v.mul(ah, bh);
    let t = v.sub(hh, p);
    let hl = v.mul(ah, bl);
    let t = v.add(t, hl);
    let lh = v.mul(al, bh);
    let t = v.add(t, lh);
    let ll = v.mul(al, bl);
    (p, v.add(t, ll))
}

/// `a = hi + lo` with `hi` of 26 significant bits.
fn split(v: &mut Vb, a: Value) -> (Value, Value) {
    let k = v.c(134217729.0);
    let c = v.mul(a, k);
    let d = v.sub(c, a);
    let hi = v.sub(c, d);
    (hi, v.sub(a, hi))
}

/// `a + b = s + e` exactly (Knuth).
fn two_sum(v: &mut Vb, a: Value, b: Value) -> (Value, Value) {
    let s = v.add(a, b);
    let bb = v.sub(s, a);
    let ab = v.sub(s, bb);
    let da = v.sub(a, ab);
    let db = v.sub(b, bb);
    (s, v.add(da, db))
}

/// `a + b = s + e` exactly when `|a| >= |b|` (Dekker).
fn fast_two_sum(v: &mut Vb, a: Value, b: Value) -> (Value, Value) {
    let s = v.add(a, b);
    let t = v.sub(s, a);
    (s, v.sub(b, t))
}

/// `log(x) = hi + lo` for finite `x > 0` (`F64X2`).
fn log_dd(v: &mut Vb, x: Value) -> (Value, Value) {
    let (kf, f) = log_reduce(v, x);
    let two = v.c(2.0);
    let d = v.add(f, two);
    let d2 = v.sub(d, two);
    let dlo = v.sub(f, d2);
    let s = v.div(f, d);
    let (ph, pl) = two_prod(v, s, d);
    let e = v.sub(f, ph);
    let e = v.sub(e, pl);
    let sdlo = v.mul(s, dlo);
    let e = v.sub(e, sdlo);
    let slo = v.div(e, d);
    // s^2 and s^3 in double-double.
    let (s2h, s2l) = two_prod(v, s, s);
    let ssl = v.mul(s, slo);
    let s2l = v.mul_add(ssl, two, s2l);
    let (s3h, s3l) = two_prod(v, s2h, s);
    let t = v.mul(s2h, slo);
    let s3l = v.mul_add(s2l, s, s3l);
    let s3l = v.add(s3l, t);
    let cth = v.c(TWO_THIRDS_HI);
    let ctl = v.c(TWO_THIRDS_LO);
    let (th, tl) = two_prod(v, s3h, cth);
    let tl = v.mul_add(s3h, ctl, tl);
    let tl = v.mul_add(s3l, cth, tl);
    let z = s2h;
    let u = v.poly(z, &U64);
    let z2 = v.mul(z, z);
    let s5 = v.mul(z2, s);
    let w = v.mul(s5, u);
    let s2 = v.add(s, s);
    let (h, l) = fast_two_sum(v, s2, th);
    let slo2 = v.add(slo, slo);
    let tail = v.add(tl, w);
    let tail = v.add(tail, slo2);
    let l = v.add(l, tail);
    // + k ln 2
    let hi = v.c(LN2_HI64);
    let lo = v.c(LN2_LO64);
    let a = v.mul(kf, hi);
    let (h2, l2) = two_sum(v, a, h);
    let klo = v.mul(kf, lo);
    let l = v.add(l, klo);
    let l = v.add(l2, l);
    fast_two_sum(v, h2, l)
}

/// `pow` on `F64X2` lanes.
fn pow_f64(v: &mut Vb, x: Value, y: Value) -> Value {
    let ax = v.abs(x);
    let (lh, ll) = log_dd(v, ax);
    // log|x| at 0, inf and NaN.
    let zero = v.cmpc(FloatCC::Equal, ax, 0.0);
    let ninf = v.c(f64::NEG_INFINITY);
    let lh = v.select(zero, ninf, lh);
    let inf = v.cmpc(FloatCC::Equal, ax, f64::INFINITY);
    let lh = v.select(inf, ax, lh);
    let nan = v.cmp(FloatCC::Unordered, ax, ax);
    let lh = v.select(nan, ax, lh);
    let (ph, pl) = two_prod(v, y, lh);
    let yl = v.mul(y, ll);
    let pl = v.add(pl, yl);
    // Far outside exp's range (and at inf/NaN) the low part is meaningless.
    let aph = v.abs(ph);
    let small = v.cmpc(FloatCC::LessThan, aph, 1000.0);
    let zero_v = v.c(0.0);
    let pl = v.select(small, pl, zero_v);
    let r = exp_lo(v, ph, Some(pl));
    // y integer / odd.
    let ay = v.abs(y);
    let two52 = v.c(2f64.powi(52));
    let t = v.add(ay, two52);
    let tr = v.sub(t, two52);
    let exact = v.cmp(FloatCC::Equal, tr, ay);
    let big = v.cmpc(FloatCC::GreaterThanOrEqual, ay, 2f64.powi(52));
    let yint = v.or(exact, big);
    let below53 = v.cmpc(FloatCC::LessThan, ay, 2f64.powi(53));
    let sel = v.select(big, ay, t);
    let sb = v.bits(sel);
    let oddbit = v.shl(sb, 63);
    let odd = v.and(oddbit, below53);
    let odd = v.and(odd, yint);
    let oddf = v.float(odd);
    let sx = v.sign_of(x);
    let sign = v.and(sx, oddf);
    let r = v.xor(r, sign);
    // Negative finite base with non-integer exponent.
    let xneg = v.cmpc(FloatCC::LessThan, x, 0.0);
    let xfin = v.cmpc(FloatCC::GreaterThan, x, f64::NEG_INFINITY);
    let bad = v.and(xneg, xfin);
    let notint = v.fb.ins().bnot(yint);
    let bad = v.and(bad, notint);
    let nanv = v.c(f64::NAN);
    let r = v.select(bad, nanv, r);
    // Results that are exactly 1.
    let x1 = v.cmpc(FloatCC::Equal, x, 1.0);
    let y0 = v.cmpc(FloatCC::Equal, y, 0.0);
    let ax1 = v.cmpc(FloatCC::Equal, ax, 1.0);
    let yinf = v.cmpc(FloatCC::Equal, ay, f64::INFINITY);
    let m1 = v.and(ax1, yinf);
    let one = v.or(x1, y0);
    let one = v.or(one, m1);
    let onev = v.c(1.0);
    v.select(one, onev, r)
}

/// `pow(x, y)` on `F32X4` (through `f64`) or `F64X2` lanes.
pub(crate) fn pow(v: &mut Vb, x: Value, y: Value) -> Value {
    if v.is_f64() {
        return pow_f64(v, x, y);
    }
    let (xl, xh) = widen(v.fb, x);
    let (yl, yh) = widen(v.fb, y);
    let mut w = v.with_ty(types::F64X2);
    let rl = pow_f64(&mut w, xl, yl);
    let rh = pow_f64(&mut w, xh, yh);
    narrow(v.fb, rl, rh)
}
