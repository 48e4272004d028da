//! Row caches filled by the runtime's array math ([`super::rowcache`]): before a row
//! reduction runs, a loop writes the argument of its cached function for every value
//! of the reduction variable into the buffer (vectorized, unrolled), and one call to
//! the runtime applies the function to the whole row with 8-lane AVX2 code. The
//! reduction and the inner loop then read the buffer. Softmax's `exp(x - max)` is
//! computed this way.

use super::emit::{Emitter, Val, VecMode};
use super::helpers::Helper;
use super::hoist::is_hoisted;
use super::rowcache::Fill;
use crate::kernel::{Expr, ExprId};
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use xlac_ir::{DType, OpKind};
use xlac_runtime::vmath::{MAP_ADD, MAP_MUL, MAP_SUB};

/// Vectors stored per iteration of the unrolled fill loop.
const UNROLL: usize = 4;

impl Emitter<'_, '_> {
    /// Fills the buffers reduction `e` reads ([`super::rowcache::RowCache::fills`]).
    pub(crate) fn fill_rows(&mut self, e: ExprId) {
        let Some(fills) = self.cache.fills.get(&e).cloned() else { return };
        let saved = self.vec.take();
        for fill in &fills {
            self.fill_row(fill);
        }
        self.vec = saved;
    }

    /// Stores `fill.arg` at every index of the buffer, then applies the function; or,
    /// when the argument is a contiguous row scaled and shifted by uniform values, one
    /// call that reads the row and writes the function's values.
    fn fill_row(&mut self, fill: &Fill) {
        let zero = self.iconst(types::I64, 0);
        let n = self.iconst(types::I64, fill.n as i64);
        if self.fill_mapped(fill, zero, n) {
            return;
        }
        let hi = self.iconst(types::I64, fill.n as i64);
        let (mut i, mut at) = (zero, 0);
        if let Some(w) = self.an.reduce_vectorizes(self.k, fill.arg, fill.var) {
            let lanes = 16 / w;
            self.vec = Some(VecMode { var: fill.var, lanes: lanes as u8 });
            for unroll in [UNROLL, 1] {
                let step = lanes * unroll;
                if fill.n - at >= step {
                    (i, _) = self.counted_loop(i, hi, step as i64, Vec::new(), &mut |em, i, _| {
                        for j in 0..unroll {
                            let ij = if j == 0 { i } else { em.fb.ins().iadd_imm_s(i, (j * lanes) as i64) };
                            em.push_scope();
                            em.fill_at(fill, ij);
                            em.pop_scope();
                        }
                        Vec::new()
                    });
                    at = fill.n / step * step;
                }
            }
            self.vec = None;
        }
        if at < fill.n {
            self.counted_loop(i, hi, 1, Vec::new(), &mut |em, i, _| {
                em.fill_at(fill, i);
                Vec::new()
            });
        }
        let base = self.cache_addr(fill.slot, zero);
        let func = self.helpers[&Helper::Array(fill.f)];
        self.fb.ins().call(func, &[base, hi]);
    }

    /// `fill.arg` as `(row load, mode, a, b)`: `((row · a) ± b)` with uniform `a`, `b`
    /// (see `xlac_runtime::vmath::xlac_rt_vmap_f32`), if it has that form.
    pub(crate) fn mapped_arg(&self, fill: &Fill) -> Option<(ExprId, u32, Option<ExprId>, Option<ExprId>)> {
        let (k, an) = (self.k, self.an);
        let f32 = |e: ExprId| k.exprs[e].dtype == DType::F32;
        let row = |e: ExprId| {
            f32(e)
                && matches!(&k.exprs[e].expr, Expr::Load(l)
                    if l.otherwise.is_none() && l.linear().is_some_and(|a| a.coef(fill.var) == 1))
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
        let mul = |a: Option<ExprId>| if a.is_some() { MAP_MUL } else { 0 };
        match k.exprs[fill.arg].expr {
            Expr::Binary(OpKind::Add, x, y) if uniform(y) => scaled(x).map(|(l, a)| (l, mul(a) | MAP_ADD, a, Some(y))),
            Expr::Binary(OpKind::Add, x, y) if uniform(x) => scaled(y).map(|(l, a)| (l, mul(a) | MAP_ADD, a, Some(x))),
            Expr::Binary(OpKind::Sub, x, y) if uniform(y) => scaled(x).map(|(l, a)| (l, mul(a) | MAP_SUB, a, Some(y))),
            _ => scaled(fill.arg).map(|(l, a)| (l, mul(a), a, None)),
        }
    }

    /// Fills buffer elements `0..len` with the function of the argument at indices
    /// `start..start + len` of `fill.var` by one call to the runtime's
    /// `xlac_rt_vmap_f32`, if the argument has its form ([`Emitter::mapped_arg`]).
    pub(crate) fn fill_mapped(&mut self, fill: &Fill, start: Value, len: Value) -> bool {
        let Some((load, mode, a, b)) = self.mapped_arg(fill) else { return false };
        let Expr::Load(l) = &self.k.exprs[load].expr else { return false };
        let Some(lin) = l.linear() else { return false };
        let zero = self.iconst(types::I64, 0);
        let saved = self.vars[fill.var as usize].replace(start);
        let off = self.affine(&lin);
        self.vars[fill.var as usize] = saved;
        let src = self.element_addr(self.ptrs[l.input], off, 4);
        let mut uniform = |e: Option<ExprId>, default: f32| match e.map(|e| self.emit(e)) {
            Some(Val::S(x)) => x,
            _ => self.fb.ins().f32const(default),
        };
        let (a, b) = (uniform(a, 1.0), uniform(b, 0.0));
        let dst = self.cache_addr(fill.slot, zero);
        let f = self.iconst(types::I32, fill.f.code() as i64);
        let mode = self.iconst(types::I32, mode as i64);
        let func = self.helpers[&Helper::Map];
        self.fb.ins().call(func, &[src, dst, len, f, mode, a, b]);
        true
    }

    /// Stores the argument at index `i` (a vector from `i` in vector mode).
    fn fill_at(&mut self, fill: &Fill, i: Value) {
        self.vars[fill.var as usize] = Some(i);
        let v = self.emit(fill.arg);
        let x = match (v, self.vec.is_some()) {
            (Val::S(x), false) | (Val::V(x), true) => x,
            (Val::S(_), true) => self.splat_val(v, DType::F32),
            (Val::V(_), false) => unreachable!("a vector outside vector mode"),
        };
        let addr = self.cache_addr(fill.slot, i);
        self.fb.ins().store(MemFlagsData::new().with_notrap(), x, addr, 0);
    }
}
