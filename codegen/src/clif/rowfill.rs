//! Row caches filled by the runtime's array math ([`super::rowcache`]): before a row
//! reduction runs, a loop writes the argument of its cached function for every value
//! of the reduction variable into the buffer (vectorized, unrolled), and one call to
//! the runtime applies the function to the whole row with 8-lane AVX2 code; an argument
//! the runtime computes itself from the input row ([`super::rowarg`], softmax's
//! `x - max`) needs no loop: one call reads the row and writes the function's values.
//! The reduction and the inner loop then read the buffer.

use super::emit::{Emitter, Val, VecMode};
use super::helpers::Helper;
use super::rowarg::RowArg;
use super::rowcache::Fill;
use crate::kernel::{Expr, ExprId, ReduceKind};
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use xlac_ir::DType;

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
