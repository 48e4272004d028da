//! Vector math emitted as inline Cranelift IR: `exp`, `log`, `tanh`, `erf`, `sin`, ...
//! with range reduction and polynomial approximations, no libm call per element.
//!
//! Each routine is written once per element width against `F32X4` or `F64X2`; a scalar
//! `f32`/`f64` is splatted, computed as a vector, and lane 0 extracted. Every routine
//! returns NaN for NaN and follows C for infinities and signed zeros. The polynomial
//! coefficients are minimax (Remez) fits made for this module; the method of each
//! function is in its file's header.
//!
//! Measured maximum errors over all `2^32` `f32` inputs (`examples/vmath_sweep.rs`)
//! and over a strided sample of `f64` inputs (`tests/vmath.rs`, which asserts them) are
//! listed on [`MathFn`]'s variants.

mod erf;
mod exp;
mod lanes;
mod log;
mod ops;
mod pow;
mod trig;

use cranelift_codegen::ir::{types, InstBuilder, Type, Value};
use cranelift_frontend::FunctionBuilder;
use ops::Vb;

/// An elementwise function [`emit_math`] can emit. The errors are the measured maxima
/// over all `2^32` `f32` inputs (with FMA; without, the strided test sees the same
/// bounds) and over the tested `f64` sample (against `f64` references, so whole ulps),
/// in ulps of the result type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MathFn {
    /// `e^x`: f32 1.05 ulp, f64 1 ulp; denormal results and overflow handled.
    Exp,
    /// Natural logarithm: f32 0.84 ulp, f64 1 ulp.
    Log,
    /// `log(1 + x)`, accurate near 0: f32 1.44 ulp, f64 1 ulp.
    Log1p,
    /// Hyperbolic tangent: f32 2.50 ulp, f64 3 ulp.
    Tanh,
    /// `1 / (1 + e^-x)`: f32 2.40 ulp, f64 2 ulp.
    Logistic,
    /// The error function: f32 1.95 ulp, f64 1 ulp.
    Erf,
    /// Sine: f32 1.54 ulp, f64 1 ulp for `|x| < 2.1e8` (`2^27 pi/2`); finite and in
    /// `[-1, 1]` beyond (see the `trig` module).
    Sin,
    /// Cosine: as [`MathFn::Sin`].
    Cos,
    /// Square root (Cranelift `sqrt`, correctly rounded: 0.5 ulp).
    Sqrt,
    /// `1 / sqrt(x)`: f32 0.5 ulp (computed in `f64`), f64 1 ulp.
    Rsqrt,
}

/// The vector type a value of type `ty` is computed in, and whether it is a scalar.
fn vector_of(ty: Type) -> (Type, bool) {
    match ty {
        types::F32 => (types::F32X4, true),
        types::F64 => (types::F64X2, true),
        types::F32X4 | types::F64X2 => (ty, false),
        _ => panic!("vmath: unsupported type {ty}"),
    }
}

/// Applies `body` to `args` (all of one type: `F32X4`, `F32`, `F64X2` or `F64`) as
/// vectors, splatting scalars and extracting lane 0 of the result.
fn on_vectors(
    fb: &mut FunctionBuilder,
    args: &[Value],
    fma: bool,
    body: impl FnOnce(&mut Vb, &[Value]) -> Value,
) -> Value {
    let ty = fb.func.dfg.value_type(args[0]);
    let (vty, scalar) = vector_of(ty);
    let vargs: Vec<Value> = args.iter().map(|&a| if scalar { fb.ins().splat(vty, a) } else { a }).collect();
    let mut v = Vb::new(fb, vty, fma);
    let r = body(&mut v, &vargs);
    if scalar {
        fb.ins().extractlane(r, 0)
    } else {
        r
    }
}

/// `1 / sqrt(x)`; for `f32` computed in `f64`, so one rounding dominates.
fn rsqrt(v: &mut Vb, x: Value) -> Value {
    let body = |v: &mut Vb, x: Value| {
        let s = v.fb.ins().sqrt(x);
        let one = v.c(1.0);
        v.div(one, s)
    };
    if v.is_f64() {
        return body(v, x);
    }
    let (lo, hi) = lanes::widen(v.fb, x);
    let mut w = v.with_ty(types::F64X2);
    let rl = body(&mut w, lo);
    let rh = body(&mut w, hi);
    lanes::narrow(v.fb, rl, rh)
}

/// Emits `f(x)` for `x` of type `F32X4`, `F32`, `F64X2` or `F64`; the result has `x`'s
/// type. `fma` says whether the target has fused multiply-add (only then is Cranelift's
/// `fma` used). Panics on any other type.
pub fn emit_math(fb: &mut FunctionBuilder, f: MathFn, x: Value, fma: bool) -> Value {
    on_vectors(fb, &[x], fma, |v, a| {
        let x = a[0];
        match f {
            MathFn::Exp => exp::exp(v, x),
            MathFn::Log => log::log(v, x),
            MathFn::Log1p => log::log1p(v, x),
            MathFn::Tanh => exp::tanh(v, x),
            MathFn::Logistic => exp::logistic(v, x),
            MathFn::Erf => erf::erf(v, x),
            MathFn::Sin => trig::sin_cos(v, x, false),
            MathFn::Cos => trig::sin_cos(v, x, true),
            MathFn::Sqrt => v.fb.ins().sqrt(x),
            MathFn::Rsqrt => rsqrt(v, x),
        }
    })
}

/// Emits `pow(x, y)` with C `pow` semantics (`x^0 = 1` and `1^y = 1` even for NaN, a
/// negative base needs an integer exponent and then gives the sign `(-1)^y`, `0^y<0 =
/// inf`, the infinite cases of C99 Annex F). `x` and `y` have the same type, one of
/// `F32X4`, `F32`, `F64X2`, `F64`. Measured error: f32 0.5 ulp (computed in `f64`),
/// f64 1 ulp (sampled; against `f64` `powf`).
pub fn emit_pow(fb: &mut FunctionBuilder, x: Value, y: Value, fma: bool) -> Value {
    on_vectors(fb, &[x, y], fma, |v, a| pow::pow(v, a[0], a[1]))
}
