//! The AVX2/FMA micro-kernel: an `MR × NR` tile of `C` from a packed `A` micro-panel
//! (`kc` columns of `MR` rows, `a[p·MR + i]`) and a packed `B` micro-panel (`kc` rows
//! of `NR` columns, `b[p·NR + j]`), with the tile's 12 accumulators held in registers.

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

/// One step: `acc += a[0..MR] ⊗ b[0..NR]`.
///
/// # Safety
/// `a` holds MR and `b` NR readable floats.
#[inline(always)]
unsafe fn step(acc: &mut [[__m256; 2]; MR], a: *const f32, b: *const f32) {
    // SAFETY: forwarded contract.
    unsafe {
        let b0 = _mm256_loadu_ps(b);
        let b1 = _mm256_loadu_ps(b.add(8));
        for (i, row) in acc.iter_mut().enumerate() {
            let ai = _mm256_broadcast_ss(&*a.add(i));
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
/// The CPU supports AVX2 and FMA; `a` holds `kc·MR` and `b` `kc·NR` readable floats;
/// `d` addresses `d.m × d.n` writable floats (read too if `d.add`).
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn kernel(kc: usize, a: *const f32, b: *const f32, d: &Dst) {
    for i in 0..d.m {
        // Fetch the tile's rows while the products run (the first and last element,
        // which may sit on different cache lines).
        let row = d.c.wrapping_offset(i as isize * d.rs);
        _mm_prefetch::<_MM_HINT_T0>(row.cast());
        _mm_prefetch::<_MM_HINT_T0>(row.wrapping_offset((d.n as isize - 1) * d.cs).cast());
    }
    let mut acc = [[_mm256_setzero_ps(); 2]; MR];
    let (mut a, mut b) = (a, b);
    // SAFETY: each step reads MR floats of `a` and NR of `b`, within the panels; the
    // prefetches may point past them (prefetches do not fault).
    unsafe {
        for _ in 0..kc / UNROLL {
            for l in 0..UNROLL * MR / 16 {
                _mm_prefetch::<_MM_HINT_T0>(a.wrapping_add(PREFETCH_A + 16 * l).cast());
            }
            for u in 0..UNROLL {
                step(&mut acc, a.add(u * MR), b.add(u * NR));
            }
            a = a.add(UNROLL * MR);
            b = b.add(UNROLL * NR);
        }
        for _ in 0..kc % UNROLL {
            step(&mut acc, a, b);
            a = a.add(MR);
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
