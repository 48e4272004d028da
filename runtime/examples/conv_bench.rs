//! The baseline `conv` workload (NCHW x[8,64,56,56], w[64,64,3,3], stride 1, pad 1)
//! through the runtime's convolution kernel, 1 and 2 threads, both layouts. Median and
//! minimum of 15 calls.
//!
//! `cargo run --release -p xlac-runtime --example conv_bench [nchw|nhwc] [threads]`
//! (both layouts and 1 and 2 threads when not given).

use std::time::Instant;

use xlac_runtime::kernels::conv::{conv, scratch_bytes};
use xlac_runtime::program::ConvCall;
use xlac_runtime::{AlignedBytes, ElemType, ThreadPool};

fn main() {
    let (n, c, hw, o) = (8, 64, 56, 64);
    let x: Vec<f32> = (0..n * c * hw * hw).map(|i| (i % 11) as f32 * 0.1 - 0.5).collect();
    let w: Vec<f32> = (0..o * c * 9).map(|i| (i % 7) as f32 * 0.01 - 0.03).collect();
    let mut y = vec![0f32; n * o * hw * hw];
    let flops = 2.0 * (n * o * hw * hw * c * 9) as f64;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let layouts: Vec<bool> = match args.first().map(String::as_str) {
        Some("nchw") => vec![false],
        Some("nhwc") => vec![true],
        _ => vec![false, true],
    };
    let thread_counts: Vec<usize> = match args.get(1).and_then(|t| t.parse().ok()) {
        Some(t) => vec![t],
        None => vec![1, 2],
    };
    for nhwc in layouts {
        let call = ConvCall {
            elem: ElemType::F32,
            input: 0,
            kernel: 1,
            out: 2,
            nhwc,
            n,
            c,
            o,
            in_spatial: vec![hw, hw],
            k_spatial: vec![3, 3],
            out_spatial: vec![hw, hw],
            strides: vec![1, 1],
            padding: vec![(1, 1), (1, 1)],
            lhs_dilation: vec![1, 1],
            rhs_dilation: vec![1, 1],
            groups: 1,
        };
        for &threads in &thread_counts {
            let pool = ThreadPool::new(threads);
            let mut scratch = AlignedBytes::zeroed(scratch_bytes(&call, threads));
            let mut run = || {
                // SAFETY: buffers have the extents the call states (the values of the
                // layouts differ, which does not matter for timing).
                unsafe { conv(&call, x.as_ptr().cast(), w.as_ptr().cast(), y.as_mut_ptr().cast(), &mut scratch, &pool) }
            };
            run();
            let mut times: Vec<f64> = (0..15)
                .map(|_| {
                    let t = Instant::now();
                    run();
                    t.elapsed().as_secs_f64()
                })
                .collect();
            times.sort_by(f64::total_cmp);
            let (t, min) = (times[7], times[0]);
            println!(
                "conv nhwc={nhwc} {threads} thread(s): median {:.2} ms ({:.1} GFLOP/s), min {:.2} ms",
                t * 1e3,
                flops / t / 1e9,
                min * 1e3
            );
        }
    }
}
