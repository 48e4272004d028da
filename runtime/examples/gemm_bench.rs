//! f32 1024³ GEMM through the runtime's library kernel with 1 and 2 threads, beside the
//! `matrixmultiply` crate (its own threading) for reference. Median of 15 calls.
//!
//! `cargo run --release -p xlac-runtime --example gemm_bench [size]`

use std::time::Instant;

use xlac_runtime::kernels::gemm::gemm;
use xlac_runtime::program::GemmCall;
use xlac_runtime::{ElemType, ThreadPool};

fn gflops(n: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<f64> = (0..15)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    2.0 * (n as f64).powi(3) / times[times.len() / 2] / 1e9
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1024);
    let a: Vec<f32> = (0..n * n).map(|i| (i % 7) as f32 * 0.1 - 0.3).collect();
    let b: Vec<f32> = (0..n * n).map(|i| (i % 5) as f32 * 0.1 - 0.2).collect();
    let mut c = vec![0f32; n * n];
    let ni = n as isize;
    let call = GemmCall {
        elem: ElemType::F32,
        lhs: 0,
        rhs: 1,
        out: 2,
        batch: 1,
        m: n,
        n,
        k: n,
        lhs_strides: [0, ni, 1],
        rhs_strides: [0, ni, 1],
    };
    for threads in [1, 2] {
        let pool = ThreadPool::new(threads);
        let g = gflops(n, || {
            // SAFETY: a, b, c are n×n f32, dense row-major, as the call states.
            unsafe { gemm(&call, a.as_ptr().cast(), b.as_ptr().cast(), c.as_mut_ptr().cast(), &pool) }
        });
        println!("xlac-runtime gemm f32 {n}³, {threads} thread(s): {g:.1} GFLOP/s");
    }
    let g = gflops(n, || {
        // SAFETY: as above.
        unsafe { matrixmultiply::sgemm(n, n, n, 1.0, a.as_ptr(), ni, 1, b.as_ptr(), ni, 1, 0.0, c.as_mut_ptr(), ni, 1) }
    });
    println!("matrixmultiply sgemm f32 {n}³ (its own threads): {g:.1} GFLOP/s");
}
