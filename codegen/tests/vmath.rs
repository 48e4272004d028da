//! Accuracy of `vmath`: JIT-compiled kernels over a strided sweep of all `f32` bit
//! patterns plus special values, and a sample of `f64` inputs, against `f64` (and
//! double-double) references, with per-function ulp bounds asserted.

mod vmath_support;

use cranelift_codegen::ir::types;
use vmath_support::reference::unary;
use vmath_support::*;
use xlac_codegen::vmath::MathFn;

/// `(function, max f32 ulp, max f64 ulp)`: the asserted bounds (the measured maxima plus
/// a little slack; `f64` errors are whole ulps against an `f64` reference that is itself
/// within an ulp). The full `f32` sweep's figures are in `vmath::MathFn`'s docs.
const BOUNDS: [(MathFn, f64, f64); 10] = [
    (MathFn::Exp, 1.5, 2.0),
    (MathFn::Log, 1.0, 2.0),
    (MathFn::Log1p, 1.5, 2.0),
    (MathFn::Tanh, 3.0, 4.0),
    (MathFn::Logistic, 3.0, 3.0),
    (MathFn::Erf, 2.0, 2.0),
    (MathFn::Sin, 2.0, 2.0),
    (MathFn::Cos, 2.0, 2.0),
    (MathFn::Sqrt, 0.5, 0.5),
    (MathFn::Rsqrt, 0.5, 1.0),
];

/// `sin`/`cos` are asserted accurate below this `|x|`; beyond, finite and in `[-1, 1]`.
const TRIG_LIMIT_F32: f64 = 2.1e8;
const TRIG_LIMIT_F64: f64 = 2.1e8;

/// Every `STRIDE`th `f32` bit pattern (a prime, so all exponents and many mantissa
/// patterns are hit) plus special values.
const STRIDE: u32 = 4099;

fn special_f32() -> Vec<f32> {
    let mut v = vec![
        0.0,
        f32::INFINITY,
        f32::NAN,
        f32::MIN_POSITIVE,
        f32::MAX,
        f32::from_bits(1),
        f32::from_bits(0x007f_ffff),
        f32::EPSILON,
        1.0,
        0.5,
        2.0,
        88.72283,
        88.72284,
        88.7,
        89.0,
        87.33654,
        103.27893,
        103.97208,
        104.0,
        150.0,
        9.0,
        9.02,
        3.92,
        3.93,
        0.625,
        1e-4,
        1e-8,
        1.0000001,
        0.99999994,
        std::f32::consts::PI,
        std::f32::consts::FRAC_PI_2,
        std::f32::consts::FRAC_PI_4,
        1e6,
        1e8,
        2.0e8,
        1e9,
        1e30,
    ];
    for k in 1..=40 {
        v.push(k as f32 * 0.5);
        v.push(k as f32 * std::f32::consts::FRAC_PI_2);
    }
    let neg: Vec<f32> = v.iter().map(|x| -x).collect();
    v.extend(neg);
    v
}

fn f32_inputs() -> Vec<f32> {
    let mut v = special_f32();
    let mut b = 0u32;
    loop {
        v.push(f32::from_bits(b));
        match b.checked_add(STRIDE) {
            Some(n) => b = n,
            None => break,
        }
    }
    v
}

/// The `f64` sample: the `f32` sweep widened with random low bits, plus a strided
/// sweep of all `f64` bit patterns.
fn f64_inputs() -> Vec<f64> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut v: Vec<f64> = special_f32().iter().map(|&x| x as f64).collect();
    v.extend([f64::MIN_POSITIVE, f64::MAX, f64::from_bits(1), 709.782712893384, 709.79, -708.3964, -745.1332, -744.44]);
    for b in (0..u32::MAX).step_by(STRIDE as usize * 4) {
        let x = f32::from_bits(b) as f64;
        if x.is_finite() {
            v.push(f64::from_bits(x.to_bits() ^ (rng.next_u64() & 0x1fff_ffff)));
        }
    }
    let step = u64::MAX / 200_000;
    v.extend((0..200_000u64).map(|i| f64::from_bits(i * step + (rng.next_u64() & 0xffff))));
    v
}

fn trig(f: MathFn) -> bool {
    matches!(f, MathFn::Sin | MathFn::Cos)
}

