//! Packing of operand blocks into the micro-kernel's panel layouts, any strides:
//! `A` (`m × kc`) into `MR`-row panels `[panel][p][MR]`, `B` (`kc × n`) into `NR`-column
//! panels `[panel][p][NR]`, edges zero-padded. Operands whose contraction dimension is
//! the contiguous one go through 8×8 AVX transposes.

use std::arch::x86_64::*;

use super::avx2::{MR, NR};
use super::generic::RowsOf;

/// A strided `rows × cols` source matrix: element `(i, j)` at `ptr + i·rs + j·cs`.
#[derive(Copy, Clone)]
pub(super) struct Src {
    /// Element (0, 0).
    pub ptr: *const f32,
    /// Row stride (elements).
    pub rs: isize,
    /// Column stride (elements).
    pub cs: isize,
}

impl Src {
    /// The element `(i, j)`'s address.
    #[inline(always)]
    pub fn at(&self, i: usize, j: usize) -> *const f32 {
        self.ptr.wrapping_offset(i as isize * self.rs + j as isize * self.cs)
    }
}

/// Packs the `m × kc` block `a` into `m.div_ceil(MR)` panels of `kc·MR` floats at `dst`.
///
/// # Safety
/// AVX2 is available; `a` addresses a valid `m × kc` matrix; `dst` holds
/// `m.div_ceil(MR)·kc·MR` writable floats.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn pack_a(a: Src, m: usize, kc: usize, dst: *mut f32) {
    for (panel, i0) in (0..m).step_by(MR).enumerate() {
        let rows = MR.min(m - i0);
        // SAFETY: panel `panel` of dst; rows i0..i0+rows of `a`.
        unsafe {
            let d = dst.add(panel * kc * MR);
            let mut p0 = 0;
            if rows == MR && a.cs == 1 {
                p0 = kc / 8 * 8;
                let next = i0 + MR < m;
                for p in (0..p0).step_by(8) {
                    if next && p % 16 == 0 {
                        // The rows are short streams: fetch the next panel's ahead.
                        for i in 0..MR.min(m - i0 - MR) {
                            _mm_prefetch::<_MM_HINT_T0>(a.at(i0 + MR + i, p).cast());
                        }
                    }
                    let r = std::array::from_fn(|i| {
                        if i < MR {
                            _mm256_loadu_ps(a.at(i0 + i, p))
                        } else {
                            _mm256_setzero_ps()
                        }
                    });
                    for (q, v) in transpose8(r).iter().enumerate() {
                        let o = d.add((p + q) * MR);
                        _mm_storeu_ps(o, _mm256_castps256_ps128(*v));
                        _mm_store_sd(o.add(4).cast(), _mm_castps_pd(_mm256_extractf128_ps::<1>(*v)));
                    }
                }
            }
            for p in p0..kc {
                for i in 0..MR {
                    *d.add(p * MR + i) = if i < rows { *a.at(i0 + i, p) } else { 0.0 };
                }
            }
        }
    }
}

/// Packs the `kc × n` block `b` into `n.div_ceil(NR)` panels of `kc·NR` floats at `dst`.
///
/// # Safety
/// AVX2 is available; `b` addresses a valid `kc × n` matrix; `dst` holds
/// `n.div_ceil(NR)·kc·NR` writable floats.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn pack_b(b: Src, kc: usize, n: usize, dst: *mut f32) {
    let mut start = 0;
    if b.cs == 1 {
        // Row by row: each row of the block is one contiguous stream.
        start = n / NR;
        for p in 0..kc {
            let s = b.at(p, 0);
            for panel in 0..start {
                // SAFETY: 16 columns of row p, into row p of the panel.
                unsafe {
                    let d = dst.add(panel * kc * NR + p * NR);
                    _mm256_storeu_ps(d, _mm256_loadu_ps(s.add(panel * NR)));
                    _mm256_storeu_ps(d.add(8), _mm256_loadu_ps(s.add(panel * NR + 8)));
                }
            }
        }
    }
    for (panel, j0) in (0..n).step_by(NR).enumerate().skip(start) {
        // SAFETY: panel `panel` of dst; columns j0.. of `b`.
        unsafe { pack_b_panel(b, kc, j0, NR.min(n - j0), dst.add(panel * kc * NR)) }
    }
}

