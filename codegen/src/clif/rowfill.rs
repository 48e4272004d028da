//! Row caches filled by the runtime's array math ([`super::rowcache`]): before a row
//! reduction runs, a loop writes the argument of its cached function for every value
//! of the reduction variable into the buffer (vectorized, unrolled), and one call to
//! the runtime applies the function to the whole row with 8-lane AVX2 code; an argument
//! the runtime computes itself from the input row ([`super::rowarg`], softmax's
//! `x - max`) needs no loop: one call reads the row and writes the function's values.
//! The reduction and the inner loop then read the buffer.

use super::emit::Emitter;
use super::helpers::Helper;
use super::rowarg::RowArg;
use super::rowcache::Fill;
use crate::kernel::{Expr, ExprId, ReduceKind};
use cranelift_codegen::ir::{types, InstBuilder, Value};

/// Vectors stored per iteration of the unrolled fill loop.
const UNROLL: usize = 4;

impl Emitter<'_, '_> {
    /// Fills the buffers reduction `e` reads ([`super::rowcache::RowCache::fills`]).
    /// Returns `e`'s value when `e` is the sum of a buffer that one runtime call both
    /// filled and summed.
    pub(crate) fn fill_rows(&mut self, e: ExprId) -> Option<Value> {
        let fills = self.cache.fills.get(&e).cloned()?;
        let saved = self.vec.take();
        let summed = match &self.k.exprs[e].expr {
            Expr::Reduce { kind: ReduceKind::Sum, vars, body } if vars.len() == 1 => {
                self.cache.filled.get(body).map(|&(slot, _)| slot)
            }
            _ => None,
        };
        let mut value = None;
        for fill in &fills {
            let sum = self.fill_row(fill);
            if summed == Some(fill.slot) {
                value = sum;
            }
        }
        self.vec = saved;
        value
    }

    /// Stores `fill.arg` at every index of the buffer, then applies the function; or,
    /// when the argument is a contiguous row scaled and shifted by uniform values, one
    /// call that reads the row and writes the function's values.
    /// Returns the sum of the buffer when the call computed it.
    fn fill_row(&mut self, fill: &Fill) -> Option<Value> {
        let zero = self.iconst(types::I64, 0);
        let n = self.iconst(types::I64, fill.n as i64);
        if let Some(sum) = self.fill_mapped(fill, zero, n) {
            return Some(sum);
        }
        let plan = self.an.reduce_vectorizes(self.k, fill.arg, fill.var).map(|w| ((16 / w) as u8, UNROLL));
        self.range(fill.var, zero, n, plan, Some(fill.n), &mut |em| {
            let i = em.var(fill.var);
            em.store_arg(fill, i);
        });
        let base = self.cache_addr(fill.slot, zero);
        let func = self.helpers[&Helper::Array(fill.f)];
        self.fb.ins().call(func, &[base, n]);
        None
    }

    /// Fills buffer elements `0..len` with the function of the argument at indices
    /// `start..start + len` of `fill.var` by one call to the runtime's
    /// `xlac_rt_vmap_f32`, if the argument is a scaled and shifted row
    /// ([`super::rowarg`]); returns the sum of the values the call wrote.
    pub(crate) fn fill_mapped(&mut self, fill: &Fill, start: Value, len: Value) -> Option<Value> {
        let arg = RowArg::of(self.k, self.an, fill.arg, fill.var)?;
        let (src, mode, a, b) = self.row_arg(&arg, fill.var, start);
        let zero = self.iconst(types::I64, 0);
        let dst = self.cache_addr(fill.slot, zero);
        let f = self.iconst(types::I32, fill.f.code() as i64);
        let func = self.helpers[&Helper::Map];
        let call = self.fb.ins().call(func, &[src, dst, len, f, mode, a, b]);
        Some(self.fb.inst_results(call)[0])
    }
}