fn check_f32(f: MathFn, fma: bool, xs: &[f32], bound: f64) -> Worst {
    let k = Kernel::new(Op::Unary(f), types::F32X4, fma);
    let xs = pad(xs.to_vec(), 4);
    let mut out = vec![0f32; xs.len()];
    k.run(&xs, &[], &mut out);
    let mut worst = Worst::default();
    for (&x, &got) in xs.iter().zip(&out) {
        if trig(f) && (x as f64).abs() >= TRIG_LIMIT_F32 {
            assert!(!x.is_finite() || (got.abs() <= 1.0), "{f:?}({x:e}) = {got} beyond the accurate range");
            continue;
        }
        let want = unary(f, x as f64);
        worst.note(ulp_err_f32(got, want), x as f64, 0.0, got as f64, want);
    }
    assert!(worst.ulp <= bound, "{f:?} f32 fma={fma}: {worst:?} exceeds {bound} ulp");
    worst
}

fn check_f64(f: MathFn, fma: bool, xs: &[f64], bound: f64) -> Worst {
    let k = Kernel::new(Op::Unary(f), types::F64X2, fma);
    let xs = pad(xs.to_vec(), 2);
    let mut out = vec![0f64; xs.len()];
    k.run(&xs, &[], &mut out);
    let mut worst = Worst::default();
    for (&x, &got) in xs.iter().zip(&out) {
        if trig(f) && x.abs() >= TRIG_LIMIT_F64 {
            assert!(!x.is_finite() || (got.abs() <= 1.0), "{f:?}({x:e}) = {got} beyond the accurate range");
            continue;
        }
        let want = unary(f, x);
        worst.note(ulp_err_f64(got, want), x, 0.0, got, want);
    }
    assert!(worst.ulp <= bound, "{f:?} f64 fma={fma}: {worst:?} exceeds {bound} ulp");
    worst
}

#[test]
fn f32_functions_within_bounds() {
    let xs = f32_inputs();
    for fma in fma_modes() {
        for (f, b32, _) in BOUNDS {
            let w = check_f32(f, fma, &xs, b32);
            eprintln!("f32 {f:?} fma={fma}: max {:.3} ulp at {:e}", w.ulp, w.x);
        }
    }
}

#[test]
fn f64_functions_within_bounds() {
    let xs = f64_inputs();
    for fma in fma_modes() {
        for (f, _, b64) in BOUNDS {
            let w = check_f64(f, fma, &xs, b64);
            eprintln!("f64 {f:?} fma={fma}: max {:.3} ulp at {:e}", w.ulp, w.x);
        }
    }
}

/// Special operands of `pow`: every pair is checked against std's `powf` (C `pow`).
fn pow_specials() -> Vec<f64> {
    let mut v = vec![0.0, f64::INFINITY, f64::NAN, 1.0, 0.5, 2.0, 3.0, 2.5, 0.25, 10.0, 1e-3, 1e10, 127.0, 128.0, 1.5];
    v.extend([0.999, 1.001, 16777215.0, 16777216.0, 16777217.0, 8388609.0, 1e300, 5e-324]);
    let neg: Vec<f64> = v.iter().map(|x| -x).collect();
    v.extend(neg);
    v
}

fn check_pow(fma: bool, f64_lanes: bool, pairs: &[(f64, f64)], bound: f64) -> Worst {
    let k = Kernel::new(Op::Pow, vec_ty(f64_lanes), fma);
    let mut worst = Worst::default();
    if f64_lanes {
        let xs = pad(pairs.iter().map(|p| p.0).collect(), 2);
        let ys = pad(pairs.iter().map(|p| p.1).collect(), 2);
        let mut out = vec![0f64; xs.len()];
        k.run(&xs, &ys, &mut out);
        for i in 0..xs.len() {
            let want = xs[i].powf(ys[i]);
            worst.note(ulp_err_f64(out[i], want), xs[i], ys[i], out[i], want);
        }
    } else {
        let xs: Vec<f32> = pad(pairs.iter().map(|p| p.0 as f32).collect(), 4);
        let ys: Vec<f32> = pad(pairs.iter().map(|p| p.1 as f32).collect(), 4);
        let mut out = vec![0f32; xs.len()];
        k.run(&xs, &ys, &mut out);
        for i in 0..xs.len() {
            let want = (xs[i] as f64).powf(ys[i] as f64);
            worst.note(ulp_err_f32(out[i], want), xs[i] as f64, ys[i] as f64, out[i] as f64, want);
        }
    }
    let w = if f64_lanes { 64 } else { 32 };
    assert!(worst.ulp <= bound, "pow f{w} fma={fma}: {worst:?} exceeds {bound} ulp");
    worst
}

