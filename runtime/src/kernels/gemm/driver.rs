//! BLIS-style blocking around the AVX2 micro-kernel, for f32: the single-threaded
//! work of one task. A `KC`-deep `B` panel is read from L1 by each micro-kernel call,
//! a block of packed `A` stays in L2; `C` is overwritten by the first `k` block and
//! accumulated by the others. The cut into tasks is in [`super::threads`].

use std::ops::Range;

use super::avx2::{kernel, Dst, Packed, Rows, MR, NR};
use super::generic::MatMul;
use super::pack::{pack_a, pack_b, pack_b_rows, RowFn, Src};
use super::scratch::{Kind, Scratch};

pub(crate) use super::threads::matmul;

/// Contraction depth per block (a `KC × NR` panel of `B` is 16 KiB, half of L1).
pub(super) const KC: usize = 256;
/// Rows of `A` packed at a time (`MC × KC` floats: 144 KiB of L2).
pub(super) const MC: usize = 144;
/// Columns of `B` packed at a time by a task that packs its own `B` for many rows.
const NC: usize = 2048;
/// Floats of packed `B` a task packs at a time for few rows (128 KiB, in L2 beside
/// the `A` block and a chunk of `C`).
const L2_B_FLOATS: usize = 32 * 1024;
/// Widest product whose row-major `A` the short-rows path reads in place instead of
/// packing (its rows then serve at most this many columns, too few to repay a pack).
const IN_PLACE_A_MAX_N: usize = 256;
/// Floats of packed `A` (all of `k`) that a task with few rows keeps in L2.
pub(super) const L2_A_FLOATS: usize = 64 * 1024;

/// Whether the CPU has AVX2 and FMA (detected once).
pub(crate) fn available() -> bool {
    use std::sync::OnceLock;
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
}

/// The `k` blocking: block depth and count.
pub(super) fn k_blocks(k: usize) -> (usize, usize) {
    let kc = k.div_ceil(k.div_ceil(KC).max(1)).next_multiple_of(8).min(k).max(1);
    (kc, k.max(1).div_ceil(kc))
}

/// One batch of a product, rows `0..m`.
#[derive(Copy, Clone)]
pub(super) struct One {
    n: usize,
    k: usize,
    a: Src,
    /// The batch's `B`.
    pub(super) b: Src,
    c: *mut f32,
    crs: isize,
    ccs: isize,
}

impl One {
    /// Batch `batch` of `p`.
    pub(super) fn new(p: &MatMul<f32>, batch: usize) -> One {
        let b = batch as isize;
        One {
            n: p.n,
            k: p.k,
            a: Src { ptr: p.lhs.wrapping_offset(b * p.ls[0]), rs: p.ls[1], cs: p.ls[2] },
            b: Src { ptr: p.rhs.wrapping_offset(b * p.rs[0]), rs: p.rs[1], cs: p.rs[2] },
            c: p.out.wrapping_offset(b * p.os[0]),
            crs: p.os[1],
            ccs: p.os[2],
        }
    }

    pub(super) fn c_at(&self, i: usize, j: usize) -> *mut f32 {
        self.c.wrapping_offset(i as isize * self.crs + j as isize * self.ccs)
    }

