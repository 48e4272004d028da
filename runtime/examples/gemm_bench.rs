//! f32 GEMM shapes of the benchmark workloads through the runtime's kernel (AVX2 where
//! available) and through the portable crate path (`gemm`/`matrixmultiply`), 1 and 2
//! threads, timed alternately call by call; prints medians of `runs` calls (default 21)
//! in GFLOP/s and as a share of the FMA peak (101 GFLOP/s per core, 198 for 2).
//!
//! On a shared machine wall time depends on the other load; the `cpu` columns divide
//! the work by the process CPU time instead (GFLOP per CPU-second, against the
//! one-core peak), which measures the kernel rather than the scheduler but does not
//! see threads waiting for each other. `best` is the fastest call (wall), new and
//! crates.
//!
//! `cargo run --release -p xlac-runtime --example gemm_bench [runs] [shape-filter]`

use std::time::Instant;

use xlac_runtime::kernels::gemm::{gemm, gemm_portable};
use xlac_runtime::program::GemmCall;
use xlac_runtime::{ElemType, ThreadPool};

/// f32 FMA peak of this machine, GFLOP/s, for 1 and 2 threads.
const PEAK: [f64; 2] = [101.0, 198.0];

struct Shape {
    name: &'static str,
    batch: usize,
    m: usize,
    n: usize,
    k: usize,
    lhs_strides: [isize; 3],
    rhs_strides: [isize; 3],
}

fn dense(name: &'static str, batch: usize, m: usize, n: usize, k: usize) -> Shape {
    let (mi, ni, ki) = (m as isize, n as isize, k as isize);
    Shape { name, batch, m, n, k, lhs_strides: [mi * ki, ki, 1], rhs_strides: [ki * ni, ni, 1] }
}

fn shapes() -> Vec<Shape> {
    vec![
        dense("matmul 1024x1024x1024", 1, 1024, 1024, 1024),
        dense("mlp [256x768]x[768x3072]", 1, 256, 3072, 768),
        dense("mlp [256x3072]x[3072x768]", 1, 256, 768, 3072),
        Shape { rhs_strides: [8192, 1, 64], ..dense("attn 96x[128x64]x[64x128]^T", 96, 128, 128, 64) },
        dense("attn 96x[128x128]x[128x64]", 96, 128, 64, 128),
        Shape { lhs_strides: [0, 576, 1], ..dense("conv 8x[64x576]x[576x3136]", 8, 64, 3136, 576) },
    ]
}

/// Smallest buffer length the strides address.
fn extent(batch: usize, rows: usize, cols: usize, s: [isize; 3]) -> usize {
    ((batch - 1) as isize * s[0] + (rows - 1) as isize * s[1] + (cols - 1) as isize * s[2]) as usize + 1
}

/// Process CPU time, seconds.
fn cpu_time() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: a valid timespec out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Runs `f`, returning (wall, CPU) seconds.
fn timed(f: impl FnOnce()) -> (f64, f64) {
    let (t, c) = (Instant::now(), cpu_time());
    f();
    (t.elapsed().as_secs_f64(), cpu_time() - c)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(21);
    let filter = std::env::args().nth(2).unwrap_or_default();
    println!(
        "{:<30} {:>3}  {:>16}  {:>16}  {:>7}  {:>14}  {:>14}  {:>6} {:>6}",
        "shape",
        "thr",
        "new GFLOP/s (%)",
        "crates GFLOP/s (%)",
        "speedup",
        "new cpu (%1c)",
        "crates cpu (%1c)",
        "best",
        "best"
    );
    for s in shapes().into_iter().filter(|s| s.name.contains(&filter)) {
        let a: Vec<f32> = (0..extent(s.batch, s.m, s.k, s.lhs_strides)).map(|i| (i % 7) as f32 * 0.1 - 0.3).collect();
        let b: Vec<f32> = (0..extent(s.batch, s.k, s.n, s.rhs_strides)).map(|i| (i % 5) as f32 * 0.1 - 0.2).collect();
        let mut c = vec![0f32; s.batch * s.m * s.n];
        let call = GemmCall {
            elem: ElemType::F32,
            lhs: 0,
            rhs: 1,
            out: 2,
            batch: s.batch,
            m: s.m,
            n: s.n,
            k: s.k,
            lhs_strides: s.lhs_strides,
            rhs_strides: s.rhs_strides,
        };
        let flops = 2.0 * (s.batch * s.m * s.n * s.k) as f64;
        for threads in [1, 2] {
            let pool = ThreadPool::new(threads);
            let (mut new, mut old, mut new_cpu, mut old_cpu) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for r in 0..=runs {
                // SAFETY: a, b and c hold every element the call's strides address.
                let tn = timed(|| unsafe {
                    gemm(&call, a.as_ptr().cast(), b.as_ptr().cast(), c.as_mut_ptr().cast(), &pool)
                });
                // SAFETY: as above.
                let to = timed(|| unsafe {
                    gemm_portable(&call, a.as_ptr().cast(), b.as_ptr().cast(), c.as_mut_ptr().cast(), &pool)
                });
                if r > 0 {
                    new.push(flops / tn.0 / 1e9);
                    old.push(flops / to.0 / 1e9);
                    new_cpu.push(flops / tn.1 / 1e9);
                    old_cpu.push(flops / to.1 / 1e9);
                }
            }
            let best = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
            let (bn, bo) = (best(&new), best(&old));
            let (gn, go, cn, co) = (median(new), median(old), median(new_cpu), median(old_cpu));
            let peak = PEAK[threads - 1];
            println!(
                "{:<30} {:>3}  {:>8.1} ({:>4.1}%)  {:>8.1} ({:>4.1}%)  {:>6.2}x  {:>6.1} ({:>4.1}%)  {:>6.1} ({:>4.1}%)  {:>6.1} {:>6.1}",
                s.name,
                threads,
                gn,
                100.0 * gn / peak,
                go,
                100.0 * go / peak,
                gn / go,
                cn,
                100.0 * cn / PEAK[0],
                co,
                100.0 * co / PEAK[0],
                bn,
                bo
            );
        }
    }
}
