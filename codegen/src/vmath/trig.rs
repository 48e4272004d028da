//! `sin` and `cos`.
//!
//! Reduction: `j = round(x * 2/pi)`, `r = x - j*C1 - j*C2 - j*C3` with `pi/2 = C1 + C2 +
//! C3` (26 + 26 + 53 bits; `j*C1` and `j*C2` are exact for `|j| < 2^27`), always in
//! `f64` (an `f32` input is widened, exactly), so for `f32` the reduced argument is
//! accurate to far below an `f32` ulp. Then `sin r = r + r^3 S(r^2)` and
//! `cos r = 1 - r^2/2 + r^4 C(r^2)` (minimax fits on `|r| <= pi/4`), and the quadrant
//! `j mod 4` picks `+-sin r` or `+-cos r`.
//!
//! Range: accurate (see `vmath::MathFn`) for `|x| < 2^27 * pi/2 ~ 2.1e8`; beyond, `j*C1`
//! is no longer exact and the error grows with `|x|`; from `|x| ~ 2^51` on the result
//! is meaningless, though always finite and in `[-1, 1]` (the reduced argument is
//! clamped). `sin/cos(+-inf)` and NaN give NaN. No Payne–Hanek reduction.

use super::lanes::{narrow, narrow_int, widen};
use super::ops::Vb;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, Value};

const PIO2_1: f64 = 1.5707963109016418;
const PIO2_2: f64 = 1.5893254712295857e-08;
const PIO2_3: f64 = 6.123233995736766e-17;

/// `S`, `C` for `f32` (relative max error 6.4e-9, 2.8e-10).
#[allow(clippy::excessive_precision)]
const S32: [f64; 3] = [-0.16666653752326965, 0.008332076482474804, -0.0001950061705429107];
#[allow(clippy::excessive_precision)]
const C32: [f64; 3] = [0.041666653007268906, -0.0013887629611417651, 2.4460481654386967e-05];

/// `S`, `C` for `f64` (relative max error 6.5e-18, 2.1e-19).
#[allow(clippy::excessive_precision)]
const S64: [f64; 6] = [
    -0.1666666666666664,
    0.00833333333332318,
    -0.00019841269829702778,
    2.755731348686034e-06,
    -2.5050707606277163e-08,
    1.5893108332073724e-10,
];
#[allow(clippy::excessive_precision)]
const C64: [f64; 6] = [
    0.04166666666666665,
    -0.0013888888888882538,
    2.4801587294351702e-05,
    -2.7557315635381984e-07,
    2.0875880867464916e-09,
    -1.1366979385963958e-11,
];

/// `(r, t)` on `F64X2`: the reduced argument and raw bits whose low bits hold `j`.
fn reduce(v: &mut Vb, x: Value) -> (Value, Value) {
    let tp = v.c(std::f64::consts::FRAC_2_PI);
    let magic = v.c(1.5 * 2f64.powi(52));
    let t = v.mul_add(x, tp, magic);
    let j = v.sub(t, magic);
    let nj = v.neg(j);
    let mut r = x;
    for c in [PIO2_1, PIO2_2, PIO2_3] {
        let cv = v.c(c);
        r = v.mul_add(nj, cv, r);
    }
    (r, v.bits(t))
}

/// `sin` (`cos = false`) or `cos` of `r + j pi/2`, `q` holding `j` in its low bits.
fn eval(v: &mut Vb, r: Value, q: Value, cos: bool) -> Value {
    let r = v.min_keep_nan(r, 0.8);
    let r = v.max_keep_nan(r, -0.8);
    let (sc, cc): (&[f64], &[f64]) = if v.is_f64() { (&S64, &C64) } else { (&S32, &C32) };
    let z = v.mul(r, r);
    let sp = v.poly(z, sc);
    let rz = v.mul(r, z);
    let s = v.mul_add(rz, sp, r);
    let cp = v.poly(z, cc);
    let half = v.c(0.5);
    let hz = v.mul(z, half);
    let one = v.c(1.0);
    let w = v.sub(one, hz);
    let e = v.sub(one, w);
    let e = v.sub(e, hz);
    let z2 = v.mul(z, z);
    let e = v.mul_add(z2, cp, e);
    let c = v.add(w, e);
    let q = if cos {
        let one_i = v.ci(1);
        v.iadd(q, one_i)
    } else {
        q
    };
    let lane_bits = if v.is_f64() { 64 } else { 32 };
    let odd = v.shl(q, lane_bits - 1);
    let swap = v.sshr(odd, lane_bits - 1);
    let res = v.select(swap, c, s);
    let sign = v.shl(q, lane_bits - 2);
    let sign = v.float(sign);
    let neg0 = v.c(-0.0);
    let sign = v.and(sign, neg0);
    v.xor(res, sign)
}

/// `sin(x)` (`cos = false`) or `cos(x)`.
pub(crate) fn sin_cos(v: &mut Vb, x: Value, cos: bool) -> Value {
    if v.is_f64() {
        let (r, q) = reduce(v, x);
        let res = eval(v, r, q, cos);
        return keep_zero(v, x, res, cos);
    }
    let (xl, xh) = widen(v.fb, x);
    let mut w = v.with_ty(types::F64X2);
    let (rl, ql) = reduce(&mut w, xl);
    let (rh, qh) = reduce(&mut w, xh);
    let r = narrow(v.fb, rl, rh);
    let q = narrow_int(v.fb, ql, qh);
    let res = eval(v, r, q, cos);
    keep_zero(v, x, res, cos)
}

/// `sin(+-0) = +-0` (the polynomial would give `+0` for `-0`).
fn keep_zero(v: &mut Vb, x: Value, res: Value, cos: bool) -> Value {
    if cos {
        return res;
    }
    let z = v.cmpc(FloatCC::Equal, x, 0.0);
    v.select(z, x, res)
}
