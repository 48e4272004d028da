//! Running a program's steps: bind every buffer to memory, run kernel steps (split over
//! the thread pool when large) and library steps, then copy aliased outputs.

use crate::aligned::{dangling, AlignedBytes};
use crate::arena::Arena;
use crate::kernels;
use crate::pool::ThreadPool;
use crate::program::{BufferKind, KernelFn, Program, Step};
use crate::tensor::{TensorMut, TensorRef};
use std::time::{Duration, Instant};

/// Work (`outer · work_per_iter`) below which a kernel runs on the calling thread.
pub const KERNEL_PARALLEL_WORK: usize = 1 << 16;

/// What a call needs besides its arena and arguments.
pub(crate) struct Context<'a> {
    /// The program.
    pub program: &'a Program,
    /// Aligned constants by buffer id.
    pub consts: &'a [Option<AlignedBytes>],
    /// Threads.
    pub pool: &'a ThreadPool,
}

/// Runs the program.
///
/// # Safety
/// The program passed `validate`; `inputs` and `outputs` match its specs (count, dtype,
/// shape, byte length); `arena` was made for this program and `cx.pool`.
pub(crate) unsafe fn run(cx: &Context, arena: &mut Arena, inputs: &[TensorRef], outputs: &mut [TensorMut]) {
    // SAFETY: forwarded contract.
    unsafe { run_steps(cx, arena, inputs, outputs, None) }
}

/// Runs the program as [`run`] does, appending the wall time of every step to `times`.
///
/// # Safety
/// As [`run`].
pub(crate) unsafe fn run_timed(
    cx: &Context,
    arena: &mut Arena,
    inputs: &[TensorRef],
    outputs: &mut [TensorMut],
    times: &mut Vec<Duration>,
) {
    // SAFETY: forwarded contract.
    unsafe { run_steps(cx, arena, inputs, outputs, Some(times)) }
}

/// # Safety
/// As [`run`].
unsafe fn run_steps(
    cx: &Context,
    arena: &mut Arena,
    inputs: &[TensorRef],
    outputs: &mut [TensorMut],
    mut times: Option<&mut Vec<Duration>>,
) {
    let p = cx.program;
    bind(cx, arena, inputs, outputs);
    for step in &p.steps {
        let start = times.is_some().then(Instant::now);
        match step {
            Step::Kernel { func, args, outer, work_per_iter, .. } => {
                arena.args.clear();
                arena.args.extend(args.iter().map(|&id| arena.ptrs[id]));
                // SAFETY: the table holds one valid pointer per argument (see `bind`).
                unsafe { run_kernel(cx.pool, *func, arena.args.as_ptr(), *outer, *work_per_iter) };
            }
            Step::Library(call) => {
                let ptrs = &arena.ptrs;
                // SAFETY: validated call; pointers valid and element-aligned (`bind`).
                unsafe { kernels::run_library(call, |id| ptrs[id], &mut arena.scratch, cx.pool) };
            }
            Step::Fused { call, epilogue } => {
                arena.args.clear();
                arena.args.extend(epilogue.args.iter().map(|&id| arena.ptrs[id]));
                // SAFETY: validated step; the tables hold valid, aligned pointers.
                unsafe { run_fused(cx.pool, call, epilogue, &arena.ptrs, &arena.args, &mut arena.scratch) };
            }
        }
        if let (Some(t), Some(start)) = (times.as_deref_mut(), start) {
            t.push(start.elapsed());
        }
    }
    for &(out, id) in &p.output_copies {
        let len = p.outputs[out].size_bytes();
        // SAFETY: both pointers are valid for `len` bytes (validated sizes); `copy`
        // allows overlap.
        unsafe { std::ptr::copy(arena.ptrs[id], arena.outs[out], len) };
    }
    let n_in = inputs.len();
    for (j, t) in outputs.iter_mut().enumerate() {
        if needs_staging(t.bytes.as_ptr(), t.elem.size(), t.bytes.len()) {
            t.bytes.copy_from_slice(&arena.staging[n_in + j]);
        }
    }
}

/// Runs a GEMM or convolution with its epilogue kernel called on the output rows as
/// they become final.
///
/// # Safety
/// The step was validated; `ptrs` holds every buffer's pointer, `args` the epilogue's
/// argument table.
unsafe fn run_fused(
    pool: &ThreadPool,
    call: &crate::program::LibraryCall,
    epilogue: &crate::program::Epilogue,
    ptrs: &[*mut u8],
    args: &[*mut u8],
    scratch: &mut [u8],
) {
    let (rows, row_len) = call.output_rows().expect("validated: the call has output rows");
    // SAFETY: forwarded contract.
    unsafe {
        with_row_epilogue(rows, row_len, epilogue.func, args.as_ptr(), epilogue.outer, &mut |epi| {
            kernels::run_fused(call, |id| ptrs[id], scratch, pool, epi)
        })
    }
}