/// A `B` operand made row by row ([`RowsOf`]) instead of read from memory.
pub(super) type RowFn<'a> = RowsOf<'a, f32>;

/// [`pack_b`] of rows `k0..k0 + kc` and columns `j0..j0 + n` of the `B` that `rows`
/// makes, each row made in `row` and then dealt into the panels.
///
/// # Safety
/// AVX2 is available; `rows` makes those rows and columns; `row` holds
/// `n.next_multiple_of(NR)` floats; `dst` holds `n.div_ceil(NR)·kc·NR` writable floats.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn pack_b_rows(
    rows: RowFn,
    k0: usize,
    kc: usize,
    j0: usize,
    n: usize,
    row: &mut [f32],
    dst: *mut f32,
) {
    let np = n.next_multiple_of(NR);
    let row = &mut row[..np];
    row[n..].fill(0.0);
    for p in 0..kc {
        rows(k0 + p, j0, &mut row[..n]);
        for (panel, v) in row.chunks_exact(NR).enumerate() {
            // SAFETY: row p of panel `panel` holds NR floats; `v` is NR floats.
            unsafe {
                let d = dst.add(panel * kc * NR + p * NR);
                _mm256_storeu_ps(d, _mm256_loadu_ps(v.as_ptr()));
                _mm256_storeu_ps(d.add(8), _mm256_loadu_ps(v.as_ptr().add(8)));
            }
        }
    }
}

/// One `B` panel: columns `j0..j0 + cols` into `d[p·NR + j]`.
///
/// # Safety
/// As [`pack_b`], for one panel.
#[target_feature(enable = "avx2,fma")]
unsafe fn pack_b_panel(b: Src, kc: usize, j0: usize, cols: usize, d: *mut f32) {
    // SAFETY: every read is inside the kc × n block, every write inside the panel.
    unsafe {
        let mut p0 = 0;
        if cols == NR && b.rs == 1 {
            p0 = kc / 8 * 8;
            for p in (0..p0).step_by(8) {
                if p % 16 == 0 {
                    // Columns are short streams: fetch the next panel's ahead.
                    for j in 0..NR {
                        _mm_prefetch::<_MM_HINT_T0>(b.at(p, j0 + NR + j).cast());
                    }
                }
                for h in 0..2 {
                    let r = std::array::from_fn(|j| _mm256_loadu_ps(b.at(p, j0 + h * 8 + j)));
                    for (q, v) in transpose8(r).iter().enumerate() {
                        _mm256_storeu_ps(d.add((p + q) * NR + h * 8), *v);
                    }
                }
            }
        }
        for p in p0..kc {
            for j in 0..NR {
                *d.add(p * NR + j) = if j < cols { *b.at(p, j0 + j) } else { 0.0 };
            }
        }
    }
}

/// Transposes 8 rows of 8 lanes: lane `i` of result `q` is lane `q` of row `i`.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn transpose8(r: [__m256; 8]) -> [__m256; 8] {
    let t0 = _mm256_unpacklo_ps(r[0], r[1]);
    let t1 = _mm256_unpackhi_ps(r[0], r[1]);
    let t2 = _mm256_unpacklo_ps(r[2], r[3]);
    let t3 = _mm256_unpackhi_ps(r[2], r[3]);
    let t4 = _mm256_unpacklo_ps(r[4], r[5]);
    let t5 = _mm256_unpackhi_ps(r[4], r[5]);
    let t6 = _mm256_unpacklo_ps(r[6], r[7]);
    let t7 = _mm256_unpackhi_ps(r[6], r[7]);
    let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
    let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
    let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
    let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
    let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
    let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
    let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
    let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
    [
        _mm256_permute2f128_ps::<0x20>(u0, u4),
        _mm256_permute2f128_ps::<0x20>(u1, u5),
        _mm256_permute2f128_ps::<0x20>(u2, u6),
        _mm256_permute2f128_ps::<0x20>(u3, u7),
        _mm256_permute2f128_ps::<0x31>(u0, u4),
        _mm256_permute2f128_ps::<0x31>(u1, u5),
        _mm256_permute2f128_ps::<0x31>(u2, u6),
        _mm256_permute2f128_ps::<0x31>(u3, u7),
    ]
}
