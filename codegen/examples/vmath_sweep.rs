//! Measures `vmath`'s `f32` functions on all `2^32` inputs against `f64` references,
//! and the throughput of `exp`/`tanh` on `f32x4`. Run in release:
//! `cargo run --release -p xlac-codegen --example vmath_sweep [fn...]`.

#[path = "../tests/vmath_support/mod.rs"]
mod vmath_support;

use cranelift_codegen::ir::types;
use std::time::Instant;
use vmath_support::reference::{erf_fast, unary};
use vmath_support::*;
use xlac_codegen::vmath::MathFn;

/// `sin`/`cos` are judged accurate below this `|x|`, and checked finite in `[-1, 1]` above.
const TRIG_LIMIT: f64 = 2.1e8;
const CHUNK: u64 = 1 << 20;

fn reference(f: MathFn, x: f64) -> f64 {
    if f == MathFn::Erf {
        erf_fast(x)
    } else {
        unary(f, x)
    }
}

/// Sweeps bit patterns `[lo, hi)` with `k`; returns the worst error and the number of
/// out-of-range `sin`/`cos` results outside `[-1, 1]` or not finite.
fn sweep(f: MathFn, k: &Kernel, lo: u64, hi: u64) -> (Worst, u64) {
    let mut worst = Worst::default();
    let mut bad = 0;
    let mut xs = vec![0f32; CHUNK as usize];
    let mut out = vec![0f32; CHUNK as usize];
    let mut start = lo;
    while start < hi {
        for (i, x) in xs.iter_mut().enumerate() {
            *x = f32::from_bits((start + i as u64) as u32);
        }
        k.run(&xs, &[], &mut out);
        for (&x, &got) in xs.iter().zip(&out) {
            let trig = matches!(f, MathFn::Sin | MathFn::Cos);
            if trig && (x as f64).abs() >= TRIG_LIMIT {
                bad += u64::from(x.is_finite() && (got.is_nan() || got.abs() > 1.0));
                continue;
            }
            let want = reference(f, x as f64);
            worst.note(ulp_err_f32(got, want), x as f64, 0.0, got as f64, want);
        }
        start += CHUNK;
    }
    (worst, bad)
}

fn full_sweep(f: MathFn, fma: bool) {
    let t = Instant::now();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let per = (1u64 << 32) / threads;
    let results: Vec<(Worst, u64)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|i| {
                s.spawn(move || {
                    let k = Kernel::new(Op::Unary(f), types::F32X4, fma);
                    sweep(f, &k, i * per, (i + 1) * per)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut worst = Worst::default();
    let mut bad = 0;
    for (w, b) in results {
        worst.note(w.ulp, w.x, 0.0, w.got, w.want);
        bad += b;
    }
    println!(
        "| {f:?} | fma={fma} | {:.3} | {:e} (got {:e}, want {:e}) | {bad} | {:.0} s |",
        worst.ulp,
        worst.x,
        worst.got,
        worst.want,
        t.elapsed().as_secs_f64()
    );
}

fn throughput(f: MathFn, fma: bool) {
    let n = 1 << 16;
    let mut rng = Rng(7);
    let xs: Vec<f32> = (0..n).map(|_| rng.uniform(-10.0, 10.0) as f32).collect();
    let mut out = vec![0f32; n];
    let k = Kernel::new(Op::Unary(f), types::F32X4, fma);
    let reps = 2000;
    let t = Instant::now();
    for _ in 0..reps {
        k.run(&xs, &[], &mut out);
    }
    let jit = (n * reps) as f64 / t.elapsed().as_secs_f64();
    let libm: fn(f32) -> f32 = if f == MathFn::Exp { f32::exp } else { f32::tanh };
    let t = Instant::now();
    for _ in 0..reps / 10 {
        for (o, &x) in out.iter_mut().zip(&xs) {
            *o = libm(std::hint::black_box(x));
        }
    }
    let lib = (n * reps / 10) as f64 / t.elapsed().as_secs_f64();
    println!("{f:?} f32x4 fma={fma}: {:.0} Melem/s (scalar libm: {:.0} Melem/s)", jit / 1e6, lib / 1e6);
}

fn main() {
    let names: Vec<String> = std::env::args().skip(1).collect();
    let fma = host_fma();
    for f in [MathFn::Exp, MathFn::Tanh] {
        throughput(f, fma);
        if fma {
            throughput(f, false);
        }
    }
    println!("| function | mode | max ulp | where | out-of-range violations | time |");
    println!("|---|---|---|---|---|---|");
    for f in ALL {
        if names.is_empty() || names.iter().any(|n| n.eq_ignore_ascii_case(&format!("{f:?}"))) {
            full_sweep(f, fma);
        }
    }
}
