//! Loop-invariant code motion by domain level: a node that depends only on the outer
//! domain variables `0..level` is computed once per iteration of loop `level - 1` (or
//! once per call for level 0), not once per element. This is what makes a row-wise
//! reduction fused with its consumers (softmax, layernorm) cost one pass per row: the
//! `Reduce` nodes depend on the row variable only, so they run before the row's inner
//! loop, and the inner loop reads their values.

use super::analysis::{bit, operands, Analysis};
use super::emit::Emitter;
use crate::kernel::{Expr, ExprId, Kernel};
use cranelift_entity::EntityRef;

/// Fewest elements the loops inside a level must run for its hoisted values to be
/// pinned (two memory accesses per value and iteration of the level).
const PIN_MIN_ELEMENTS: usize = 32;

/// Every node to hoist, grouped by the domain level it is computed at (index `level`
/// for `level < domain.len()`), each group in arena (topological) order.
pub(crate) fn hoist_plan(k: &Kernel, an: &Analysis) -> Vec<Vec<ExprId>> {
    let rank = k.domain.len();
    let mut levels: Vec<Vec<ExprId>> = vec![Vec::new(); rank];
    if rank == 0 {
        return levels;
    }
    let domain_mask = if rank >= 64 { u64::MAX } else { (1u64 << rank) - 1 };
    let mut seen = vec![false; k.exprs.len()];
    // (node, whether it sits in the body of a reduction over an empty range).
    let mut stack: Vec<(ExprId, bool)> = k.outputs.iter().map(|o| (o.expr, false)).collect();
    let mut found: Vec<(ExprId, usize)> = Vec::new();
    while let Some((e, in_empty)) = stack.pop() {
        if std::mem::replace(&mut seen[e.index()], true) {
            continue;
        }
        let data = &k.exprs[e];
        let deps = an.deps[e];
        let level = 64 - (deps & domain_mask).leading_zeros() as usize;
        let worth = !matches!(data.expr, Expr::Const(_) | Expr::Index(_));
        if !in_empty && worth && deps & !domain_mask == 0 && level < rank {
            found.push((e, level));
        }
        let empty = matches!(&data.expr, Expr::Reduce { vars, .. } if vars.iter().any(|v| v.1 == 0));
        stack.extend(operands(&data.expr).into_iter().map(|o| (o, in_empty || empty)));
    }
    found.sort();
    for (e, level) in found {
        levels[level].push(e);
    }
    levels
}

/// Whether `e` is computed before the innermost loop by [`hoist_plan`] (it depends on
/// no reduction variable nor the innermost domain variable).
pub(crate) fn is_hoisted(k: &Kernel, an: &Analysis, e: ExprId) -> bool {
    let rank = k.domain.len();
    rank > 0 && an.deps[e] & !(bit(rank as u32 - 1) - 1) == 0
}

impl Emitter<'_, '_> {
    /// Emits the nodes of domain level `level` into the current scope (scalar mode),
    /// each pinned before the code that follows ([`Emitter::pin_hoisted`]) when the
    /// loops inside the level run enough elements to pay for it.
    pub(crate) fn hoist(&mut self, nodes: &[ExprId], level: usize) {
        let saved = self.vec.take();
        let inner: usize = self.k.domain[level..].iter().product();
        let pin = level == 0 || inner >= PIN_MIN_ELEMENTS;
        for &e in nodes {
            self.emit(e);
            if pin {
                self.pin_hoisted(e);
            }
        }
        self.vec = saved;
    }
}
