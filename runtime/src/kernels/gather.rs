//! `gather` (numpy `take` along an axis): `out[a, i, b] = x[a, clamp(idx[i]), b]`, with
//! indices clamped into `0..axis_len` as XLA does. Copies `inner · elem_size` bytes per
//! index.

use super::PARALLEL_WORK;
use crate::pool::ThreadPool;
use crate::program::{ElemType, GatherCall};

#[derive(Copy, Clone)]
struct Ptrs(*const u8, *const u8, *mut u8);
// SAFETY: tasks read x and the indices and write disjoint rows of out.
unsafe impl Sync for Ptrs {}
// SAFETY: as above.
unsafe impl Send for Ptrs {}

impl Ptrs {
    /// The pointers (a method, so closures capture the whole `Ptrs`, which is Sync).
    fn get(&self) -> (*const u8, *const u8, *mut u8) {
        (self.0, self.1, self.2)
    }
}

/// Runs a [`GatherCall`]. An empty axis (`axis_len == 0`) gives zeros.
///
/// # Safety
/// `x` holds `outer·axis_len·inner` elements of `elem_size` bytes, `indices`
/// `num_indices` elements of `index_elem` (I32 or I64) aligned to its size, `out`
/// `outer·num_indices·inner` elements, not overlapping the others.
pub unsafe fn gather(c: &GatherCall, x: *const u8, indices: *const u8, out: *mut u8, pool: &ThreadPool) {
    let row = c.inner * c.elem_size;
    let rows = c.outer * c.num_indices;
    if c.axis_len == 0 {
        // SAFETY: out holds rows·row bytes.
        return unsafe { std::ptr::write_bytes(out, 0, rows * row) };
    }
    let ptrs = Ptrs(x, indices, out);
    let chunks = if rows * row >= PARALLEL_WORK { pool.threads() } else { 1 };
    pool.parallel_for(rows, chunks, &|range, _| {
        let (x, idx, out) = ptrs.get();
        for r in range {
            let (a, i) = (r / c.num_indices, r % c.num_indices);
            // SAFETY: i < num_indices, aligned by contract.
            let j = unsafe {
                match c.index_elem {
                    ElemType::I32 => *idx.cast::<i32>().add(i) as i64,
                    _ => *idx.cast::<i64>().add(i),
                }
            };
            let j = j.clamp(0, c.axis_len as i64 - 1) as usize;
            // SAFETY: (a, j) is a row of x and r a row of out; rows of out are disjoint.
            unsafe { std::ptr::copy_nonoverlapping(x.add((a * c.axis_len + j) * row), out.add(r * row), row) };
        }
    });
}