    /// Rows `rows` of the product, packing `B` itself: a short block of rows packs
    /// `A` once per `k` block and `B` in chunks that stay in L2; a tall one packs `B`
    /// in `KC × NC` blocks (in L3) shared by its `MC`-row blocks.
    ///
    /// # Safety
    /// AVX2 is available; the matrices are valid; `k > 0`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn rows_local(&self, rows: Range<usize>) {
        let (kc, kb) = k_blocks(self.k);
        let mp = rows.len().next_multiple_of(MR);
        if rows.len() <= MC && mp * self.k <= L2_A_FLOATS {
            // SAFETY: as below.
            return unsafe { self.rows_short(rows, kc, kb) };
        }
        let mut abuf = Scratch::take(Kind::A, MC.next_multiple_of(MR) * kc);
        let ap = abuf.ptr();
        let mut bbuf = Scratch::take(Kind::B, NC.min(self.n.next_multiple_of(NR)) * kc);
        for j0 in (0..self.n).step_by(NC) {
            let nb = NC.min(self.n - j0);
            for q in 0..kb {
                let (k0, kq) = (q * kc, kc.min(self.k - q * kc));
                // SAFETY: a kq × nb block of B into a buffer of kc · NC(rounded) floats.
                unsafe { pack_b(Src { ptr: self.b.at(k0, j0), ..self.b }, kq, nb, bbuf.ptr()) };
                for i0 in rows.clone().step_by(MC) {
                    let mb = MC.min(rows.end - i0);
                    // SAFETY: an mb × kq block of A (mb ≤ MC) into the A buffer; the
                    // block of C is inside it.
                    unsafe {
                        self.pack_a(i0, mb, k0, kq, ap);
                        self.macro_block(i0, mb, k0, kq, Some(ap), bbuf.ptr(), j0, nb);
                    }
                }
            }
        }
    }

    /// [`One::rows_local`] for a short block of rows: all of its `A` packed once (it
    /// stays in L2), then per chunk of columns every `k` block of `B` packed in turn
    /// (in L2 with the chunk of `C`).
    ///
    /// # Safety
    /// As [`One::rows_local`]; `rows.len() ≤ MC`; `(kc, kb)` is `k_blocks(k)`.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn rows_short(&self, rows: Range<usize>, kc: usize, kb: usize) {
        if self.a.cs == 1 && self.n <= IN_PLACE_A_MAX_N {
            // SAFETY: forwarded contract; A is read in place.
            return unsafe { self.rows_short_packed(rows, kc, kb, None, None) };
        }
        let mut abuf = Scratch::take(Kind::A, rows.len().next_multiple_of(MR) * self.k);
        // SAFETY: forwarded contract; the buffer holds the packed rows.
        unsafe {
            self.pack_a_all(rows.clone(), kc, kb, abuf.ptr());
            self.rows_short_packed(rows, kc, kb, Some(abuf.ptr()), None);
        }
    }

    /// Packs rows `rows` of `A`, all of `k`, at `ap`: `k` block `q` at
    /// `q · kc · mp` floats (`mp` = the rows rounded up to `MR`).
    ///
    /// # Safety
    /// AVX2 is available; the rows are inside `A`; `ap` holds `mp · k` floats;
    /// `(kc, kb)` is `k_blocks(k)`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn pack_a_all(&self, rows: Range<usize>, kc: usize, kb: usize, ap: *mut f32) {
        let mp = rows.len().next_multiple_of(MR);
        for q in 0..kb {
            let (k0, kq) = (q * kc, kc.min(self.k - q * kc));
            // SAFETY: k block q of the rows of A, after q blocks of mp · kc floats.
            unsafe { self.pack_a(rows.start, rows.len(), k0, kq, ap.add(q * kc * mp)) };
        }
    }

    /// [`One::rows_short`] with the rows of `A` packed by [`One::pack_a_all`] at `ap`
    /// if given (else read in place), and `B` made by `made` if given (else read from
    /// memory).
    ///
    /// # Safety
    /// As [`One::rows_short`]; `ap` holds the packed rows, or `A`'s columns are
    /// contiguous; `made` makes the `k × n` rows of `B`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn rows_short_packed(
        &self,
        rows: Range<usize>,
        kc: usize,
        kb: usize,
        ap: Option<*const f32>,
        made: Option<RowFn>,
    ) {
        let mp = rows.len().next_multiple_of(MR);
        let nc = (L2_B_FLOATS / kc / NR * NR).max(NR);
        let mut bbuf = Scratch::take(Kind::B, nc.min(self.n.next_multiple_of(NR)) * kc);
        let mut row = Scratch::take(Kind::Row, if made.is_some() { nc } else { 0 });
        for j0 in (0..self.n).step_by(nc) {
            let nb = nc.min(self.n - j0);
            for q in 0..kb {
                let (k0, kq) = (q * kc, kc.min(self.k - q * kc));
                // SAFETY: a kq × nb block of B into a buffer of kc · nc floats (through
                // a row of nc floats when made); the block of C is inside it; A's k
                // block q as packed.
                unsafe {
                    match made {
                        Some(f) => pack_b_rows(f, k0, kq, j0, nb, row.slice(nc), bbuf.ptr()),
                        None => pack_b(Src { ptr: self.b.at(k0, j0), ..self.b }, kq, nb, bbuf.ptr()),
                    }
                    let a = ap.map(|ap| ap.add(q * kc * mp));
                    self.macro_block(rows.start, rows.len(), k0, kq, a, bbuf.ptr(), j0, nb);
                }
            }
        }
    }

    /// The block `rows × cols` of the product with `B` packed by [`pack_all_b`] at `bp`;
    /// `cols.start` is a multiple of `NR`.
    ///
    /// # Safety
    /// AVX2 is available; the matrices are valid; `k > 0`; `bp` holds this batch's
    /// packed `B`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn rows_shared(&self, rows: Range<usize>, cols: Range<usize>, bp: *const f32) {
        let (kc, kb) = k_blocks(self.k);
        let np = self.n.next_multiple_of(NR);
        let mut abuf = Scratch::take(Kind::A, MC.next_multiple_of(MR) * kc);
        for i0 in rows.clone().step_by(MC) {
            let mb = MC.min(rows.end - i0);
            for q in 0..kb {
                let (k0, kq) = (q * kc, kc.min(self.k - q * kc));
                // SAFETY: k block q of the packed B starts after q full blocks, panel
                // j0 / NR of it after as many panels of kq · NR floats.
                unsafe {
                    let b = bp.add(q * kc * np + cols.start * kq);
                    self.pack_a(i0, mb, k0, kq, abuf.ptr());
                    self.macro_block(i0, mb, k0, kq, Some(abuf.ptr()), b, cols.start, cols.len());
                }
            }
        }
    }

    /// Packs rows `i0..i0 + mb` and columns `k0..k0 + kq` of `A` at `ap`.
    ///
    /// # Safety
    /// AVX2 is available; the block is inside `A`; `ap` holds `mb.div_ceil(MR)·MR·kq`
    /// floats.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn pack_a(&self, i0: usize, mb: usize, k0: usize, kq: usize, ap: *mut f32) {
        // SAFETY: forwarded contract.
        unsafe { pack_a(Src { ptr: self.a.at(i0, k0), ..self.a }, mb, kq, ap) };
    }

    /// `C[i0.., j0..] (+)= A-block · B-block` for `mb` rows, `nb` columns and `kq`
    /// steps, `A` packed at `ap` (else read in place), `B` at `bp`; overwrites `C` on
    /// the first `k` block.
    ///
    /// # Safety
    /// AVX2 is available; the block is inside `C`; `ap` and `bp` hold the packed
    /// `mb × kq` and `kq × nb` blocks, or `A`'s columns are contiguous.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn macro_block(
        &self,
        i0: usize,
        mb: usize,
        k0: usize,
        kq: usize,
        ap: Option<*const f32>,
        bp: *const f32,
        j0: usize,
        nb: usize,
    ) {
        for jp in 0..nb.div_ceil(NR) {
            for ip in 0..mb.div_ceil(MR) {
                let (i, j) = (ip * MR, jp * NR);
                let d = Dst {
                    c: self.c_at(i0 + i, j0 + j),
                    rs: self.crs,
                    cs: self.ccs,
                    m: MR.min(mb - i),
                    n: NR.min(nb - j),
                    add: k0 > 0,
                };
                let b = bp.wrapping_add(jp * kq * NR);
                // SAFETY: panels ip of A (or its rows) and jp of B; the tile is inside C.
                unsafe {
                    match ap {
                        Some(ap) => kernel(kq, Packed(ap.add(ip * kq * MR)), b, &d),
                        None => kernel(kq, Rows::new(self.a.at(i0 + i, k0), self.a.rs, d.m), b, &d),
                    }
                }
            }
        }
    }
}

/// Single-threaded product of batch 0 of `p`.
///
/// # Safety
/// AVX2 is available ([`available`]); `p` describes valid matrices, `out` not
/// overlapping the inputs.
pub(crate) unsafe fn block(p: &MatMul<f32>) {
    let one = One::new(p, 0);
    if p.m == 0 || p.n == 0 {
        return;
    }
    // SAFETY: forwarded contract.
    unsafe {
        if p.k == 0 {
            zero(&one, 0..p.m);
        } else {
            one.rows_local(0..p.m);
        }
    }
}

/// # Safety
/// `rows` of `one.c` are valid.
pub(super) unsafe fn zero(one: &One, rows: Range<usize>) {
    for i in rows {
        for j in 0..one.n {
            // SAFETY: inside C.
            unsafe { *one.c_at(i, j) = 0.0 };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_blocks_cover_k() {
        for k in 0..5000 {
            let (kc, kb) = k_blocks(k);
            assert!((1..=KC).contains(&kc), "k {k}: kc {kc}");
            assert!((kb - 1) * kc < k.max(1) && k <= kb * kc, "k {k}: {kb} blocks of {kc}");
        }
    }
}
