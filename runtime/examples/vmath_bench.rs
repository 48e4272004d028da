//! The runtime's array math on one row held in L1, so the figure is the code's own
//! throughput, not the memory's: nanoseconds per element of `xlac_rt_vmap_f32` (each
//! function, plain and with a shifted argument), `xlac_rt_vreduce_f32` and
//! `xlac_rt_vdivs_f32`, the minimum over batches of calls.
//!
//! `cargo run --release -p xlac-runtime --example vmath_bench [row length]`

use std::time::Instant;

use xlac_runtime::vmath::{xlac_rt_vdivs_f32, xlac_rt_vmap_f32, xlac_rt_vreduce_f32, Fold, VecFn, MAP_SUB};

/// Nanoseconds per element of `f` on `n` elements: the fastest of 30 batches.
fn time(n: usize, mut f: impl FnMut() -> f32) -> f64 {
    let calls = (4_000_000 / n.max(1)).max(1);
    let mut best = f64::INFINITY;
    let mut sink = 0f32;
    for _ in 0..30 {
        let t = Instant::now();
        for _ in 0..calls {
            sink += f();
        }
        best = best.min(t.elapsed().as_secs_f64() * 1e9 / (calls * n) as f64);
    }
    std::hint::black_box(sink);
    best
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1024);
    let x: Vec<f32> = (0..n).map(|i| ((i * 7919 % 1000) as f32 - 500.0) * 0.01).collect();
    let mut y = vec![0f32; n];
    println!("row of {n} floats (in L1), ns per element, best of 30 batches");
    for f in VecFn::ALL {
        for (name, mode) in [("x", 0), ("x - b", MAP_SUB)] {
            // SAFETY: x and y hold n floats.
            let t = time(n, || unsafe { xlac_rt_vmap_f32(x.as_ptr(), y.as_mut_ptr(), n, f.code(), mode, 1.0, 5.0) });
            println!("map {f:?}({name}): {t:.3}");
        }
    }
    for fold in [Fold::Sum, Fold::Max] {
        // SAFETY: x holds n floats.
        let t = time(n, || unsafe { xlac_rt_vreduce_f32(x.as_ptr(), n, fold as u32, 0, 1.0, 0.0) });
        println!("reduce {fold:?}: {t:.3}");
    }
    // SAFETY: x and y hold n floats; 0 total bytes: no streaming stores.
    let t = time(n, || unsafe {
        xlac_rt_vdivs_f32(x.as_ptr(), y.as_mut_ptr(), n, 3.7, 0);
        y[0]
    });
    println!("divide by a scalar: {t:.3}");
}
