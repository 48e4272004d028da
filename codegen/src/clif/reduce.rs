//! Reductions. In a body vectorized along a domain variable the body is folded into a
//! vector accumulator (reducing an outer dim). Otherwise the reduction is scalar, and
//! when its innermost variable reads contiguous memory it is vectorized along that
//! variable with several accumulators, a horizontal fold and a scalar tail.

use super::analysis::{bit, is_transcendental};
use super::emit::{Emitter, Val, VecMode};
use crate::kernel::{ExprId, ReduceKind, VarId};
use cranelift_codegen::ir::{types, InstBuilder, Value};
use xlac_ir::DType;

/// Independent vector accumulators of a contiguous reduction.
const ACCUMULATORS: usize = 4;
/// Accumulators when the body has a transcendental: its own work hides the latency of
/// the fold, and more copies of it only spill registers.
const HEAVY_ACCUMULATORS: usize = 1;

impl Emitter<'_, '_> {
    /// The value of reduction `e` in the current loop body.
    pub(crate) fn reduce(
        &mut self,
        e: ExprId,
        kind: ReduceKind,
        vars: &[(VarId, usize)],
        body: ExprId,
        d: DType,
    ) -> Val {
        self.fill_rows(e);
        if vars.is_empty() {
            return self.emit(body);
        }
        let op = kind.combine_op();
        let init = self.scalar_const(kind.identity(d));
        if self.is_vector(body) {
            let acc = self.splat_val(Val::S(init), d);
            let out = self.nest(vars, vec![acc], &mut |em, c| {
                let b = em.emit(body);
                let Val::V(r) = em.binary(op, d, Val::V(c[0]), b) else { unreachable!() };
                vec![r]
            });
            return Val::V(out[0]);
        }
        debug_assert!(!self.is_vector(e));
        let saved = self.vec.take();
        let (inner, outer) = vars.split_last().expect("a reduction has variables");
        let width = self.an.reduce_vectorizes(self.k, body, inner.0);
        let fold_inner = |em: &mut Self| match width {
            Some(w) => em.reduce_contiguous(kind, *inner, body, d, (16 / w) as u8),
            None => em.reduce_scalar(kind, *inner, body, d, None),
        };
        // The inner fold starts from the identity, so one inner fold is the result.
        if outer.is_empty() {
            let t = fold_inner(self);
            self.vec = saved;
            return Val::S(t);
        }
        let out = self.nest(outer, vec![init], &mut |em, c| {
            let t = fold_inner(em);
            let Val::S(r) = em.binary(op, d, Val::S(c[0]), Val::S(t)) else { unreachable!() };
            vec![r]
        });
        self.vec = saved;
        Val::S(out[0])
    }

    /// Folds `body` over `var` from `start` (or 0) to its extent, one element at a time;
    /// `start` is `(index, its value known at compile time, the fold so far)`.
    fn reduce_scalar(
        &mut self,
        kind: ReduceKind,
        (var, n): (VarId, usize),
        body: ExprId,
        d: DType,
        start: Option<(Value, usize, Value)>,
    ) -> Value {
        let op = kind.combine_op();
        let (lo, init) = match start {
            // Nothing left: no tail loop to compile.
            Some((_, at, init)) if at >= n => return init,
            Some((lo, _, init)) => (lo, init),
            None => (self.iconst(types::I64, 0), self.scalar_const(kind.identity(d))),
        };
        let hi = self.iconst(types::I64, n as i64);
        let (_, out) = self.counted_loop(lo, hi, 1, vec![init], &mut |em, i, c| {
            em.vars[var as usize] = Some(i);
            let b = em.emit(body);
            let Val::S(r) = em.binary(op, d, Val::S(c[0]), b) else { unreachable!() };
            vec![r]
        });
        out[0]
    }

    /// Folds `body` over `var` with vector accumulators of `lanes` lanes.
    fn reduce_contiguous(
        &mut self,
        kind: ReduceKind,
        (var, n): (VarId, usize),
        body: ExprId,
        d: DType,
        lanes: u8,
    ) -> Value {
        let op = kind.combine_op();
        self.vec = Some(VecMode { var, lanes });
        let init = self.scalar_const(kind.identity(d));
        let acc = self.splat_val(Val::S(init), d);
        let zero = self.iconst(types::I64, 0);
        let hi = self.iconst(types::I64, n as i64);
        let l = lanes as i64;
        let fold = |em: &mut Self, i: Value, c: Vec<Value>| -> Vec<Value> {
            c.iter()
                .enumerate()
                .map(|(j, &acc)| {
                    em.vars[var as usize] = Some(if j == 0 { i } else { em.fb.ins().iadd_imm_s(i, j as i64 * l) });
                    em.push_scope();
                    let b = em.emit(body);
                    let b = em.splat_val(b, d);
                    let Val::V(r) = em.binary(op, d, Val::V(acc), Val::V(b)) else { unreachable!() };
                    em.pop_scope();
                    r
                })
                .collect()
        };
        let mut fold = fold;
        let heavy = self.an.reachable_until(self.k, &[body], &|e| {
            self.an.deps[e] & bit(var) == 0 || self.cache.filled.contains_key(&e)
        });
        let nacc = if heavy.iter().any(|&e| is_transcendental(self.k, e)) { HEAVY_ACCUMULATORS } else { ACCUMULATORS };
        // The extent is known: loops that would run no iteration are not emitted.
        let wide = l as usize * nacc;
        let mut at = n / wide * wide;
        let (mut i, mut acc) = (zero, acc);
        if at > 0 {
            let accs;
            (i, accs) = self.counted_loop(zero, hi, wide as i64, vec![acc; nacc], &mut fold);
            acc = accs[0];
            for &a in &accs[1..] {
                let Val::V(r) = self.binary(op, d, Val::V(acc), Val::V(a)) else { unreachable!() };
                acc = r;
            }
        }
        if n - at >= l as usize {
            let accs;
            (i, accs) = self.counted_loop(i, hi, l, vec![acc], &mut fold);
            acc = accs[0];
            at = n / l as usize * l as usize;
        }
        let lanes_v = self.lanes_of(Val::V(acc), d);
        self.vec = None;
        let mut h = lanes_v[0];
        for &x in &lanes_v[1..] {
            h = self.binary_scalar(op, d, h, x);
        }
        self.reduce_scalar(kind, (var, n), body, d, Some((i, at, h)))
    }
}
