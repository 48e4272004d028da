//! Epilogue fusion: a fused kernel that consumes a GEMM's or convolution's output runs
//! inside the library call, on each block of output rows right after the call finishes
//! it (bias add, activation, residual add on the tile while it is in cache), instead of
//! as a separate pass over memory. The two steps become one [`LoweredStep::Fused`].
//!
//! A kernel is fused when
//! - it is the next step touching the call's output, and it comes from a `fusion` op;
//! - every other buffer it reads is ready when the call runs (it is moved up to it);
//! - it reads the output only at the element each point writes, or the rest of that
//!   row in a row reduction ([`super::arena::reads_at_identity`]), so outer iterations
//!   over final rows read only final rows;
//! - its outer loop splits the output into whole rows in blocks the call can finish
//!   independently, and into enough of them to keep every thread busy;
//! - the call is f32 (the runtime's blocked GEMM runs it per row block).

use super::arena::{call_buffers, reads_at_identity, step_buffers};
use super::LoweredStep;
use xlac_runtime::program::{row_align, BufferId, ElemType, LibraryCall};

/// Fewest blocks of rows a fused call must have, so its epilogue still runs on every
/// thread.
const MIN_BLOCKS: usize = 4;

/// Fuses every eligible kernel into the library call before it; `from_fusion[i]` says
/// whether step `i` computes a `fusion` op. Returns the number of kernels fused.
pub(super) fn attach(steps: &mut Vec<LoweredStep>, from_fusion: &[bool]) -> usize {
    let mut writer: Vec<Option<usize>> = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        for b in written(s) {
            if writer.len() <= b {
                writer.resize(b + 1, None);
            }
            writer[b] = Some(i);
        }
    }
    let written_by = |b: BufferId| writer.get(b).copied().flatten();
    let mut slots: Vec<Option<LoweredStep>> = steps.drain(..).map(Some).collect();
    let mut fused = 0;
    for l in 0..slots.len() {
        let Some(LoweredStep::Library(call)) = &slots[l] else { continue };
        let Some(out) = fusable_output(call) else { continue };
        let next = (l + 1..slots.len()).find(|&k| slots[k].as_ref().is_some_and(|s| step_buffers(s).contains(&out)));
        let Some(k) = next.filter(|&k| from_fusion.get(k) == Some(&true)) else { continue };
        let Some(LoweredStep::Kernel { kernel, args }) = &slots[k] else { continue };
        let n_in = kernel.inputs.len();
        let inputs = &args[..n_in];
        let Some(j) = inputs.iter().position(|&b| b == out) else { continue };
        let ready = inputs.iter().all(|&b| b == out || written_by(b).is_none_or(|w| w < l));
        if !ready || args.iter().filter(|&&b| b == out).count() != 1 || !reads_at_identity(kernel, j) {
            continue;
        }
        if !splits_rows(call, kernel.domain_size(), kernel.outer_extent()) {
            continue;
        }
        let Some(LoweredStep::Kernel { kernel, args }) = slots[k].take() else { unreachable!("matched above") };
        let Some(LoweredStep::Library(call)) = slots[l].take() else { unreachable!("matched above") };
        slots[l] = Some(LoweredStep::Fused { call: Box::new(call), kernel, args });
        fused += 1;
    }
    steps.extend(slots.into_iter().flatten());
    fused
}

/// The buffers step `s` writes.
fn written(s: &LoweredStep) -> Vec<BufferId> {
    match s {
        LoweredStep::Kernel { kernel, args } => args[kernel.inputs.len()..].to_vec(),
        LoweredStep::Library(call) => vec![call_output(call)],
        LoweredStep::Fused { call, kernel, args } => {
            std::iter::once(call_output(call)).chain(args[kernel.inputs.len()..].iter().copied()).collect()
        }
    }
}

fn call_output(call: &LibraryCall) -> BufferId {
    *call_buffers(call).last().expect("a call writes one buffer")
}

/// The output of a call that takes an epilogue.
fn fusable_output(call: &LibraryCall) -> Option<BufferId> {
    match call {
        LibraryCall::Gemm(c) if c.elem == ElemType::F32 => Some(c.out),
        LibraryCall::Conv(c) if c.elem == ElemType::F32 => Some(c.out),
        _ => None,
    }
}

/// Whether a kernel of `elements` points with `outer` outer iterations splits the
/// call's output into at least [`MIN_BLOCKS`] blocks of rows the call finishes on
/// their own (a GEMM's row blocks within a batch entry, a convolution's images).
fn splits_rows(call: &LibraryCall, elements: usize, outer: usize) -> bool {
    let Some((rows, row_len)) = call.output_rows() else { return false };
    if rows.checked_mul(row_len) != Some(elements) {
        return false;
    }
    let Some(align) = row_align(rows, row_len, outer) else { return false };
    let whole = match call {
        LibraryCall::Gemm(c) => c.m.is_multiple_of(align),
        _ => true,
    };
    whole && rows / align >= MIN_BLOCKS
}
