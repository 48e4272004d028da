//! Row caches: an expensive value a hoisted row reduction computes for every element of
//! the row is kept in a stack buffer, so the row's inner loop reads it instead of
//! computing it again. Softmax's `exp(x - max)` is summed by the reduction and divided
//! in the inner loop: with the cache, `exp` runs once per element, not twice.
//!
//! A body node `E` of a reduction `R` over one variable `r` (with the extent of the
//! innermost domain dim `d`) qualifies when `E` with `r` replaced by `d` is a node `E'`
//! the inner loop computes, and `E` contains a transcendental. `R` is hoisted out of the
//! inner loop, so it runs (and fills the buffer for every `r`) before any `E'` is read.
//!
//! When the target has the runtime's 8-lane array math (`xlac_runtime::vmath`) and
//! `E = f(a)` is an `f32` function it provides, the buffer is filled before the
//! reduction instead ([`super::rowfill`]): a loop stores `a` for every `r`, one call
//! applies `f` in place, and the reduction reads `E` from the buffer too.

use super::analysis::{bit, operands, Analysis};
use super::helpers::array_fn;
use super::hoist::is_hoisted;
use crate::kernel::{Expr, ExprId, Kernel, Load, VarId};
use cranelift_entity::EntityRef;
use std::collections::HashMap;
use xlac_ir::{DType, OpKind};
use xlac_runtime::vmath::VecFn;

/// Largest row (bytes) cached on the stack.
const MAX_ROW_BYTES: usize = 64 * 1024;
/// Most cached values per kernel.
const MAX_CACHES: usize = 4;

/// The cached values of a kernel.
#[derive(Default)]
pub(crate) struct RowCache {
    /// Body nodes stored into buffer `slot` at their reduction variable: `e -> (slot, r)`.
    pub stores: HashMap<ExprId, (usize, VarId)>,
    /// Inner-loop nodes read from buffer `slot` at the innermost variable.
    pub loads: HashMap<ExprId, usize>,
    /// Element type and length of each buffer.
    pub slots: Vec<(DType, usize)>,
    /// Buffers filled by an array function before the reduction that reads them:
    /// reduction node -> its fills.
    pub fills: HashMap<ExprId, Vec<Fill>>,
    /// Body nodes read from a filled buffer at their reduction variable: `e -> (slot, r)`.
    pub filled: HashMap<ExprId, (usize, VarId)>,
}

/// A buffer filled with `f(arg)` for every value `0..n` of variable `var`.
#[derive(Clone, Debug)]
pub(crate) struct Fill {
    pub slot: usize,
    pub arg: ExprId,
    pub var: VarId,
    pub n: usize,
    pub f: VecFn,
}

/// Whether `e`'s subtree has a transcendental (stopping at reductions).
fn expensive(k: &Kernel, e: ExprId, memo: &mut HashMap<ExprId, bool>) -> bool {
    if let Some(&b) = memo.get(&e) {
        return b;
    }
    let here = match &k.exprs[e].expr {
        Expr::Unary(op, _) => super::helpers::math_fn(*op).is_some(),
        Expr::Binary(op, _, _) => *op == OpKind::Pow,
        Expr::Reduce { .. } => return false,
        _ => false,
    };
    let b = here || operands(&k.exprs[e].expr).into_iter().any(|o| expensive(k, o, memo));
    memo.insert(e, b);
    b
}

