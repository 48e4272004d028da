//! The `A` operand of many f32 products packed once, for callers that multiply one
//! small matrix by many (a convolution's kernel by each im2col tile).

use super::avx2::MR;
use super::driver::{k_blocks, One, L2_A_FLOATS, MC};
use super::generic::MatMul;
use super::pack::RowFn;
use super::scratch::{Kind, Scratch};

/// `A` (`m × k`, `m ≤ MC`) packed as the short-rows path of the driver reads it.
pub(crate) struct PackedA {
    buf: Scratch,
    lhs: *const f32,
    ls: [isize; 2],
    m: usize,
    k: usize,
}

// SAFETY: after `new` the buffer is only read; it is dropped by its owner.
unsafe impl Sync for PackedA {}

impl PackedA {
    /// Packs the lhs of batch 0 of `p`, if its products take the short-rows path
    /// (few rows, `k > 0`); `None` otherwise.
    ///
    /// # Safety
    /// AVX2 is available; `p`'s lhs is a valid `m × k` matrix.
    pub unsafe fn new(p: &MatMul<f32>) -> Option<PackedA> {
        let mp = p.m.next_multiple_of(MR);
        if p.m == 0 || p.m > MC || p.k == 0 || mp * p.k > L2_A_FLOATS {
            return None;
        }
        let (kc, kb) = k_blocks(p.k);
        let mut buf = Scratch::take(Kind::Prepacked, mp * p.k);
        // SAFETY: forwarded contract; the buffer holds mp · k floats.
        unsafe { One::new(p, 0).pack_a_all(0..p.m, kc, kb, buf.ptr()) };
        Some(PackedA { buf, lhs: p.lhs, ls: [p.ls[1], p.ls[2]], m: p.m, k: p.k })
    }

    /// `out = lhs · rhs` for batch 0 of `p`, whose lhs is the one packed here.
    ///
    /// # Safety
    /// AVX2 is available; `p` describes valid matrices, `out` not overlapping the
    /// inputs; its lhs, `m` and `k` are those this was packed from.
    pub unsafe fn block(&self, p: &MatMul<f32>) {
        assert!(p.lhs == self.lhs && [p.ls[1], p.ls[2]] == self.ls && (p.m, p.k) == (self.m, self.k));
        if p.n == 0 {
            return;
        }
        let (kc, kb) = k_blocks(p.k);
        // SAFETY: forwarded contract; the buffer holds the packed lhs.
        unsafe { One::new(p, 0).rows_short_packed(0..p.m, kc, kb, Some(self.buf.ptr_const()), None) };
    }

    /// `out = lhs · B` for the `k × n` matrix `B` that `rhs` makes row by row, `out`
    /// rows `os[0]` and columns `os[1]` elements apart.
    ///
    /// # Safety
    /// AVX2 is available; `out` addresses a valid `m × n` matrix that `rhs` does not
    /// read; `rhs` makes rows `0..k`, columns `0..n`.
    pub unsafe fn block_rows(&self, n: usize, out: *mut f32, os: [isize; 2], rhs: RowFn) {
        if n == 0 {
            return;
        }
        let p = MatMul {
            batch: 1,
            m: self.m,
            n,
            k: self.k,
            lhs: self.lhs,
            ls: [0, self.ls[0], self.ls[1]],
            rhs: std::ptr::null(),
            rs: [0; 3],
            out,
            os: [0, os[0], os[1]],
        };
        let (kc, kb) = k_blocks(self.k);
        // SAFETY: forwarded contract; the buffer holds the packed lhs; B is made, not
        // read through the null rhs.
        unsafe { One::new(&p, 0).rows_short_packed(0..self.m, kc, kb, Some(self.buf.ptr_const()), Some(rhs)) };
    }
}
