//! Threading of the f32 product: the cut of the output into tasks over the pool
//! (blocks of rows, and of columns when there are few rows), `B` packed once per call
//! and shared when a batch has several tasks, and the row epilogue as tasks finish.

use super::avx2::{MR, NR};
use super::driver::{k_blocks, zero, One};
use super::epilogue::Tracker;
use super::generic::MatMul;
use super::pack::{pack_b, Src};
use super::scratch::{Kind, Scratch};
use crate::kernels::RowEpilogue;
use crate::pool::ThreadPool;

/// Multiply-adds below which a product stays on one thread.
const PARALLEL_MACS: usize = 1 << 20;
/// Tasks wanted per thread when a batch is split (dynamic scheduling evens out the
/// remainder).
const TASKS_PER_THREAD: usize = 4;
/// Rows a task computes at least, if the matrix has them (each `B` panel a task reads
/// from L3 then serves `MIN_ROWS / MR` micro-kernel calls from L1).
const MIN_ROWS: usize = 128;
/// Columns a task computes at least, if the matrix has them.
const MIN_COLS: usize = 4 * NR;

/// How a threaded product is cut into tasks: per batch, blocks of rows times blocks
/// of columns.
struct Split {
    /// Row blocks per batch.
    rblocks: usize,
    /// Rows per block (the last one may be shorter).
    rows: usize,
    /// Column blocks per row block.
    cblocks: usize,
    /// Columns per block, a multiple of `NR` (the last one may be shorter).
    cols: usize,
    /// Whether tasks run on the pool.
    parallel: bool,
}

fn split(p: &MatMul<f32>, threads: usize, align: usize) -> Split {
    let macs = p.batch.saturating_mul(p.m).saturating_mul(p.n).saturating_mul(p.k.max(1));
    let parallel = threads > 1 && macs >= PARALLEL_MACS;
    let per_batch =
        if !parallel || p.batch >= 2 * threads { 1 } else { (TASKS_PER_THREAD * threads).div_ceil(p.batch) };
    let want_rows = per_batch.min(p.m.div_ceil(MIN_ROWS)).max(1);
    let unit = if align > 1 && p.m.is_multiple_of(align) {
        let l = lcm(MR, align);
        if l <= p.m.div_ceil(want_rows) {
            l
        } else {
            align
        }
    } else {
        MR
    };
    let rows = p.m.div_ceil(want_rows).next_multiple_of(unit).min(p.m).max(1);
    let rblocks = p.m.div_ceil(rows);
    let want_cols = per_batch.div_ceil(rblocks).min(p.n.div_ceil(MIN_COLS)).max(1);
    let cols = p.n.div_ceil(want_cols).next_multiple_of(NR);
    Split { rblocks, rows, cblocks: p.n.div_ceil(cols), cols, parallel }
}

fn lcm(a: usize, b: usize) -> usize {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    a / x * b
}

/// A raw pointer shared by tasks that write disjoint parts of it.
#[derive(Copy, Clone)]
struct Shared(*mut f32);
// SAFETY: tasks write disjoint panels, then only read.
unsafe impl Sync for Shared {}
// SAFETY: as above.
unsafe impl Send for Shared {}

impl Shared {
    /// The pointer (a method, so closures capture the whole `Shared`, which is Sync).
    fn at(&self, offset: usize) -> *mut f32 {
        self.0.wrapping_add(offset)
    }
}

