//! Placement of temporaries in the arena: each temporary lives from the first step that
//! touches it to the last; first-fit by definition order, 64-byte aligned, so a buffer's
//! space is reused once its last reader has run.

use super::LoweredStep;
use xlac_runtime::program::{BufferDecl, BufferId, BufferKind, LibraryCall};

/// Alignment of every temporary, in bytes.
pub const ALIGN: usize = 64;

/// The buffers a step reads or writes.
pub(super) fn step_buffers(step: &LoweredStep) -> Vec<BufferId> {
    match step {
        LoweredStep::Kernel { args, .. } => args.clone(),
        LoweredStep::Library(LibraryCall::Gemm(c)) => vec![c.lhs, c.rhs, c.out],
        LoweredStep::Library(LibraryCall::Conv(c)) => vec![c.input, c.kernel, c.out],
        LoweredStep::Library(LibraryCall::Pool(c)) => vec![c.input, c.out],
        LoweredStep::Library(LibraryCall::Gather(c)) => vec![c.x, c.indices, c.out],
    }
}

/// Sets the offset of every `Temp` buffer; returns the arena size.
pub(super) fn plan(buffers: &mut [BufferDecl], steps: &[LoweredStep]) -> usize {
    let mut live: Vec<Option<(usize, usize)>> = vec![None; buffers.len()];
    for (i, step) in steps.iter().enumerate() {
        for b in step_buffers(step) {
            let r = live[b].get_or_insert((i, i));
            r.1 = i;
        }
    }
    let mut temps: Vec<(usize, usize, BufferId)> = (0..buffers.len())
        .filter(|&b| matches!(buffers[b].kind, BufferKind::Temp { .. }) && buffers[b].size_bytes > 0)
        .filter_map(|b| live[b].map(|(first, last)| (first, last, b)))
        .collect();
    temps.sort();
    // Placed temporaries: (offset, end offset, last step).
    let mut placed: Vec<(usize, usize, usize)> = Vec::new();
    let mut arena = 0;
    for (first, last, b) in temps {
        let size = buffers[b].size_bytes;
        let mut busy: Vec<(usize, usize)> = placed.iter().filter(|p| p.2 >= first).map(|p| (p.0, p.1)).collect();
        busy.sort();
        let mut offset = 0;
        for (start, end) in busy {
            if offset + size <= start {
                break;
            }
            offset = offset.max(end.next_multiple_of(ALIGN));
        }
        buffers[b].kind = BufferKind::Temp { offset };
        placed.push((offset, offset + size, last));
        arena = arena.max((offset + size).next_multiple_of(ALIGN));
    }
    arena
}