/// `e` with variable `r` replaced by `d`, if that node exists.
fn substitute(
    k: &Kernel,
    e: ExprId,
    r: VarId,
    d: VarId,
    an: &Analysis,
    memo: &mut HashMap<ExprId, Option<ExprId>>,
) -> Option<ExprId> {
    if an.deps[e] & bit(r) == 0 {
        return Some(e);
    }
    if let Some(&s) = memo.get(&e) {
        return s;
    }
    let data = &k.exprs[e];
    let mut sub = |x: ExprId| substitute(k, x, r, d, an, memo);
    let expr = match &data.expr {
        Expr::Const(_) => Some(data.expr.clone()),
        Expr::Index(v) => Some(Expr::Index(if *v == r { d } else { *v })),
        Expr::Load(l) => {
            let mut index = l.index.clone();
            for ix in &mut index {
                let c = ix.affine.coef(r);
                ix.affine.add_term(r, -c);
                ix.affine.add_term(d, c);
            }
            let otherwise = match l.otherwise {
                Some(o) => Some(sub(o)?),
                None => None,
            };
            Some(Expr::Load(Load { input: l.input, view: l.view.clone(), index, otherwise }))
        }
        Expr::Unary(op, x) => sub(*x).map(|x| Expr::Unary(*op, x)),
        Expr::Convert(x) => sub(*x).map(Expr::Convert),
        Expr::Binary(op, a, b) => sub(*a).zip(sub(*b)).map(|(a, b)| Expr::Binary(*op, a, b)),
        Expr::Compare(dir, a, b) => sub(*a).zip(sub(*b)).map(|(a, b)| Expr::Compare(*dir, a, b)),
        Expr::Select(p, t, f) => match (sub(*p), sub(*t), sub(*f)) {
            (Some(p), Some(t), Some(f)) => Some(Expr::Select(p, t, f)),
            _ => None,
        },
        Expr::Reduce { .. } => None,
    };
    let s = expr.and_then(|x| k.find(x, data.dtype));
    memo.insert(e, s);
    s
}

/// The row caches of `k`; `array_calls`: whether kernels may call the runtime's array
/// math (the target has AVX2 and FMA).
pub(crate) fn plan(k: &Kernel, an: &Analysis, array_calls: bool) -> RowCache {
    let mut rc = RowCache::default();
    let Some(&n) = k.domain.last() else { return rc };
    let d = k.domain.len() as VarId - 1;
    let roots: Vec<ExprId> = k.outputs.iter().map(|o| o.expr).collect();
    let inner = an.reachable_until(k, &roots, &|e| is_hoisted(k, an, e));
    let in_inner = |e: ExprId| inner.contains(&e);
    let mut exp_memo = HashMap::new();
    for r_id in an.reachable(k, &roots) {
        let Expr::Reduce { vars, body, .. } = &k.exprs[r_id].expr else { continue };
        let [(r, extent)] = vars[..] else { continue };
        if extent != n || !is_hoisted(k, an, r_id) {
            continue;
        }
        let mut body_nodes = an.reachable_until(k, &[*body], &|e| matches!(k.exprs[e].expr, Expr::Reduce { .. }));
        body_nodes.sort_by_key(|e| std::cmp::Reverse(e.index()));
        let mut covered: Vec<ExprId> = Vec::new();
        let mut sub_memo = HashMap::new();
        for e in body_nodes {
            let dtype = k.exprs[e].dtype;
            if rc.slots.len() >= MAX_CACHES || dtype == DType::Bool || n * dtype.size_bytes() > MAX_ROW_BYTES {
                break;
            }
            if covered.contains(&e) || an.deps[e] & bit(r) == 0 || !expensive(k, e, &mut exp_memo) {
                continue;
            }
            let Some(e2) = substitute(k, e, r, d, an, &mut sub_memo) else { continue };
            if !in_inner(e2) || rc.loads.contains_key(&e2) {
                continue;
            }
            covered.extend(an.reachable(k, &[e]));
            let slot = rc.slots.len();
            match k.exprs[e].expr {
                Expr::Unary(op, arg) if array_calls && dtype == DType::F32 && array_fn(op).is_some() => {
                    let f = array_fn(op).expect("checked");
                    rc.fills.entry(r_id).or_default().push(Fill { slot, arg, var: r, n, f });
                    rc.filled.insert(e, (slot, r));
                }
                _ => {
                    rc.stores.insert(e, (slot, r));
                }
            }
            rc.loads.insert(e2, slot);
            rc.slots.push((dtype, n));
        }
    }
    rc
}

