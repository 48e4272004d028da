//! The AVX2/FMA micro-kernel: an `MR × NR` tile of `C` from `A` rows ([`Lhs`]: a packed
//! micro-panel of `kc` columns of `MR` rows, `a[p·MR + i]`, or rows read in place) and
//! a packed `B` micro-panel (`kc` rows of `NR` columns, `b[p·NR + j]`), with the tile's
//! 12 accumulators held in registers.

use std::arch::x86_64::*;

/// Rows of the register tile.
pub(super) const MR: usize = 6;
/// Columns of the register tile (two 8-lane vectors).
pub(super) const NR: usize = 16;

/// Steps of the contraction per loop iteration.
const UNROLL: usize = 8;
/// How far ahead (floats) the packed `A` panel is prefetched: it streams from L2,
/// while the `B` panel stays in L1.
const PREFETCH_A: usize = 16 * MR;

/// Where a micro-kernel reads its `A` rows: `at(p, i)` is element `(i, p)` of the tile's
/// rows.
pub(super) trait Lhs: Copy {
    /// The address of element `(i, p)`.
    fn at(&self, p: usize, i: usize) -> *const f32;
    /// Hints the elements of steps `p..p + UNROLL` a few steps ahead.
    fn prefetch(&self, p: usize);
}

/// A packed `A` micro-panel: `kc` columns of `MR` rows, `a[p·MR + i]`.
#[derive(Copy, Clone)]
pub(super) struct Packed(pub *const f32);

impl Lhs for Packed {
    #[inline(always)]
    fn at(&self, p: usize, i: usize) -> *const f32 {
        self.0.wrapping_add(p * MR + i)
    }

    #[inline(always)]
    fn prefetch(&self, p: usize) {
        for l in 0..UNROLL * MR / 16 {
            // SAFETY: prefetches do not fault; SSE is baseline on x86_64.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(self.at(p, PREFETCH_A + 16 * l).cast()) };
        }
    }
}

/// Rows of an unpacked `A` whose contraction dimension is contiguous: for products
/// too narrow to repay packing, the kernel broadcasts straight from `MR` row streams.
#[derive(Copy, Clone)]
pub(super) struct Rows {
    rows: [*const f32; MR],
    /// The distance to the next tile's rows (`MR` rows on).
    next: isize,
}

impl Rows {
    /// The `m` rows (`1 ≤ m ≤ MR`) from `a`, `lda` elements apart; the missing ones
    /// repeat the first (read, never stored).
    pub fn new(a: *const f32, lda: isize, m: usize) -> Rows {
        let rows = std::array::from_fn(|i| a.wrapping_offset(if i < m { i as isize * lda } else { 0 }));
        Rows { rows, next: MR as isize * lda }
    }
}

impl Lhs for Rows {
    #[inline(always)]
    fn at(&self, p: usize, i: usize) -> *const f32 {
        self.rows[i].wrapping_add(p)
    }

    /// The next tile's rows, a cache line each per 16 steps (they come from L2).
    #[inline(always)]
    fn prefetch(&self, p: usize) {
        if p.is_multiple_of(16) {
            for row in self.rows {
                // SAFETY: prefetches do not fault; SSE is baseline on x86_64.
                unsafe { _mm_prefetch::<_MM_HINT_T0>(row.wrapping_offset(self.next).wrapping_add(p).cast()) };
            }
        }
    }
}

/// One step `p`: `acc += a(p, 0..MR) ⊗ b[0..NR]`.
///
/// # Safety
/// `a` holds step `p` and `b` NR readable floats.
#[inline(always)]
unsafe fn step<A: Lhs>(acc: &mut [[__m256; 2]; MR], a: A, p: usize, b: *const f32) {
    // SAFETY: forwarded contract.
    unsafe {
        let b0 = _mm256_loadu_ps(b);
        let b1 = _mm256_loadu_ps(b.add(8));
        for (i, row) in acc.iter_mut().enumerate() {
            let ai = _mm256_broadcast_ss(&*a.at(p, i));
            row[0] = _mm256_fmadd_ps(ai, b0, row[0]);
            row[1] = _mm256_fmadd_ps(ai, b1, row[1]);
        }
    }
}

