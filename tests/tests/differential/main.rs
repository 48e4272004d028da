//! Differential tests: every op of the op table, on random shapes (including empty and
//! size-1 dims and odd extents that exercise vector tails), every dtype its type rule
//! allows, and random values, runs on the reference interpreter and on the JIT at -O0
//! and -O2; results must agree within the op's stated tolerance.
//!
//! The test enumerates `OpKind::ALL`: an op without a generator here fails
//! `every_op_has_a_generator`.

mod gen;
mod ops;

use gen::{Case, Gen};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use xlac::{OptLevel, Options};
use xlac_ir::{OpKind, Tensor, TensorData};

/// `|jit - interp| <= atol + rtol * |interp|` for floats; exact for integers and bools.
#[derive(Copy, Clone, Debug)]
pub struct Tol {
    /// Absolute part.
    pub atol: f64,
    /// Relative part.
    pub rtol: f64,
}

impl Tol {
    /// Bit-for-bit (up to NaN payloads).
    pub const EXACT: Tol = Tol { atol: 0.0, rtol: 0.0 };
    /// Elementwise transcendental functions (vector polynomials, a few ulp).
    pub const MATH: Tol = Tol { atol: 1e-6, rtol: 2e-6 };
}

fn close(a: f64, b: f64, tol: Tol) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= tol.atol + tol.rtol * b.abs()
}

fn compare(got: &Tensor, want: &Tensor, tol: Tol) -> Result<(), String> {
    if got.ty() != want.ty() {
        return Err(format!("type {} but the interpreter gives {}", got.ty(), want.ty()));
    }
    for i in 0..want.data.len() {
        let ok = match (&got.data, &want.data) {
            (TensorData::F32(_) | TensorData::F64(_), _) => close(got.data.get_f64(i), want.data.get_f64(i), tol),
            _ => got.data.get_i64(i) == want.data.get_i64(i),
        };
        if !ok {
            return Err(format!(
                "element {i}: {} but the interpreter gives {} (tolerance {tol:?})",
                got.data.get_f64(i),
                want.data.get_f64(i)
            ));
        }
    }
    Ok(())
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let want = xlac_interp::run_entry(&case.module, &case.inputs)
        .map_err(|e| TestCaseError::fail(format!("interpreter: {e}\n{}", case.text())))?;
    for level in [OptLevel::O0, OptLevel::O2] {
        let options = Options { opt_level: level, ..Default::default() };
        let exe = xlac::compile(&case.module, &options)
            .map_err(|e| TestCaseError::fail(format!("{level:?} compile: {e}\n{}", case.text())))?;
        let got =
            exe.run(&case.inputs).map_err(|e| TestCaseError::fail(format!("{level:?} run: {e}\n{}", case.text())))?;
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            compare(g, w, case.tol)
                .map_err(|e| TestCaseError::fail(format!("{level:?} result {i}: {e}\n{}", case.text())))?;
        }
    }
    Ok(())
}

fn run_op(kind: OpKind, cases: u32) {
    let generator = ops::generator(kind).unwrap_or_else(|| panic!("no generator for `{}`", kind.name()));
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let result = runner.run(&(any::<u64>(), gen::shape_strategy()), |(seed, shape)| {
        let mut g = Gen::new(seed, shape);
        g.kind = Some(kind);
        g.tame = matches!(
            kind,
            OpKind::Sin
                | OpKind::Cos
                | OpKind::Pow
                | OpKind::Reduce
                | OpKind::ReduceWindow
                | OpKind::DotGeneral
                | OpKind::Convolution
        );
        let case = generator(&mut g);
        check(&case)
    });
    if let Err(e) = result {
        panic!("`{}`: {e}", kind.name());
    }
}

#[test]
fn every_op_has_a_generator() {
    let missing: Vec<&str> = OpKind::ALL.iter().filter(|k| ops::generator(**k).is_none()).map(|k| k.name()).collect();
    assert!(missing.is_empty(), "ops without a differential generator: {}", missing.join(", "));
}

#[test]
fn every_op_agrees_with_the_interpreter() {
    let cases = std::env::var("XLAC_DIFF_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(24);
    for &kind in OpKind::ALL {
        if ops::generator(kind).is_some() {
            run_op(kind, cases);
        }
    }
}
