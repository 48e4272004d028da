//! Reductions. In a body vectorized along a domain variable the body is folded into a
//! vector accumulator (reducing an outer dim). Otherwise the reduction is scalar, and
//! when its innermost variable reads contiguous memory it is vectorized along that
//! variable with several accumulators, a horizontal fold and a scalar tail.

use super::analysis::{bit, is_transcendental};
use super::emit::{Emitter, Val, VecMode};
use super::helpers::Helper;
use super::rowarg::RowArg;
use crate::kernel::{ExprId, ReduceKind, VarId};
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};
use xlac_ir::DType;
use xlac_runtime::vmath::Fold;

/// Shortest row folded by a call to the runtime ([`Emitter::reduce_by_call`]).
const CALL_MIN_ROW: usize = 64;
/// Independent vector accumulators of a contiguous reduction.
const ACCUMULATORS: usize = 4;
/// Accumulators when the body has a transcendental: its own work hides the latency of
/// the fold, and more copies of it only spill registers.
const HEAVY_ACCUMULATORS: usize = 1;

impl Emitter<'_, '_> {
    /// `max(acc, b)` (`max`) or `min(acc, b)` of float vectors as one `maxps`/`minps`
    /// (Cranelift matches this pattern): `b` when it is larger (smaller), else `acc`,
    /// so a NaN `b` is dropped and a NaN `acc` kept.
    fn minmax_dropping_nan(&mut self, max: bool, d: DType, acc: Value, b: Value) -> Value {
        let ty = self.vec_ty(d);
        let (x, y) = if max { (acc, b) } else { (b, acc) };
        let take_b = self.fb.ins().fcmp(FloatCC::LessThan, x, y);
        let take_b = self.bitcast(ty, take_b);
        self.fb.ins().bitselect(take_b, b, acc)
    }

    /// The value of reduction `e` in the current loop body.
    pub(crate) fn reduce(
        &mut self,
        e: ExprId,
        kind: ReduceKind,
        vars: &[(VarId, usize)],
        body: ExprId,
        d: DType,
    ) -> Val {
        if let Some(sum) = self.fill_rows(e) {
            return Val::S(sum);
        }
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
        if let Some(v) = self.reduce_by_call(kind, vars, body, d) {
            return Val::S(v);
        }
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

    /// The fold of a contiguous `f32` row (a load whose index steps by one along the
    /// reduction variable, scaled and shifted by uniform values ([`RowArg`]), or a row
    /// buffer filled by array math) by one call to the
    /// runtime's 8-lane `xlac_rt_vreduce_f32`, when kernels may call it and the row is
    /// long enough to pay for the call.
    fn reduce_by_call(&mut self, kind: ReduceKind, vars: &[(VarId, usize)], body: ExprId, d: DType) -> Option<Value> {
        let &[(r, n)] = vars else { return None };
        let fold = match kind {
            ReduceKind::Sum => Fold::Sum,
            ReduceKind::Max => Fold::Max,
            ReduceKind::Min => Fold::Min,
            ReduceKind::Prod => return None,
        };
        if !self.array_calls || d != DType::F32 || n < CALL_MIN_ROW {
            return None;
        }
        let zero = self.iconst(types::I64, 0);
        let (src, mode, a, b) = match self.cache.filled.get(&body) {
            Some(&(slot, rv)) if rv == r => {
                let (mode, one, nought) =
                    (self.iconst(types::I32, 0), self.fb.ins().f32const(1.0), self.fb.ins().f32const(0.0));
                (self.cache_addr(slot, zero), mode, one, nought)
            }
            _ => {
                let arg = RowArg::of(self.k, self.an, body, r)?;
                self.row_arg(&arg, r, zero)
            }
        };
        let len = self.iconst(types::I64, n as i64);
        let k = self.iconst(types::I32, fold as i64);
        let func = self.helpers[&Helper::Reduce];
        let call = self.fb.ins().call(func, &[src, len, k, mode, a, b]);
        Some(self.fb.inst_results(call)[0])
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
        // Float max/min: one `maxps`/`minps` per vector, which drops a NaN element, so
        // NaN lanes are collected beside the accumulators and folded in after the loop.
        let minmax = d.is_float() && matches!(kind, ReduceKind::Max | ReduceKind::Min);
        let max = kind == ReduceKind::Max;
        let fold = |em: &mut Self, i: Value, c: Vec<Value>| -> Vec<Value> {
            let n = if minmax { c.len() / 2 } else { c.len() };
            let mut out = c.clone();
            for j in 0..n {
                em.vars[var as usize] = Some(if j == 0 { i } else { em.fb.ins().iadd_imm_s(i, j as i64 * l) });
                em.push_scope();
                let b = em.emit(body);
                let b = em.splat_val(b, d);
                if minmax {
                    out[j] = em.minmax_dropping_nan(max, d, c[j], b);
                    let uno = em.fb.ins().fcmp(FloatCC::Unordered, b, b);
                    out[n + j] = em.fb.ins().bor(c[n + j], uno);
                } else {
                    let Val::V(r) = em.binary(op, d, Val::V(c[j]), Val::V(b)) else { unreachable!() };
                    out[j] = r;
                }
                em.pop_scope();
            }
            out
        };
        let mut fold = fold;
        let heavy = self.an.reachable_until(self.k, &[body], &|e| {
            self.an.deps[e] & bit(var) == 0 || self.cache.filled.contains_key(&e)
        });
        let nacc = if heavy.iter().any(|&e| is_transcendental(self.k, e)) { HEAVY_ACCUMULATORS } else { ACCUMULATORS };
        let no_nan = if minmax {
            let ity = self.vec_ty(d).as_int();
            let zero = self.iconst(ity.lane_type(), 0);
            Some(self.fb.ins().splat(ity, zero))
        } else {
            None
        };
        let carried = |accs: Vec<Value>| -> Vec<Value> {
            let n = accs.len();
            accs.into_iter().chain(no_nan.into_iter().cycle().take(n)).collect()
        };
        // The extent is known: loops that would run no iteration are not emitted.
        let wide = l as usize * nacc;
        let mut at = n / wide * wide;
        let (mut i, mut acc) = (zero, acc);
        let mut nan = no_nan;
        if at > 0 {
            let accs;
            (i, accs) = self.counted_loop(zero, hi, wide as i64, carried(vec![acc; nacc]), &mut fold);
            acc = accs[0];
            for &a in &accs[1..nacc] {
                let Val::V(r) = self.binary(op, d, Val::V(acc), Val::V(a)) else { unreachable!() };
                acc = r;
            }
            if minmax {
                let masks = &accs[nacc..];
                nan = Some(masks[1..].iter().fold(masks[0], |m, &x| self.fb.ins().bor(m, x)));
            }
        }
        if n - at >= l as usize {
            let accs;
            (i, accs) = self.counted_loop(i, hi, l, carried(vec![acc]), &mut fold);
            acc = accs[0];
            if let Some(nv) = &mut nan {
                *nv = self.fb.ins().bor(*nv, accs[1]);
            }
            at = n / l as usize * l as usize;
        }
        if let Some(nv) = nan {
            // Lanes that saw a NaN become NaN; the fold below propagates it.
            let ty = self.vec_ty(d);
            let mask = self.bitcast(ty, nv);
            let q = self.scalar_const(crate::kernel::Scalar::from_f64(d, f64::NAN));
            let qv = self.fb.ins().splat(ty, q);
            acc = self.fb.ins().bitselect(mask, qv, acc);
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
