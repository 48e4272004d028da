//! [`Arena`]: the per-call working memory of an executable (temps, library scratch,
//! pointer tables, staging for misaligned caller buffers), allocated once and reused.

use crate::aligned::AlignedBytes;
use crate::kernels;
use crate::program::{Program, Step};

/// Working memory for one call at a time. After creation a call allocates nothing,
/// unless a caller buffer is misaligned (its staging copy grows once, then is reused).
pub(crate) struct Arena {
    /// The program's temps (`arena_bytes`), 64-byte aligned, pages touched.
    pub temps: AlignedBytes,
    /// Library-kernel scratch for the thread count the arena was made for.
    pub scratch: AlignedBytes,
    /// Base pointer of every buffer, filled at the start of each call.
    pub ptrs: Vec<*mut u8>,
    /// Base pointer of every output, filled at the start of each call.
    pub outs: Vec<*mut u8>,
    /// The argument table of the current kernel step.
    pub args: Vec<*mut u8>,
    /// Aligned copies of misaligned inputs (then outputs), by position.
    pub staging: Vec<AlignedBytes>,
}

// SAFETY: the raw pointers are per-call tables rebuilt at the start of every call; the
// arena owns its memory and is used by one call at a time (taken out of a Mutex).
unsafe impl Send for Arena {}

impl Arena {
    /// An arena for `program` run with `threads` threads.
    pub fn new(program: &Program, threads: usize) -> Arena {
        let max_args = program
            .steps
            .iter()
            .map(|s| match s {
                Step::Kernel { args, .. } => args.len(),
                Step::Fused { epilogue, .. } => epilogue.args.len(),
                Step::Library(_) => 0,
            })
            .max();
        Arena {
            temps: AlignedBytes::zeroed(program.arena_bytes),
            scratch: AlignedBytes::zeroed(scratch_bytes(program, threads)),
            ptrs: Vec::with_capacity(program.buffers.len()),
            outs: Vec::with_capacity(program.outputs.len()),
            args: Vec::with_capacity(max_args.unwrap_or(0)),
            staging: (0..program.inputs.len() + program.outputs.len()).map(|_| AlignedBytes::zeroed(0)).collect(),
        }
    }

    /// An aligned copy of `bytes` in staging slot `slot`, grown if needed.
    pub fn stage(&mut self, slot: usize, bytes: &[u8]) -> *mut u8 {
        let s = &mut self.staging[slot];
        if s.len() != bytes.len() {
            *s = AlignedBytes::zeroed(bytes.len());
        }
        s.copy_from_slice(bytes);
        s.as_mut_ptr()
    }
}

/// Scratch bytes the library steps of `program` need with `threads` threads.
pub(crate) fn scratch_bytes(program: &Program, threads: usize) -> usize {
    let need = |s: &Step| match s {
        Step::Library(c) | Step::Fused { call: c, .. } => kernels::scratch_bytes(c, threads),
        Step::Kernel { .. } => 0,
    };
    program.steps.iter().map(need).max().unwrap_or(0)
}