/// Where a micro-kernel writes its tile: `m × n` elements (`m ≤ MR`, `n ≤ NR`) at `c`,
/// rows `rs` and columns `cs` elements apart; added to the old values if `add`.
#[derive(Copy, Clone)]
pub(super) struct Dst {
    /// First element of the tile.
    pub c: *mut f32,
    /// Row stride (elements).
    pub rs: isize,
    /// Column stride (elements).
    pub cs: isize,
    /// Valid rows.
    pub m: usize,
    /// Valid columns.
    pub n: usize,
    /// Accumulate into `C` instead of overwriting it.
    pub add: bool,
}

/// `C[tile] (+)= A-panel · B-panel` over `kc` steps.
///
/// # Safety
/// The CPU supports AVX2 and FMA; `a` holds `kc` steps and `b` `kc·NR` readable
/// floats; `d` addresses `d.m × d.n` writable floats (read too if `d.add`).
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn kernel<A: Lhs>(kc: usize, a: A, b: *const f32, d: &Dst) {
    for i in 0..d.m {
        // Fetch the tile's rows while the products run (the first and last element,
        // which may sit on different cache lines).
        let row = d.c.wrapping_offset(i as isize * d.rs);
        _mm_prefetch::<_MM_HINT_T0>(row.cast());
        _mm_prefetch::<_MM_HINT_T0>(row.wrapping_offset((d.n as isize - 1) * d.cs).cast());
    }
    let mut acc = [[_mm256_setzero_ps(); 2]; MR];
    let mut b = b;
    // SAFETY: each step reads step p of `a` and NR floats of `b`, within the panels.
    unsafe {
        let mut p = 0;
        while p + UNROLL <= kc {
            a.prefetch(p);
            for u in 0..UNROLL {
                step(&mut acc, a, p + u, b.add(u * NR));
            }
            p += UNROLL;
            b = b.add(UNROLL * NR);
        }
        while p < kc {
            step(&mut acc, a, p, b);
            p += 1;
            b = b.add(NR);
        }
    }
    if d.m == MR && d.n == NR && d.cs == 1 {
        // SAFETY: a full tile with unit column stride: rows of NR contiguous floats.
        unsafe { store_full(&acc, d) }
    } else {
        // SAFETY: forwarded contract.
        unsafe { store_edge(&acc, d) }
    }
}

/// # Safety
/// As [`kernel`], for a full tile with `d.cs == 1`.
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn store_full(acc: &[[__m256; 2]; MR], d: &Dst) {
    for (i, row) in acc.iter().enumerate() {
        // SAFETY: row i of the tile: NR contiguous floats.
        unsafe {
            let c = d.c.offset(i as isize * d.rs);
            let (mut v0, mut v1) = (row[0], row[1]);
            if d.add {
                v0 = _mm256_add_ps(v0, _mm256_loadu_ps(c));
                v1 = _mm256_add_ps(v1, _mm256_loadu_ps(c.add(8)));
            }
            _mm256_storeu_ps(c, v0);
            _mm256_storeu_ps(c.add(8), v1);
        }
    }
}

/// Stores a partial (or strided) tile through a temporary.
///
/// # Safety
/// As [`kernel`].
#[inline]
#[target_feature(enable = "avx2,fma")]
unsafe fn store_edge(acc: &[[__m256; 2]; MR], d: &Dst) {
    let mut tmp = [0f32; MR * NR];
    for (i, row) in acc.iter().enumerate() {
        // SAFETY: row i of `tmp` holds NR floats.
        unsafe {
            _mm256_storeu_ps(tmp.as_mut_ptr().add(i * NR), row[0]);
            _mm256_storeu_ps(tmp.as_mut_ptr().add(i * NR + 8), row[1]);
        }
    }
    for i in 0..d.m {
        for j in 0..d.n {
            // SAFETY: (i, j) is inside the d.m × d.n tile.
            unsafe {
                let c = d.c.offset(i as isize * d.rs + j as isize * d.cs);
                let v = tmp[i * NR + j];
                *c = if d.add { *c + v } else { v };
            }
        }
    }
}
