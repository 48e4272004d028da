//! The portable batched matrix product with arbitrary element strides: i32/i64 through
//! a plain wrapping loop, f64 (and f32 where the AVX2 kernel is not available) through:
//! - one thread: the `gemm` crate, single-threaded;
//! - several threads and many batches: `gemm` blocks, batches split over the pool;
//! - several threads and few large matrices: `matrixmultiply` with its own threads
//!   (they share packed panels, measured ~15-20% faster on this machine than splitting
//!   the output over the pool). Its thread count is `MATMUL_NUM_THREADS` or the number
//!   of physical cores (at most 4), read once per process.

use super::epilogue::Tracker;
use crate::kernels::RowEpilogue;
use crate::pool::{chunk_range, ThreadPool};

/// A product's lhs packed once for several products with other rhs (see
/// [`Scalar::pack_lhs`]).
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) struct PackedLhs {
    #[cfg(target_arch = "x86_64")]
    inner: super::prepacked::PackedA,
}

/// A matrix operand made row by row on demand (a convolution's im2col): `row(p, j0,
/// dst)` writes the elements `(p, j0 + j)` of row `p` to `dst[j]`, for all of `dst`.
pub(crate) type RowsOf<'a, T> = &'a dyn Fn(usize, usize, &mut [T]);

/// An element type the matrix product handles.
pub(crate) trait Scalar: Copy + Send + Sync + 'static {
    /// Zero.
    const ZERO: Self;
    /// `out = lhs · rhs` for one block, single-threaded, through the portable (crate)
    /// path.
    ///
    /// # Safety
    /// The pointers and strides address valid `m×k`, `k×n` and `m×n` matrices; `out`
    /// does not overlap the inputs; pointers are aligned to `Self`.
    unsafe fn block_portable(p: &MatMul<Self>);
    /// `out = lhs · rhs` for one block, single-threaded, by the fastest kernel.
    ///
    /// # Safety
    /// As [`Scalar::block_portable`].
    unsafe fn block(p: &MatMul<Self>) {
        // SAFETY: forwarded contract.
        unsafe { Self::block_portable(p) }
    }
    /// The whole batched product on `pool` with a native kernel, calling `epi` on rows
    /// as they are final, if there is one for this type and shape; returns whether it
    /// ran.
    ///
    /// # Safety
    /// As [`Scalar::block`], for every batch.
    unsafe fn matmul_native(p: &MatMul<Self>, pool: &ThreadPool, epi: Option<&RowEpilogue>) -> bool {
        let _ = (p, pool, epi);
        false
    }
    /// Packs the lhs of `p` (its `m`, `k`, `lhs` and `ls`; batch 0) for
    /// [`Scalar::block_packed`], if this type's kernel gains from it.
    ///
    /// # Safety
    /// The lhs of `p` is a valid `m×k` matrix.
    unsafe fn pack_lhs(p: &MatMul<Self>) -> Option<PackedLhs> {
        let _ = p;
        None
    }
    /// [`Scalar::block`] with the lhs packed by [`Scalar::pack_lhs`] from the same lhs.
    ///
    /// # Safety
    /// As [`Scalar::block`].
    unsafe fn block_packed(p: &MatMul<Self>, lhs: &PackedLhs) {
        let _ = lhs;
        // SAFETY: forwarded contract.
        unsafe { Self::block(p) }
    }
    /// `out = lhs · B` for one block whose lhs was packed by [`Scalar::pack_lhs`], the
    /// `k × n` matrix `B` made row by row by `rhs` (`rhs(p, j0, dst)` writes elements
    /// `(p, j0..j0 + dst.len())`), `out` rows `os[0]` and columns `os[1]` elements
    /// apart. Returns `false`, having done nothing, if this type has no such kernel.
    ///
    /// # Safety
    /// `out` addresses a valid `m × n` matrix (`m`, `k` those of the packed lhs) that
    /// `rhs` does not read; `rhs` makes rows `0..k`, columns `0..n`.
    unsafe fn block_packed_rows(lhs: &PackedLhs, n: usize, out: *mut Self, os: [isize; 2], rhs: RowsOf<Self>) -> bool {
        let _ = (lhs, n, out, os, rhs);
        false
    }
    /// `out = lhs · rhs` for one block with a multithreaded library, if there is one
    /// for this type; returns whether it ran.
    ///
    /// # Safety
    /// As [`Scalar::block_portable`].
    unsafe fn block_threaded(p: &MatMul<Self>) -> bool {
        let _ = p;
        false
    }
}

