//! The runtime's library kernels, run for [`crate::program::Step::Library`]. Each is a
//! plain function over raw pointers and its call struct, so a C ABI can wrap it.
//!
//! Pointer contract for every kernel: each operand pointer is aligned to its element
//! size (the executable stages misaligned caller buffers) and valid for the extent the
//! call describes (the executable checks this when it loads the program); outputs do
//! not overlap inputs.

pub mod conv;
pub mod gather;
pub mod gemm;
mod im2col;
pub mod pool;

use crate::pool::ThreadPool;
use crate::program::{BufferId, LibraryCall};

/// Work run on parts of a library call's output as soon as they are final: an epilogue
/// fused into a GEMM or convolution (bias, activation, residual add on the output tile
/// while it is still in cache).
///
/// The output is viewed as rows: a GEMM's are its `batch · m` rows of `n` elements
/// (row `b · m + i`), a convolution's its `n` images. The kernel calls `run` once for
/// each of disjoint ranges that together cover every row, each after every element of
/// its rows is written and never written again by the call; ranges start and end at
/// multiples of `align` (or at the last row). Calls may run concurrently, on different
/// ranges.
#[derive(Copy, Clone)]
pub struct RowEpilogue<'a> {
    /// Ranges start and end at multiples of this (≥ 1) or at the last row.
    pub align: usize,
    /// The epilogue over a range of rows.
    pub run: &'a (dyn Fn(std::ops::Range<usize>) + Sync),
}

/// Largest rank a pooling window or convolution handles (no allocation per call).
pub const MAX_RANK: usize = 8;

/// Runs one library call; `buf(id)` is the base pointer of buffer `id`; `scratch` holds
/// at least [`scratch_bytes`] bytes for this call.
///
/// # Safety
/// The program was validated (`crate::validate`) and every `buf(id)` is valid for the
/// buffer's declared size and aligned to its element size.
pub(crate) unsafe fn run_library(
    call: &LibraryCall,
    buf: impl Fn(BufferId) -> *mut u8,
    scratch: &mut [u8],
    pool: &ThreadPool,
) {
    // SAFETY: forwarded contract (validated sizes, aligned pointers).
    unsafe {
        match call {
            LibraryCall::Gemm(c) => gemm::gemm(c, buf(c.lhs), buf(c.rhs), buf(c.out), pool),
            LibraryCall::Conv(c) => conv::conv(c, buf(c.input), buf(c.kernel), buf(c.out), scratch, pool),
            LibraryCall::Pool(c) => pool::pool(c, buf(c.input), buf(c.out), pool),
            LibraryCall::Gather(c) => gather::gather(c, buf(c.x), buf(c.indices), buf(c.out), pool),
        }
    }
}

/// Runs library call `call` (a GEMM or convolution) with `epilogue` on its output rows
/// ([`crate::program::LibraryCall::output_rows`]); other calls run whole, then the
/// epilogue over every row.
///
/// # Safety
/// As [`run_library`]; `epilogue` may run concurrently on disjoint ranges of rows.
pub(crate) unsafe fn run_fused(
    call: &LibraryCall,
    buf: impl Fn(BufferId) -> *mut u8,
    scratch: &mut [u8],
    pool: &ThreadPool,
    epilogue: &RowEpilogue,
) {
    // SAFETY: forwarded contract.
    unsafe {
        match call {
            LibraryCall::Gemm(c) => {
                gemm::gemm_with_epilogue(c, buf(c.lhs), buf(c.rhs), buf(c.out), pool, Some(epilogue))
            }
            LibraryCall::Conv(c) => {
                conv::conv_with_epilogue(c, buf(c.input), buf(c.kernel), buf(c.out), scratch, pool, Some(epilogue))
            }
            _ => {
                run_library(call, buf, scratch, pool);
                if let Some((rows, _)) = call.output_rows() {
                    (epilogue.run)(0..rows);
                }
            }
        }
    }
}

/// Scratch bytes a library call needs when run with `threads` threads.
pub fn scratch_bytes(call: &LibraryCall, threads: usize) -> usize {
    match call {
        LibraryCall::Conv(c) => conv::scratch_bytes(c, threads),
        _ => 0,
    }
}

/// Work (element operations) below which a library kernel stays on the calling thread.
pub(crate) const PARALLEL_WORK: usize = 1 << 16;