impl super::emit::Emitter<'_, '_> {
    /// The address of element `index` of row cache `slot`.
    pub(crate) fn cache_addr(
        &mut self,
        slot: usize,
        index: cranelift_codegen::ir::Value,
    ) -> cranelift_codegen::ir::Value {
        use cranelift_codegen::ir::{types, InstBuilder};
        let size = self.cache.slots[slot].0.size_bytes() as i64;
        let base = self.fb.ins().stack_addr(types::I64, self.cache_slots[slot], 0);
        let off = self.fb.ins().imul_imm_s(index, size);
        self.fb.ins().iadd(base, off)
    }

    /// Stores `v`, the value of `e`, into its row cache if it has one.
    pub(crate) fn cache_store(&mut self, e: ExprId, v: super::emit::Val) {
        use super::emit::Val;
        use cranelift_codegen::ir::{InstBuilder, MemFlagsData};
        let Some(&(slot, r)) = self.cache.stores.get(&e) else { return };
        let vectorized = self.vec.is_some_and(|m| m.var == r);
        let x = match (v, vectorized) {
            (Val::V(x), true) | (Val::S(x), false) => x,
            // The buffer is filled lane by lane or vector by vector along `r` only.
            _ => return,
        };
        let index = self.var(r);
        let addr = self.cache_addr(slot, index);
        self.fb.ins().store(MemFlagsData::new().with_notrap(), x, addr, 0);
    }

    /// The value of `e` read from its row cache, if it has one and the current loop
    /// body reads it along the innermost domain variable (a filled buffer: along its
    /// reduction variable), or scalar.
    pub(crate) fn cache_load(&mut self, e: ExprId) -> Option<super::emit::Val> {
        let (slot, d) = match self.cache.filled.get(&e) {
            Some(&(slot, r)) => (slot, r),
            None => (*self.cache.loads.get(&e)?, self.k.domain.len() as VarId - 1),
        };
        self.buffer_read(slot, d, None)
    }

    /// Buffer `slot` read at the current index of `var` (less `base`, if given): a
    /// vector when the loop body is vectorized along `var`, a scalar when it is not
    /// vectorized; `None` in a body vectorized along another variable.
    pub(crate) fn buffer_read(
        &mut self,
        slot: usize,
        var: VarId,
        base: Option<cranelift_codegen::ir::Value>,
    ) -> Option<super::emit::Val> {
        use super::emit::{scalar_ty, Val};
        use cranelift_codegen::ir::{InstBuilder, MemFlagsData};
        let dtype = self.cache.slots[slot].0;
        let vectorized = match self.vec {
            None => false,
            Some(m) if m.var == var => true,
            Some(_) => return None,
        };
        let i = self.var(var);
        let at = match base {
            Some(b) => self.fb.ins().isub(i, b),
            None => i,
        };
        let addr = self.cache_addr(slot, at);
        let flags = MemFlagsData::new().with_notrap();
        Some(if vectorized {
            let ty = self.vec_ty(dtype);
            Val::V(self.fb.ins().load(ty, flags, addr, 0))
        } else {
            Val::S(self.fb.ins().load(scalar_ty(dtype), flags, addr, 0))
        })
    }

    /// Stores `fill.arg`, evaluated at the current indices, at element `at` of its
    /// buffer (a vector in vector mode).
    pub(crate) fn store_arg(&mut self, fill: &Fill, at: cranelift_codegen::ir::Value) {
        use super::emit::Val;
        use cranelift_codegen::ir::{InstBuilder, MemFlagsData};
        let v = self.emit(fill.arg);
        let x = match (v, self.vec.is_some()) {
            (Val::S(x), false) | (Val::V(x), true) => x,
            (Val::S(_), true) => self.splat_val(v, DType::F32),
            (Val::V(_), false) => unreachable!("a vector outside vector mode"),
        };
        let addr = self.cache_addr(fill.slot, at);
        self.fb.ins().store(MemFlagsData::new().with_notrap(), x, addr, 0);
    }
}