/// One batched product `out[b] = lhs[b] · rhs[b]`; strides are in elements, in the
/// order (batch, row, column).
#[derive(Copy, Clone, Debug)]
pub(crate) struct MatMul<T> {
    /// Batch count.
    pub batch: usize,
    /// Rows of out.
    pub m: usize,
    /// Columns of out.
    pub n: usize,
    /// Contraction length.
    pub k: usize,
    /// lhs base.
    pub lhs: *const T,
    /// lhs strides (batch, m, k).
    pub ls: [isize; 3],
    /// rhs base.
    pub rhs: *const T,
    /// rhs strides (batch, k, n).
    pub rs: [isize; 3],
    /// out base.
    pub out: *mut T,
    /// out strides (batch, m, n).
    pub os: [isize; 3],
}

// SAFETY: a MatMul is a description of memory the caller guarantees valid; tasks built
// from it write disjoint blocks of `out`.
unsafe impl<T: Sync> Sync for MatMul<T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Send for MatMul<T> {}

macro_rules! float_scalar {
    ($t:ty, $mm:path, { $($native:tt)* }) => {
        impl Scalar for $t {
            const ZERO: $t = 0.0;
            unsafe fn block_portable(p: &MatMul<$t>) {
                if p.m == 0 || p.n == 0 {
                    return;
                }
                if p.k == 0 {
                    // SAFETY: forwarded contract.
                    return unsafe { fill_zero(p) };
                }
                // SAFETY: forwarded contract; `gemm` accepts any strides and does
                // unaligned vector loads. With read_dst=false it writes `1·lhs·rhs`.
                unsafe {
                    gemm::gemm(
                        p.m,
                        p.n,
                        p.k,
                        p.out,
                        p.os[2],
                        p.os[1],
                        false,
                        p.lhs,
                        p.ls[2],
                        p.ls[1],
                        p.rhs,
                        p.rs[2],
                        p.rs[1],
                        0.0,
                        1.0,
                        false,
                        false,
                        false,
                        gemm::Parallelism::None,
                    )
                }
            }
            unsafe fn block_threaded(p: &MatMul<$t>) -> bool {
                if p.m == 0 || p.n == 0 || p.k == 0 {
                    // SAFETY: forwarded contract.
                    unsafe { Self::block_portable(p) };
                    return true;
                }
                // SAFETY: forwarded contract; matrixmultiply accepts any strides and,
                // with beta = 0, does not read `out`.
                unsafe {
                    $mm(
                        p.m, p.k, p.n, 1.0, p.lhs, p.ls[1], p.ls[2], p.rhs, p.rs[1], p.rs[2], 0.0, p.out, p.os[1],
                        p.os[2],
                    )
                };
                true
            }
            $($native)*
        }
    };
}
#[cfg(target_arch = "x86_64")]
float_scalar!(f32, matrixmultiply::sgemm, {
    unsafe fn block(p: &MatMul<f32>) {
        // SAFETY: forwarded contract; the AVX2 kernel only runs where detected.
        unsafe {
            if super::driver::available() {
                super::driver::block(p)
            } else {
                Self::block_portable(p)
            }
        }
    }
    unsafe fn matmul_native(p: &MatMul<f32>, pool: &ThreadPool, epi: Option<&RowEpilogue>) -> bool {
        // SAFETY: forwarded contract; the AVX2 kernel only runs where detected.
        super::driver::available() && unsafe { super::driver::matmul(p, pool, epi) }
    }
    unsafe fn pack_lhs(p: &MatMul<f32>) -> Option<PackedLhs> {
        if !super::driver::available() {
            return None;
        }
        // SAFETY: forwarded contract; AVX2 detected.
        unsafe { super::prepacked::PackedA::new(p) }.map(|inner| PackedLhs { inner })
    }
    unsafe fn block_packed(p: &MatMul<f32>, lhs: &PackedLhs) {
        // SAFETY: forwarded contract; a PackedLhs exists only where AVX2 was detected.
        unsafe { lhs.inner.block(p) }
    }
    unsafe fn block_packed_rows(lhs: &PackedLhs, n: usize, out: *mut f32, os: [isize; 2], rhs: RowsOf<f32>) -> bool {
        // SAFETY: forwarded contract; a PackedLhs exists only where AVX2 was detected.
        unsafe { lhs.inner.block_rows(n, out, os, rhs) };
        true
    }
});
#[cfg(not(target_arch = "x86_64"))]
float_scalar!(f32, matrixmultiply::sgemm, {});
float_scalar!(f64, matrixmultiply::dgemm, {});

macro_rules! int_scalar {
    ($t:ty) => {
        impl Scalar for $t {
            const ZERO: $t = 0;
            unsafe fn block_portable(p: &MatMul<$t>) {
                // SAFETY: forwarded contract: every offset formed is inside its matrix.
                unsafe {
                    fill_zero(p);
                    for i in 0..p.m as isize {
                        let row = p.out.offset(i * p.os[1]);
                        for q in 0..p.k as isize {
                            let a = *p.lhs.offset(i * p.ls[1] + q * p.ls[2]);
                            let b = p.rhs.offset(q * p.rs[1]);
                            for j in 0..p.n as isize {
                                let o = row.offset(j * p.os[2]);
                                *o = (*o).wrapping_add(a.wrapping_mul(*b.offset(j * p.rs[2])));
                            }
                        }
                    }
                }
            }
        }
    };
}
int_scalar!(i32);
int_scalar!(i64);

