//! The f32 GEMM kernel (AVX2 where the CPU has it) against a naive f64-accumulating
//! reference: edge sizes around the register tile and cache blocks, transposed and
//! strided operands, batches, 1 and 2 threads; and the row-epilogue contract.

use std::ops::Range;
use std::sync::Mutex;

use xlac_runtime::kernels::gemm::{gemm, gemm_with_epilogue};
use xlac_runtime::kernels::RowEpilogue;
use xlac_runtime::program::GemmCall;
use xlac_runtime::{ElemType, ThreadPool};

/// Deterministic values in [-1, 1).
fn values(seed: u64, len: usize) -> Vec<f32> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            ((x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

/// Operand storage: row-major, transposed (column-major), or row-major with padded
/// rows (a leading dimension larger than the row).
#[derive(Copy, Clone, Debug)]
enum Layout {
    Rows,
    Cols,
    Padded,
}

/// Storage length and strides (batch, row, column) of `batch` `rows × cols` matrices.
fn layout(l: Layout, batch: usize, rows: usize, cols: usize) -> (usize, [isize; 3]) {
    let (r, c) = (rows as isize, cols as isize);
    match l {
        Layout::Rows => (batch * rows * cols, [r * c, c, 1]),
        Layout::Cols => (batch * rows * cols, [r * c, 1, r]),
        Layout::Padded => (batch * rows * (cols + 3), [r * (c + 3), c + 3, 1]),
    }
}

struct Case {
    call: GemmCall,
    lhs: Vec<f32>,
    rhs: Vec<f32>,
}

impl Case {
    fn new(batch: usize, m: usize, n: usize, k: usize, la: Layout, lb: Layout, seed: u64) -> Case {
        let (llen, lhs_strides) = layout(la, batch, m, k);
        let (rlen, rhs_strides) = layout(lb, batch, k, n);
        let call = GemmCall { elem: ElemType::F32, lhs: 0, rhs: 1, out: 2, batch, m, n, k, lhs_strides, rhs_strides };
        Case { call, lhs: values(seed, llen), rhs: values(seed + 1, rlen) }
    }

    /// Reference product and, per element, the error bound `2·k·eps·Σ|a·b|`.
    fn reference(&self) -> (Vec<f64>, Vec<f64>) {
        let c = &self.call;
        let (mut out, mut bound) = (vec![0.0; c.batch * c.m * c.n], vec![0.0; c.batch * c.m * c.n]);
        for b in 0..c.batch {
            for i in 0..c.m {
                for j in 0..c.n {
                    let (mut acc, mut abs) = (0f64, 0f64);
                    for p in 0..c.k {
                        let ls = c.lhs_strides;
                        let rs = c.rhs_strides;
                        let a = self.lhs[(b as isize * ls[0] + i as isize * ls[1] + p as isize * ls[2]) as usize];
                        let r = self.rhs[(b as isize * rs[0] + p as isize * rs[1] + j as isize * rs[2]) as usize];
                        acc += a as f64 * r as f64;
                        abs += (a as f64 * r as f64).abs();
                    }
                    out[(b * c.m + i) * c.n + j] = acc;
                    bound[(b * c.m + i) * c.n + j] = 2.0 * c.k as f64 * f32::EPSILON as f64 * abs + 1e-30;
                }
            }
        }
        (out, bound)
    }

    fn run(&self, pool: &ThreadPool, epi: Option<&RowEpilogue>) -> Vec<f32> {
        let c = &self.call;
        let mut out = vec![f32::NAN; c.batch * c.m * c.n];
        // SAFETY: the operands hold every element the strides address; out is dense.
        unsafe {
            gemm_with_epilogue(
                c,
                self.lhs.as_ptr().cast(),
                self.rhs.as_ptr().cast(),
                out.as_mut_ptr().cast(),
                pool,
                epi,
            )
        };
        out
    }

    fn check(&self, pool: &ThreadPool) {
        let c = &self.call;
        let mut out = vec![f32::NAN; c.batch * c.m * c.n];
        // SAFETY: as in `run`.
        unsafe { gemm(c, self.lhs.as_ptr().cast(), self.rhs.as_ptr().cast(), out.as_mut_ptr().cast(), pool) };
        let (want, bound) = self.reference();
        for (e, ((&got, &want), &bound)) in out.iter().zip(&want).zip(&bound).enumerate() {
            assert!(
                (got as f64 - want).abs() <= bound,
                "batch {} m {} n {} k {} lhs {:?} rhs {:?} threads {}: element {e}: {got} vs {want}",
                c.batch,
                c.m,
                c.n,
                c.k,
                c.lhs_strides,
                c.rhs_strides,
                pool.threads()
            );
        }
    }
}

const EDGES: [usize; 11] = [0, 1, 5, 6, 7, 15, 16, 17, 63, 64, 65];

#[test]
fn edge_sizes_row_major() {
    let pool = ThreadPool::new(1);
    for &m in &EDGES {
        for &n in &EDGES {
            for &k in &EDGES {
                Case::new(1, m, n, k, Layout::Rows, Layout::Rows, (m * 10007 + n * 101 + k) as u64).check(&pool);
            }
        }
    }
}

#[test]
fn layouts_and_blocks() {
    let layouts = [Layout::Rows, Layout::Cols, Layout::Padded];
    let shapes = [(1, 257, 1), (257, 17, 65), (65, 257, 257), (7, 33, 300), (300, 40, 513), (130, 130, 129)];
    for threads in [1, 2] {
        let pool = ThreadPool::new(threads);
        for (s, &(m, n, k)) in shapes.iter().enumerate() {
            for la in layouts {
                for lb in layouts {
                    Case::new(1, m, n, k, la, lb, s as u64).check(&pool);
                }
            }
        }
    }
}

#[test]
fn batches_and_threads() {
    for threads in [1, 2] {
        let pool = ThreadPool::new(threads);
        for (batch, m, n, k) in [(2, 257, 65, 257), (3, 64, 300, 200), (9, 128, 128, 64), (5, 17, 7, 3), (4, 0, 5, 5)] {
            Case::new(batch, m, n, k, Layout::Rows, Layout::Cols, 7).check(&pool);
            Case::new(batch, m, n, k, Layout::Padded, Layout::Rows, 8).check(&pool);
        }
    }
}

/// Runs `case` with an epilogue of alignment `align` that records each range and the
/// sums of its rows when it runs; checks the ranges partition the rows at aligned
/// boundaries and the rows were final.
fn check_epilogue(case: &Case, pool: &ThreadPool, align: usize) {
    let c = &case.call;
    let total = c.batch * c.m;
    let seen: Mutex<Vec<(Range<usize>, Vec<f32>)>> = Mutex::new(Vec::new());
    let out_ptr = std::sync::atomic::AtomicPtr::new(std::ptr::null_mut::<f32>());
    let n = c.n;
    let run = |rows: Range<usize>| {
        let base = out_ptr.load(std::sync::atomic::Ordering::Relaxed);
        // SAFETY: `base` is the output, `rows` are final and ours to read.
        let sums = rows.clone().map(|r| (0..n).map(|j| unsafe { *base.add(r * n + j) }).sum()).collect();
        seen.lock().unwrap().push((rows, sums));
    };
    let epi = RowEpilogue { align, run: &run };
    let mut out = vec![f32::NAN; total * n];
    out_ptr.store(out.as_mut_ptr(), std::sync::atomic::Ordering::Relaxed);
    // SAFETY: as in `Case::run`.
    unsafe {
        gemm_with_epilogue(
            c,
            case.lhs.as_ptr().cast(),
            case.rhs.as_ptr().cast(),
            out.as_mut_ptr().cast(),
            pool,
            Some(&epi),
        )
    };
    let mut seen = seen.into_inner().unwrap();
    seen.sort_by_key(|(r, _)| r.start);
    let mut next = 0;
    for (r, sums) in &seen {
        assert_eq!(r.start, next, "ranges {:?} (align {align})", seen.iter().map(|s| &s.0).collect::<Vec<_>>());
        assert!(r.start < r.end);
        assert!(r.start % align == 0 && (r.end % align == 0 || r.end == total), "unaligned {r:?} (align {align})");
        for (row, &s) in r.clone().zip(sums) {
            let want: f32 = out[row * n..(row + 1) * n].iter().sum();
            assert!(s == want || (s.is_nan() && want.is_nan()), "row {row} not final: {s} vs {want}");
        }
        next = r.end;
    }
    assert_eq!(next, total, "rows not covered (align {align})");
}

#[test]
fn epilogue_contract() {
    for threads in [1, 2] {
        let pool = ThreadPool::new(threads);
        for (batch, m, n, k) in
            [(1, 1024, 64, 64), (1, 257, 300, 65), (3, 100, 200, 100), (96, 128, 64, 64), (2, 5, 3, 0)]
        {
            let case = Case::new(batch, m, n, k, Layout::Rows, Layout::Rows, 3);
            for align in [1, 2, 5, 6, 7, 12, 64, 100, 128, 2 * m + 1, batch * m + 5] {
                check_epilogue(&case, &pool, align);
            }
        }
    }
}

#[test]
fn attention_shapes() {
    let pool = ThreadPool::new(2);
    // q · kᵀ with k stored [128, 64]: rhs strides (8192, 1, 64).
    let mut qk = Case::new(6, 128, 128, 64, Layout::Rows, Layout::Rows, 11);
    qk.call.rhs_strides = [8192, 1, 64];
    qk.rhs = values(12, 6 * 8192);
    qk.check(&pool);
    Case::new(6, 128, 64, 128, Layout::Rows, Layout::Rows, 13).check(&pool);
    let _ = qk.run(&pool, None);
}