/// `out = lhs · rhs` for every batch of `p`, threaded over `pool`, calling `epi` on
/// rows as they are finished. Returns `false`, having done nothing, for shapes it does
/// not split well over the threads (few, short matrices), which the caller runs
/// another way.
///
/// # Safety
/// AVX2 is available ([`available`]); `p` describes valid matrices, `out` not
/// overlapping the inputs.
pub(crate) unsafe fn matmul(p: &MatMul<f32>, pool: &ThreadPool, epi: Option<&RowEpilogue>) -> bool {
    let total = p.batch * p.m;
    if total == 0 || p.n == 0 || p.k == 0 {
        for b in 0..p.batch {
            if p.n > 0 {
                // SAFETY: forwarded contract.
                unsafe { zero(&One::new(p, b), 0..p.m) };
            }
        }
        Tracker::all(epi, total);
        return true;
    }
    let threads = pool.threads();
    let align = epi.map_or(1, |e| e.align.max(1));
    let s = split(p, threads, align);
    let tasks = p.batch * s.rblocks * s.cblocks;
    if s.parallel && tasks < threads {
        return false;
    }
    let aligned = (p.m.is_multiple_of(align) || p.batch == 1) && (s.rows.is_multiple_of(align) || s.rblocks == 1);
    let tracker = Tracker::with_parts(epi, total, s.cblocks, aligned);
    let chunks = if s.parallel { tasks } else { 1 };
    // Task t: batch, rows, columns (column blocks of a row block are consecutive).
    let task = |t: usize| {
        let (b, rb, cb) = (t / (s.rblocks * s.cblocks), t / s.cblocks % s.rblocks, t % s.cblocks);
        (b, rb * s.rows..((rb + 1) * s.rows).min(p.m), cb * s.cols..((cb + 1) * s.cols).min(p.n))
    };
    if tasks == p.batch {
        pool.parallel_for(tasks, chunks, &|range, _| {
            for t in range {
                let (b, r, _) = task(t);
                // SAFETY: forwarded contract; tasks write disjoint rows.
                unsafe { One::new(p, b).rows_local(r.clone()) };
                tracker.done_parts(b * p.m + r.start..b * p.m + r.end, 1);
            }
        });
        return true;
    }
    let (kc, _) = k_blocks(p.k);
    let per_batch = p.k.next_multiple_of(kc) * p.n.next_multiple_of(NR);
    let mut bbuf = Scratch::take(Kind::Shared, p.batch * per_batch);
    let bp = Shared(bbuf.ptr());
    // SAFETY: forwarded contract; the buffer holds every batch's packed B.
    unsafe { pack_all_b(p, pool, bp, per_batch) };
    pool.parallel_for(tasks, chunks, &|range, _| {
        for t in range {
            let (b, r, c) = task(t);
            // SAFETY: forwarded contract; B of batch b is packed at its offset; tasks
            // write disjoint blocks.
            unsafe { One::new(p, b).rows_shared(r.clone(), c, bp.at(b * per_batch)) };
            tracker.done_parts(b * p.m + r.start..b * p.m + r.end, 1);
        }
    });
    true
}

/// Panels packed per task of [`pack_all_b`].
const PACK_PANELS: usize = 8;

/// Packs `B` of every batch, `per_batch` floats apart at `bp`: `k` blocks of depth `kc`
/// (the last shorter), each `n.div_ceil(NR)` panels.
///
/// # Safety
/// As [`matmul`]; `bp` holds `batch · per_batch` floats.
unsafe fn pack_all_b(p: &MatMul<f32>, pool: &ThreadPool, bp: Shared, per_batch: usize) {
    let (kc, kb) = k_blocks(p.k);
    let np = p.n.div_ceil(NR);
    let groups = np.div_ceil(PACK_PANELS);
    let units = p.batch * kb * groups;
    pool.parallel_for(units, units, &|range, _| {
        for u in range {
            let (b, q, g) = (u / (kb * groups), u / groups % kb, u % groups);
            let one = One::new(p, b);
            let (k0, kq) = (q * kc, kc.min(p.k - q * kc));
            let j0 = g * PACK_PANELS * NR;
            let nb = (PACK_PANELS * NR).min(p.n - j0);
            let src = Src { ptr: one.b.at(k0, j0), ..one.b };
            let off = b * per_batch + q * kc * np * NR + j0 * kq;
            // SAFETY: panels of group g in k block q of batch b: disjoint per unit.
            unsafe { pack_b(src, kq, nb, bp.at(off)) };
        }
    });
}
