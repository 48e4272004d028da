//! Arguments the runtime's array math computes itself from a contiguous row: `x`,
//! `x · a`, `x ± b` or `(x · a) ± b`, and the square of any of these, for a load `x`
//! that steps by one element along a variable and values `a`, `b` uniform over it
//! (hoisted), each op rounded as written. Softmax's `exp(x - max)`, attention's
//! `max(qk · 0.125)` and layernorm's `sum((x - mean)²)` are such rows, so one call
//! reads the row instead of a kernel loop storing the argument to a buffer.

use super::analysis::Analysis;
use super::emit::{Emitter, Val};
use super::hoist::is_hoisted;
use crate::kernel::{Expr, ExprId, Kernel, VarId};
use cranelift_codegen::ir::{types, InstBuilder, Value};
use xlac_ir::{DType, OpKind};
use xlac_runtime::vmath::{MAP_ADD, MAP_MUL, MAP_SQUARE, MAP_SUB};

/// A scaled and shifted row.
#[derive(Copy, Clone, Debug)]
pub(crate) struct RowArg {
    /// The contiguous load.
    pub load: ExprId,
    /// `MAP_MUL` / `MAP_ADD` / `MAP_SUB` / `MAP_SQUARE` bits (`xlac_runtime::vmath`).
    pub mode: u32,
    /// The factor, if any.
    pub a: Option<ExprId>,
    /// The addend or subtrahend, if any.
    pub b: Option<ExprId>,
}

impl RowArg {
    /// `e` as a scaled and shifted `f32` row along `var`, if it is one.
    pub(crate) fn of(k: &Kernel, an: &Analysis, e: ExprId, var: VarId) -> Option<RowArg> {
        match k.exprs[e].expr {
            // Equal expressions are one node (hash-consed), so `t · t` is a square.
            Expr::Binary(OpKind::Mul, x, y) if x == y => {
                Self::affine(k, an, x, var).map(|arg| RowArg { mode: arg.mode | MAP_SQUARE, ..arg })
            }
            _ => Self::affine(k, an, e, var),
        }
    }

    /// `e` as `(x · a) ± b` (any part optional), without the square.
    fn affine(k: &Kernel, an: &Analysis, e: ExprId, var: VarId) -> Option<RowArg> {
        let f32 = |e: ExprId| k.exprs[e].dtype == DType::F32;
        let row = |e: ExprId| {
            f32(e)
                && matches!(&k.exprs[e].expr, Expr::Load(l)
                    if l.otherwise.is_none() && l.linear().is_some_and(|a| a.coef(var) == 1))
        };
        let uniform = |e: ExprId| f32(e) && is_hoisted(k, an, e);
        let scaled = |e: ExprId| -> Option<(ExprId, Option<ExprId>)> {
            if row(e) {
                return Some((e, None));
            }
            match k.exprs[e].expr {
                Expr::Binary(OpKind::Mul, x, y) if row(x) && uniform(y) => Some((x, Some(y))),
                Expr::Binary(OpKind::Mul, x, y) if row(y) && uniform(x) => Some((y, Some(x))),
                _ => None,
            }
        };
        let with = |(load, a): (ExprId, Option<ExprId>), shift: u32, b: Option<ExprId>| RowArg {
            load,
            mode: if a.is_some() { MAP_MUL } else { 0 } | shift,
            a,
            b,
        };
        match k.exprs[e].expr {
            Expr::Binary(OpKind::Add, x, y) if uniform(y) => scaled(x).map(|s| with(s, MAP_ADD, Some(y))),
            Expr::Binary(OpKind::Add, x, y) if uniform(x) => scaled(y).map(|s| with(s, MAP_ADD, Some(x))),
            Expr::Binary(OpKind::Sub, x, y) if uniform(y) => scaled(x).map(|s| with(s, MAP_SUB, Some(y))),
            _ => scaled(e).map(|s| with(s, 0, None)),
        }
    }
}

impl Emitter<'_, '_> {
    /// The call arguments of `arg` for the row from index `start` of `var`: the row's
    /// address, the mode, `a` and `b` (1 and 0 when absent).
    pub(crate) fn row_arg(&mut self, arg: &RowArg, var: VarId, start: Value) -> (Value, Value, Value, Value) {
        let Expr::Load(l) = &self.k.exprs[arg.load].expr else { unreachable!("a row is a load") };
        let lin = l.linear().expect("a row load is linear");
        let saved = self.vars[var as usize].replace(start);
        let off = self.affine(&lin);
        self.vars[var as usize] = saved;
        let src = self.element_addr(self.ptrs[l.input], off, 4);
        let mut uniform = |e: Option<ExprId>, default: f32| match e.map(|e| self.emit(e)) {
            Some(Val::S(x)) => x,
            _ => self.fb.ins().f32const(default),
        };
        let (a, b) = (uniform(arg.a, 1.0), uniform(arg.b, 0.0));
        let mode = self.iconst(types::I32, arg.mode as i64);
        (src, mode, a, b)
    }
}