fn pow_pairs(f64_lanes: bool) -> Vec<(f64, f64)> {
    let s = pow_specials();
    let mut pairs: Vec<(f64, f64)> = s.iter().flat_map(|&x| s.iter().map(move |&y| (x, y))).collect();
    let mut rng = Rng(12345);
    let lim = if f64_lanes { 700.0 } else { 88.0 };
    for _ in 0..200_000 {
        // Results spread over the whole range: log|x| * y within +-lim.
        let x = rng.uniform(-3.0, 3.0).exp2().powf(rng.uniform(-6.0, 6.0));
        let y = rng.uniform(-lim, lim) / x.ln().abs().max(1e-6);
        let x = if rng.next_u64() & 7 == 0 { -x } else { x };
        let y = if x < 0.0 { y.round() } else { y };
        pairs.push((x, y));
    }
    for k in -40..=40 {
        for &x in &[-2.0, -1.5, -0.5, 0.1, 3.0, -7.0] {
            pairs.push((x, k as f64 * 0.5));
        }
    }
    if !f64_lanes {
        let mut b = 0u32;
        while let Some(n) = b.checked_add(STRIDE * 16) {
            let bits = rng.next_u64() as u32;
            pairs.push((f32::from_bits(b) as f64, f32::from_bits(bits) as f64));
            b = n;
        }
    }
    pairs
}

#[test]
fn pow_within_bounds_and_c_special_cases() {
    for fma in fma_modes() {
        let w32 = check_pow(fma, false, &pow_pairs(false), 1.0);
        eprintln!("f32 pow fma={fma}: max {:.3} ulp at ({:e}, {:e})", w32.ulp, w32.x, w32.y);
        let w64 = check_pow(fma, true, &pow_pairs(true), 2.0);
        eprintln!("f64 pow fma={fma}: max {:.3} ulp at ({:e}, {:e})", w64.ulp, w64.x, w64.y);
    }
}

/// Scalar `f32`/`f64` operands go through the same vector code: bit-identical results.
#[test]
fn scalar_types_match_vectors() {
    let xs32: Vec<f32> = special_f32();
    let xs32 = pad(xs32, 4);
    let xs64: Vec<f64> = xs32.iter().map(|&x| x as f64 * 1.000000001).collect();
    for f in ALL {
        let (mut a, mut b) = (vec![0f32; xs32.len()], vec![0f32; xs32.len()]);
        Kernel::new(Op::Unary(f), types::F32X4, false).run(&xs32, &[], &mut a);
        Kernel::new(Op::Unary(f), types::F32, false).run(&xs32, &[], &mut b);
        assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()), "{f:?} f32 scalar differs");
        let (mut a, mut b) = (vec![0f64; xs64.len()], vec![0f64; xs64.len()]);
        Kernel::new(Op::Unary(f), types::F64X2, false).run(&xs64, &[], &mut a);
        Kernel::new(Op::Unary(f), types::F64, false).run(&xs64, &[], &mut b);
        assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()), "{f:?} f64 scalar differs");
    }
    let ys: Vec<f32> = xs32.iter().rev().copied().collect();
    let (mut a, mut b) = (vec![0f32; xs32.len()], vec![0f32; xs32.len()]);
    Kernel::new(Op::Pow, types::F32X4, false).run(&xs32, &ys, &mut a);
    Kernel::new(Op::Pow, types::F32, false).run(&xs32, &ys, &mut b);
    assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()), "pow f32 scalar differs");
}

/// The runtime's 8-lane array functions (`xlac_runtime::vmath`, which kernels call for
/// a row's transcendentals on AVX2/FMA targets) give the inline routines' bits for every
/// swept `f32`, including NaN, infinities, denormals and the clamp edges.
#[test]
fn runtime_array_functions_match_inline_bits() {
    use xlac_runtime::vmath::{apply, vectorized, VecFn};
    if !vectorized() || !host_fma() {
        eprintln!("skipped: the host has no AVX2/FMA, so kernels never call the array functions");
        return;
    }
    let xs = pad(f32_inputs(), 4);
    for f in VecFn::ALL {
        let m = match f {
            VecFn::Exp => MathFn::Exp,
            VecFn::Tanh => MathFn::Tanh,
            VecFn::Logistic => MathFn::Logistic,
        };
        let mut inline = vec![0f32; xs.len()];
        Kernel::new(Op::Unary(m), types::F32X4, true).run(&xs, &[], &mut inline);
        // Odd offsets and lengths: the 8-lane loop, the padded tail and unaligned starts.
        for (start, len) in [(0, xs.len()), (1, xs.len() - 8), (3, 5), (7, 1)] {
            let mut arr = xs[start..start + len].to_vec();
            apply(f, &mut arr);
            for (i, (&got, &want)) in arr.iter().zip(&inline[start..start + len]).enumerate() {
                let x = xs[start + i];
                assert!(got.to_bits() == want.to_bits(), "{f:?}({x:e}): array {got:e} vs inline {want:e}");
            }
        }
    }
}