/// Calls `body` with the [`kernels::RowEpilogue`] that runs kernel `func` (argument
/// table `args`, `outer` outer iterations) over the iterations covering each range of
/// an output of `rows` rows of `row_len` elements. When the iterations do not split
/// the rows evenly (never for a validated program), `body` gets no epilogue and the
/// kernel runs whole afterwards.
///
/// # Safety
/// `args` is the kernel's argument table, valid until this returns; the kernel reads
/// only the rows of the output its iterations cover (the compiler's fusion rule).
pub(crate) unsafe fn with_row_epilogue(
    rows: usize,
    row_len: usize,
    func: KernelFn,
    args: *const *mut u8,
    outer: usize,
    body: &mut dyn FnMut(&kernels::RowEpilogue),
) {
    let table = Args(args);
    let Some(align) = crate::program::row_align(rows, row_len, outer) else {
        body(&kernels::RowEpilogue { align: rows.max(1), run: &|_| {} });
        // SAFETY: a full run of the kernel over its argument table.
        return unsafe { func(table.get(), 0, outer) };
    };
    let per_iter = rows * row_len / outer;
    let run = move |r: std::ops::Range<usize>| {
        // SAFETY: ranges of the outer loop are disjoint (KernelFn), and the rows they
        // read are final (the caller's contract).
        unsafe { func(table.get(), r.start * row_len / per_iter, r.end * row_len / per_iter) }
    };
    body(&kernels::RowEpilogue { align, run: &run });
}

fn needs_staging(ptr: *const u8, align: usize, len: usize) -> bool {
    len > 0 && !(ptr as usize).is_multiple_of(align)
}

/// Fills `arena.outs` (one pointer per output) and `arena.ptrs` (one per buffer).
/// Misaligned caller buffers are replaced by aligned staging copies; empty ones by an
/// aligned dangling pointer.
fn bind(cx: &Context, arena: &mut Arena, inputs: &[TensorRef], outputs: &mut [TensorMut]) {
    let n_in = inputs.len();
    arena.outs.clear();
    for (j, t) in outputs.iter_mut().enumerate() {
        let ptr = if t.bytes.is_empty() {
            dangling()
        } else if needs_staging(t.bytes.as_ptr(), t.elem.size(), t.bytes.len()) {
            arena.stage(n_in + j, t.bytes)
        } else {
            t.bytes.as_mut_ptr()
        };
        arena.outs.push(ptr);
    }
    arena.ptrs.clear();
    for (id, b) in cx.program.buffers.iter().enumerate() {
        let ptr = match &b.kind {
            _ if b.size_bytes == 0 => dangling(),
            BufferKind::Input(i) => {
                let t = &inputs[*i];
                if needs_staging(t.bytes.as_ptr(), t.elem.size(), t.bytes.len()) {
                    arena.stage(*i, t.bytes)
                } else {
                    t.bytes.as_ptr().cast_mut()
                }
            }
            BufferKind::Output(j) => arena.outs[*j],
            // SAFETY: offset + size <= arena_bytes (validated).
            BufferKind::Temp { offset } => unsafe { arena.temps.as_mut_ptr().add(*offset) },
            BufferKind::Const(_) => cx.consts[id].as_ref().expect("constant loaded").as_ptr().cast_mut(),
        };
        arena.ptrs.push(ptr);
    }
}

/// A kernel's argument table, shared by the threads running its ranges.
#[derive(Copy, Clone)]
struct Args(*const *mut u8);
// SAFETY: kernels only read the table; ranges write disjoint data by contract.
unsafe impl Sync for Args {}
// SAFETY: as above.
unsafe impl Send for Args {}

impl Args {
    /// The table (a method, so closures capture the whole `Args`, which is Sync).
    fn get(&self) -> *const *mut u8 {
        self.0
    }
}

/// Calls `func` over `0..outer`, split into contiguous ranges over `pool` when the work
/// is large enough.
///
/// # Safety
/// `args` is the kernel's argument table, valid for the whole call.
pub(crate) unsafe fn run_kernel(
    pool: &ThreadPool,
    func: KernelFn,
    args: *const *mut u8,
    outer: usize,
    work_per_iter: usize,
) {
    let threads = pool.threads();
    let work = outer.saturating_mul(work_per_iter.max(1));
    if threads == 1 || outer <= 1 || work < KERNEL_PARALLEL_WORK {
        // SAFETY: a full run of the kernel over its argument table.
        return unsafe { func(args, 0, outer) };
    }
    let chunks = (work / KERNEL_PARALLEL_WORK).clamp(threads, threads * 4).min(outer);
    let args = Args(args);
    pool.parallel_for(outer, chunks, &|r, _| {
        // SAFETY: disjoint ranges of the outer loop may run concurrently (KernelFn).
        unsafe { func(args.get(), r.start, r.end) }
    });
}
