//! `erf`.
//!
//! `|x| < 1`: `erf(x) = x + x P(x^2)`. `|x| >= 1`: `erf(|x|) = 1 - e^(-x^2) Q(|x|)` with
//! `Q = erfcx = erfc(x) e^(x^2)` fitted with absolute-error weight `e^(-x^2)`: for `f32`
//! one polynomial in `1/|x|` on `[1, 3.93]`, for `f64` three polynomials in `|x| - c` on
//! `[1, 1.75)`, `[1.75, 3)`, `[3, 6]`, chosen per lane by selecting coefficients. `|x|`
//! is clamped where `erf` rounds to 1, the sign is restored last; NaN gives NaN. All
//! fits are minimax (Remez).

use super::exp::exp;
use super::ops::Vb;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::Value;

/// `erf(x)/x - 1` in `x^2`, `|x| <= 1` (`f32`: relative error 1.2e-9).
#[allow(clippy::excessive_precision)]
const A32: [f64; 7] = [
    0.12837910652160645,
    -0.3761262595653534,
    0.1128358542919159,
    -0.026853812858462334,
    0.005188327748328447,
    -0.0008010194869711995,
    7.853866554796696e-05,
];

/// `erfcx(x)` in `1/x`, `1 <= x <= 3.93` (`f32`: absolute error in `erf` 2.4e-9).
#[allow(clippy::excessive_precision)]
const B32: [f64; 8] = [
    0.00036189312231726944,
    0.5574514269828796,
    0.05310257151722908,
    -0.5131703019142151,
    0.5894834399223328,
    -0.36869561672210693,
    0.1287408024072647,
    -0.01969064213335514,
];

/// `erf(x)/x - 1` in `x^2`, `|x| <= 1` (`f64`: relative error 7.3e-18).
#[allow(clippy::excessive_precision)]
const A64: [f64; 12] = [
    0.1283791670955126,
    -0.3761263890318352,
    0.11283791670944184,
    -0.026866170643111306,
    0.005223977606117373,
    -0.0008548325929270216,
    0.0001205529357577078,
    -1.4924712283233458e-05,
    1.6447131368618079e-06,
    -1.6206312388386785e-07,
    1.3710975127138191e-08,
    -7.779459683833315e-10,
];

/// `erfcx(x)` in `x - c` on three pieces (`f64`: absolute error in `erf` below 4.1e-17).
#[rustfmt::skip]
#[allow(clippy::excessive_precision)]
const B64: [(f64, [f64; 15]); 3] = [
    (1.375, [0.3432958898621254, -0.18431546997466783, 0.08986211864695857, -0.0405033712233881,
        0.01708499160721994, -0.00680460310645205, 0.002576220786967294, -0.0009320855374660644,
        0.0003236506074883088, -0.00010823766068212594, 3.49669353192958e-05, -1.0929985739517515e-05,
        3.309676353172897e-06, -1.0210129417243719e-06, 3.11490940323731e-07]),
    (2.375, [0.22050569220490657, -0.08097712912220639, 0.028185010539697884, -0.009358486060255399,
        0.002979303071857818, -0.0009130565073568607, 0.0002702646468141436, -7.747939365795982e-05,
        2.1562570835927024e-05, -5.837608857381353e-06, 1.5405187261745733e-06, -3.953192070687797e-07,
        9.827384051453567e-08, -2.654246543172865e-08, 7.278950973207053e-09]),
    (4.5, [0.12248480427376587, -0.026015928630979235, 0.00541312543837688, -0.0011045761148302782,
        0.0002212664242355062, -4.355084413465699e-05, 8.429332856082075e-06, -1.6054514757060026e-06,
        3.0099652463803477e-07, -5.5713087501395504e-08, 1.0235948984686395e-08, -1.7793863454692068e-09,
        2.8632015263665433e-10, -7.07999720740534e-11, 1.6174474514568895e-11]),
];

/// Piece boundaries of `B64`.
const B64_SPLIT: [f64; 2] = [1.75, 3.0];

/// `erfcx(a)` for `1 <= a <= 6` in `f64`.
fn erfcx_f64(v: &mut Vb, a: Value) -> Value {
    let m1 = v.cmpc(FloatCC::LessThan, a, B64_SPLIT[0]);
    let m2 = v.cmpc(FloatCC::LessThan, a, B64_SPLIT[1]);
    let pick = |v: &mut Vb, k: [f64; 3]| {
        let (c0, c1, c2) = (v.c(k[0]), v.c(k[1]), v.c(k[2]));
        let t = v.select(m2, c1, c2);
        v.select(m1, c0, t)
    };
    let center = pick(v, [B64[0].0, B64[1].0, B64[2].0]);
    let u = v.sub(a, center);
    let n = B64[0].1.len();
    let mut acc = pick(v, [B64[0].1[n - 1], B64[1].1[n - 1], B64[2].1[n - 1]]);
    for i in (0..n - 1).rev() {
        let k = pick(v, [B64[0].1[i], B64[1].1[i], B64[2].1[i]]);
        acc = v.mul_add(acc, u, k);
    }
    acc
}

/// `erf(x)`: odd, `erf(+-inf) = +-1`, NaN gives NaN.
pub(crate) fn erf(v: &mut Vb, x: Value) -> Value {
    let (a_coef, sat): (&[f64], f64) = if v.is_f64() { (&A64, 5.95) } else { (&A32, 3.93) };
    let a = v.abs(x);
    let z = v.mul(a, a);
    let pa = v.poly(z, a_coef);
    let pa = v.mul_add(a, pa, a);
    let b = v.min_keep_nan(a, sat);
    let q = if v.is_f64() {
        erfcx_f64(v, b)
    } else {
        let one = v.c(1.0);
        let t = v.div(one, b);
        v.poly(t, &B32)
    };
    let bz = v.mul(b, b);
    let nbz = v.neg(bz);
    let e = exp(v, nbz);
    let one = v.c(1.0);
    let eq = v.mul(e, q);
    let pb = v.sub(one, eq);
    let small = v.cmpc(FloatCC::LessThan, a, 1.0);
    let r = v.select(small, pa, pb);
    let s = v.sign_of(x);
    v.with_sign(r, s)
}