/// # Safety
/// `p.out` addresses a valid `m×n` matrix.
unsafe fn fill_zero<T: Scalar>(p: &MatMul<T>) {
    for i in 0..p.m as isize {
        for j in 0..p.n as isize {
            // SAFETY: inside the out matrix by contract.
            unsafe { *p.out.offset(i * p.os[1] + j * p.os[2]) = T::ZERO };
        }
    }
}

/// Multiply-adds below which a product stays on one thread.
const PARALLEL_MACS: usize = 1 << 21;

/// Columns (or rows) per piece are a multiple of this, to keep micro-kernel tiles whole.
const GRAIN: usize = 16;

/// Runs `p` on `pool` with the fastest kernel.
///
/// # Safety
/// As [`Scalar::block`], for every batch.
pub(crate) unsafe fn matmul<T: Scalar>(p: &MatMul<T>, pool: &ThreadPool) {
    // SAFETY: forwarded contract.
    unsafe { matmul_with_epilogue(p, pool, None) }
}

/// Runs `p` on `pool` with the fastest kernel, calling `epi` on rows (`b·m + i`) once
/// they are final (see [`RowEpilogue`]).
///
/// # Safety
/// As [`Scalar::block`], for every batch.
pub(crate) unsafe fn matmul_with_epilogue<T: Scalar>(p: &MatMul<T>, pool: &ThreadPool, epi: Option<&RowEpilogue>) {
    // SAFETY: forwarded contract.
    unsafe {
        if !T::matmul_native(p, pool, epi) {
            matmul_portable(p, pool);
            Tracker::all(epi, p.batch * p.m);
        }
    }
}

/// Runs `p` through the portable (crate) kernels, splitting batches and then columns
/// (or rows) over `pool`.
///
/// # Safety
/// As [`Scalar::block`], for every batch.
pub(crate) unsafe fn matmul_portable<T: Scalar>(p: &MatMul<T>, pool: &ThreadPool) {
    let threads = pool.threads();
    let macs = p.batch.saturating_mul(p.m).saturating_mul(p.n).saturating_mul(p.k.max(1));
    if threads > 1 && macs >= PARALLEL_MACS && p.batch < 2 * threads {
        let batch = |b: usize| MatMul {
            batch: 1,
            lhs: p.lhs.wrapping_offset(b as isize * p.ls[0]),
            rhs: p.rhs.wrapping_offset(b as isize * p.rs[0]),
            out: p.out.wrapping_offset(b as isize * p.os[0]),
            ..*p
        };
        // SAFETY: batch b of p, valid by contract.
        if (0..p.batch).all(|b| unsafe { T::block_threaded(&batch(b)) }) {
            return;
        }
    }
    let (split_n, parts) = if threads == 1 || macs < PARALLEL_MACS || p.batch >= 2 * threads {
        (true, 1)
    } else {
        let want = (2 * threads).div_ceil(p.batch);
        let split_n = p.n >= p.m;
        let units = (if split_n { p.n } else { p.m }).div_ceil(GRAIN);
        (split_n, want.min(units).max(1))
    };
    let tasks = p.batch * parts;
    let chunks = if macs < PARALLEL_MACS { 1 } else { tasks };
    pool.parallel_for(tasks, chunks, &|range, _| {
        for t in range {
            let (b, piece) = ((t / parts) as isize, t % parts);
            let mut q = MatMul {
                batch: 1,
                lhs: p.lhs.wrapping_offset(b * p.ls[0]),
                rhs: p.rhs.wrapping_offset(b * p.rs[0]),
                out: p.out.wrapping_offset(b * p.os[0]),
                ..*p
            };
            if parts > 1 {
                let len = if split_n { p.n } else { p.m };
                let r = chunk_range(len.div_ceil(GRAIN), parts, piece);
                let (lo, hi) = (r.start * GRAIN, (r.end * GRAIN).min(len));
                if split_n {
                    q.n = hi - lo;
                    q.rhs = q.rhs.wrapping_offset(lo as isize * p.rs[2]);
                    q.out = q.out.wrapping_offset(lo as isize * p.os[2]);
                } else {
                    q.m = hi - lo;
                    q.lhs = q.lhs.wrapping_offset(lo as isize * p.ls[1]);
                    q.out = q.out.wrapping_offset(lo as isize * p.os[1]);
                }
            }
            // SAFETY: q is a sub-block of batch b of p, valid by contract; distinct
            // tasks write disjoint blocks of out.
            unsafe { T::block_portable(&q) };
        }
    });
}
