//! Reference values in `f64`: std's functions (glibc: within 1 ulp of `f64`) and an
//! `erf` evaluated in double-double arithmetic.

use xlac_codegen::vmath::MathFn;

/// The reference `f(x)`.
pub fn unary(f: MathFn, x: f64) -> f64 {
    match f {
        MathFn::Exp => x.exp(),
        MathFn::Log => x.ln(),
        MathFn::Log1p => x.ln_1p(),
        MathFn::Tanh => x.tanh(),
        MathFn::Logistic => logistic(x),
        MathFn::Erf => erf(x),
        MathFn::Sin => x.sin(),
        MathFn::Cos => x.cos(),
        MathFn::Sqrt => x.sqrt(),
        MathFn::Rsqrt => 1.0 / x.sqrt(),
    }
}

/// `1 / (1 + e^-x)`, as `e^x / (1 + e^x)` for `x < 0`.
pub fn logistic(x: f64) -> f64 {
    if x < 0.0 {
        let e = x.exp();
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + (-x).exp())
    }
}

/// A double-double number `hi + lo`.
#[derive(Clone, Copy)]
struct Dd(f64, f64);

fn two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    let bb = s - a;
    Dd(s, (a - (s - bb)) + (b - bb))
}

impl Dd {
    fn add(self, o: Dd) -> Dd {
        let s = two_sum(self.0, o.0);
        let t = s.1 + self.1 + o.1;
        two_sum(s.0, t)
    }

    fn mul(self, o: Dd) -> Dd {
        let p = self.0 * o.0;
        let e = self.0.mul_add(o.0, -p) + self.0 * o.1 + self.1 * o.0;
        two_sum(p, e)
    }

    fn div_f(self, d: f64) -> Dd {
        let q = self.0 / d;
        let r = Dd(self.0, self.1).add(Dd(-q * d, -q.mul_add(d, -(q * d))));
        let q2 = r.0 / d;
        two_sum(q, q2)
    }
}

/// `erf(x)` to well below an `f64` ulp: the Taylor series in double-double for
/// `|x| < 2.5`, `1 - erfc` by a continued fraction beyond.
pub fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let a = x.abs();
    let r = if a < 2.5 { erf_series(a) } else { 1.0 - erfc_cf(a) };
    r.copysign(x)
}

/// `2/sqrt(pi)` in double-double.
const TWO_OVER_SQRT_PI: Dd = Dd(std::f64::consts::FRAC_2_SQRT_PI, 1.533545961316588e-17);

fn erf_series(a: f64) -> f64 {
    if a < 1e-300 {
        return a * TWO_OVER_SQRT_PI.0;
    }
    let x = Dd(a, 0.0);
    let x2 = x.mul(x);
    let neg_x2 = Dd(-x2.0, -x2.1);
    // term_n = (-x^2)^n / n!; sum += term_n / (2n + 1)
    let mut term = Dd(1.0, 0.0);
    let mut sum = Dd(1.0, 0.0);
    for n in 1..200 {
        term = term.mul(neg_x2).div_f(n as f64);
        let t = term.div_f((2 * n + 1) as f64);
        sum = sum.add(t);
        if t.0.abs() < 1e-40 {
            break;
        }
    }
    let r = sum.mul(x).mul(TWO_OVER_SQRT_PI);
    r.0 + r.1
}

/// `erfc(a)` for `a >= 2.5` (Lentz's continued fraction).
fn erfc_cf(a: f64) -> f64 {
    if a > 27.0 {
        return 0.0;
    }
    // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...))))
    let tiny = 1e-300;
    let mut f = a;
    let mut c = a;
    let mut d = 0.0;
    for k in 1..5000 {
        let ak = k as f64 / 2.0;
        d = a + ak * d;
        if d == 0.0 {
            d = tiny;
        }
        c = a + ak / c;
        if c == 0.0 {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-17 {
            break;
        }
    }
    let a2 = a * a;
    let a2lo = a.mul_add(a, -a2);
    (-a2).exp() * (-a2lo).exp() / std::f64::consts::PI.sqrt() / f
}

/// `erf(x)` in plain `f64` (relative error around `1e-15`, plenty for judging `f32`
/// results, and fast): `2x/sqrt(pi) e^(-x^2) sum (2x^2)^n / (1*3*...*(2n+1))`, all
/// terms positive.
pub fn erf_fast(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let a = x.abs();
    let r = if a >= 6.0 {
        1.0
    } else if a < 1e-10 {
        a * TWO_OVER_SQRT_PI.0
    } else {
        let z = 2.0 * a * a;
        let (mut term, mut sum) = (1.0f64, 1.0f64);
        let mut n = 1.0;
        while term > sum * 1e-17 {
            term *= z / (2.0 * n + 1.0);
            sum += term;
            n += 1.0;
        }
        let a2 = a * a;
        let a2lo = a.mul_add(a, -a2);
        TWO_OVER_SQRT_PI.0 * a * (-a2).exp() * (1.0 - a2lo) * sum
    };
    r.copysign(x)
}
