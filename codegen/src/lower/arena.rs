//! Placement of temporaries in the arena: each temporary lives from the first step that
//! touches it to the last; first-fit by definition order, 64-byte aligned, so a buffer's
//! space is reused once its last reader has run.
//!
//! In place: a kernel's temporary output takes the space of a temporary input of the
//! same size whose last reader is this kernel, when the kernel reads that input only at
//! the element it writes (every load of it is the identity map of the domain), so each
//! element is read before it is overwritten and by no other point; or reads the rest
//! of the element's row in a row reduction that runs before the row is written.

use super::LoweredStep;
use crate::clif::analysis::Analysis;
use crate::clif::hoist::is_hoisted;
use crate::kernel::{Expr, ExprId, Kernel, VarId};
use xlac_runtime::program::{BufferDecl, BufferId, BufferKind, LibraryCall};

/// Alignment of every temporary, in bytes.
pub const ALIGN: usize = 64;

/// The buffers a step reads or writes.
pub(super) fn step_buffers(step: &LoweredStep) -> Vec<BufferId> {
    match step {
        LoweredStep::Kernel { args, .. } => args.clone(),
        LoweredStep::Library(call) => call_buffers(call),
        LoweredStep::Fused { call, args, .. } => call_buffers(call).into_iter().chain(args.iter().copied()).collect(),
    }
}

/// The buffers a library call reads, then the one it writes (last).
pub(crate) fn call_buffers(call: &LibraryCall) -> Vec<BufferId> {
    match call {
        LibraryCall::Gemm(c) => vec![c.lhs, c.rhs, c.out],
        LibraryCall::Conv(c) => vec![c.input, c.kernel, c.out],
        LibraryCall::Pool(c) => vec![c.input, c.out],
        LibraryCall::Gather(c) => vec![c.x, c.indices, c.out],
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
    let is_temp = |b: BufferId| matches!(buffers[b].kind, BufferKind::Temp { .. }) && buffers[b].size_bytes > 0;
    let alias = in_place(buffers, steps, &mut live, &is_temp);
    let mut temps: Vec<(usize, usize, BufferId)> = (0..buffers.len())
        .filter(|&b| is_temp(b) && alias[b].is_none())
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
    for b in 0..buffers.len() {
        if let Some(root) = alias[b] {
            buffers[b].kind = buffers[root].kind.clone();
        }
    }
    arena
}

/// Chooses in-place outputs: `alias[b]` is the buffer whose space temporary `b` takes
/// (the root of a chain), with the root's live range extended over `b`'s.
fn in_place(
    buffers: &[BufferDecl],
    steps: &[LoweredStep],
    live: &mut [Option<(usize, usize)>],
    is_temp: &dyn Fn(BufferId) -> bool,
) -> Vec<Option<BufferId>> {
    let mut alias: Vec<Option<BufferId>> = vec![None; buffers.len()];
    for (i, step) in steps.iter().enumerate() {
        // A fused epilogue may take the call's output's space, not its inputs': other
        // row blocks may still be reading them.
        let (kernel, args, call_inputs) = match step {
            LoweredStep::Kernel { kernel, args } => (kernel, args, Vec::new()),
            LoweredStep::Fused { call, kernel, args } => {
                let mut inputs = call_buffers(call);
                inputs.pop();
                (kernel, args, inputs)
            }
            LoweredStep::Library(_) => continue,
        };
        let n_in = kernel.inputs.len();
        let mut taken: Vec<BufferId> = Vec::new();
        for (o, &out) in args[n_in..].iter().enumerate() {
            if !is_temp(out) || live[out].map(|r| r.0) != Some(i) {
                continue;
            }
            let candidate = (0..n_in).find(|&j| {
                let b = args[j];
                is_temp(b)
                    && !taken.contains(&b)
                    && !call_inputs.contains(&b)
                    && live[b].map(|r| r.1) == Some(i)
                    && buffers[b].size_bytes == buffers[out].size_bytes
                    && args.iter().filter(|&&a| a == b).count() == 1
                    && kernel.inputs[j].dtype.size_bytes() == kernel.outputs[o].dtype.size_bytes()
                    && reads_at_identity(kernel, j)
            });
            if let Some(j) = candidate {
                let b = args[j];
                taken.push(b);
                let root = alias[b].unwrap_or(b);
                alias[out] = Some(root);
                let end = live[out].map_or(i, |r| r.1);
                if let Some(r) = live[root].as_mut() {
                    r.1 = r.1.max(end);
                }
            }
        }
    }
    alias
}

/// Whether every load of input `j` reads, at each domain point, the element at that
/// point's row-major position; or, inside a reduction computed before the row's inner
/// loop (hoisted, see `clif::hoist`), an element of the same row (the innermost
/// domain variable replaced by the reduction's): a row is then read completely before
/// any of it is written (softmax in place).
pub(super) fn reads_at_identity(k: &Kernel, j: usize) -> bool {
    let Ok(an) = Analysis::new(k) else { return false };
    let identity = k.row_major_index();
    let reads = |e: ExprId, row_var: Option<VarId>| match &k.exprs[e].expr {
        Expr::Load(l) if l.input == j => {
            let mut want = identity.clone();
            if let (Some(r), Some(d)) = (row_var, k.domain.len().checked_sub(1)) {
                let c = want.coef(d as VarId);
                want.add_term(d as VarId, -c);
                want.add_term(r, c);
            }
            l.otherwise.is_none() && l.linear().is_some_and(|a| a == want)
        }
        _ => true,
    };
    let roots: Vec<ExprId> = k.outputs.iter().map(|o| o.expr).collect();
    let is_reduce = |e: ExprId| matches!(k.exprs[e].expr, Expr::Reduce { .. });
    let top = an.reachable_until(k, &roots, &is_reduce);
    let mut ok = top.iter().all(|&e| reads(e, None));
    for (r, data) in k.exprs.iter() {
        let Expr::Reduce { vars, body, .. } = &data.expr else { continue };
        let inside = an.reachable_until(k, &[*body], &is_reduce);
        if !inside.iter().any(|&e| matches!(&k.exprs[e].expr, Expr::Load(l) if l.input == j)) {
            continue;
        }
        // A rank-1 kernel's row is its whole domain, which threads split: no row rule.
        let row_var = match vars[..] {
            [(v, _)] if k.domain.len() >= 2 && is_hoisted(k, &an, r) => Some(v),
            _ => None,
        };
        ok &= row_var.is_some() && inside.iter().all(|&e| reads(e, row_var));
    }
    ok
}
