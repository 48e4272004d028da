//! Rows written by one call: a kernel whose only output is a row-cached value divided
//! by a value hoisted out of the row (softmax's `exp(x - max) / sum`) writes each row
//! with one call to the runtime's 8-lane `dst[i] = src[i] / s`
//! (`xlac_runtime::vmath::xlac_rt_vdivs_f32`) from the row cache, instead of an inner
//! loop of 4-lane divisions. The division is IEEE's either way: the same bits. The call
//! is told the whole output's size, so the runtime can stream an output too large to
//! stay in the cache.

use super::analysis::Analysis;
use super::emit::{Emitter, Val};
use super::helpers::Helper;
use super::hoist::is_hoisted;
use super::rowcache::RowCache;
use crate::kernel::{Expr, ExprId, Kernel};
use cranelift_codegen::ir::{types, InstBuilder, Value};
use xlac_ir::{DType, OpKind};

/// The call that writes a row.
#[derive(Copy, Clone, Debug)]
pub(crate) struct RowOut {
    /// The row cache read.
    pub slot: usize,
    /// The divisor (hoisted).
    pub divisor: ExprId,
}

/// The row call of `k`, if its only output qualifies and kernels may call array math.
pub(crate) fn plan(k: &Kernel, an: &Analysis, cache: &RowCache, array_calls: bool) -> Option<RowOut> {
    let [out] = &k.outputs[..] else { return None };
    if !array_calls || out.dtype != DType::F32 || k.domain.is_empty() {
        return None;
    }
    let Expr::Binary(OpKind::Div, a, s) = k.exprs[out.expr].expr else { return None };
    let &slot = cache.loads.get(&a)?;
    (k.exprs[a].dtype == DType::F32 && cache.slots[slot].1 == *k.domain.last()? && is_hoisted(k, an, s))
        .then_some(RowOut { slot, divisor: s })
}

impl Emitter<'_, '_> {
    /// Writes the output at innermost indices `lo..hi` of the current row with one call.
    pub(crate) fn row_out(&mut self, r: RowOut, lo: Value, hi: Value) {
        let d = self.k.domain.len() - 1;
        self.vars[d] = Some(lo);
        let Val::S(s) = self.emit(r.divisor) else { unreachable!("a hoisted divisor is uniform") };
        let src = self.cache_addr(r.slot, lo);
        let dst = self.output_addr(0);
        let len = self.fb.ins().isub(hi, lo);
        let total = self.k.domain.iter().product::<usize>() * 4;
        let total = self.iconst(types::I64, total as i64);
        let func = self.helpers[&Helper::DivScalar];
        self.fb.ins().call(func, &[src, dst, len, s, total]);
    }
}
