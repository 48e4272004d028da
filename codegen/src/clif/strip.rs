//! Strip-mined inner loops for the runtime's 8-lane array math: when the innermost
//! loop computes `exp`, `tanh` or `logistic` of `f32` values (an elementwise chain, a
//! GELU epilogue), it runs in blocks of up to [`BLOCK`] elements. Each block first
//! stores the arguments of those functions into stack buffers, calls the runtime once
//! per function to apply it in place with AVX2 (Cranelift vectors are 4 lanes wide),
//! and then computes the outputs, reading the functions' values from the buffers.
//! A function whose argument uses another's value runs in a later phase of the block.
//! The results are the inline code's bits (see `xlac_runtime::vmath`).

use super::analysis::{bit, Analysis};
use super::emit::{Emitter, Val};
use super::helpers::array_fn;
use super::hoist::is_hoisted;
use super::rowcache::{Fill, RowCache};
use crate::kernel::{Expr, ExprId, Kernel, VarId};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, BlockArg, InstBuilder, Value};
use std::collections::HashMap;
use xlac_ir::DType;

/// Most elements per block (a 2 KiB buffer per function).
const BLOCK: usize = 512;
/// Most phases (functions of functions of ... of the input).
const MAX_PHASES: usize = 3;
/// Most functions per kernel computed this way.
const MAX_FUNCTIONS: usize = 6;

/// The blocks of a kernel's innermost loop.
#[derive(Clone, Debug)]
pub(crate) struct Strip {
    /// The functions each phase fills (`Fill::var` is the innermost domain variable,
    /// `Fill::n` the block length).
    pub phases: Vec<Vec<Fill>>,
    /// Every filled node and its buffer.
    pub slot_of: HashMap<ExprId, usize>,
}

/// The blocks of `k`'s innermost loop, when it is vectorized (`vectorized`) and
/// computes array functions; their buffers are added to `cache`'s slots.
pub(crate) fn plan(k: &Kernel, an: &Analysis, cache: &mut RowCache, vectorized: bool) -> Option<Strip> {
    let d = k.domain.len().checked_sub(1)? as VarId;
    if !vectorized {
        return None;
    }
    let roots: Vec<ExprId> = k.outputs.iter().map(|o| o.expr).collect();
    let stop = |e: ExprId| is_hoisted(k, an, e) || cache.loads.contains_key(&e);
    let inner = an.reachable_until(k, &roots, &stop);
    // Reductions inside the inner loop evaluate nodes at other indices: not handled.
    if inner.iter().any(|&e| matches!(k.exprs[e].expr, Expr::Reduce { .. })) {
        return None;
    }
    // Fewer elements than a vector of the runtime's: the kernel's own code is enough.
    let block = k.domain[d as usize].min(BLOCK);
    let mut funcs: Vec<(ExprId, ExprId, xlac_runtime::vmath::VecFn)> = inner
        .iter()
        .filter_map(|&e| match k.exprs[e].expr {
            Expr::Unary(op, arg) if k.exprs[e].dtype == DType::F32 && an.deps[e] & bit(d) != 0 => {
                array_fn(op).map(|f| (e, arg, f))
            }
            _ => None,
        })
        .collect();
    if funcs.is_empty() || block < 8 {
        return None;
    }
    funcs.sort_by_key(|f| f.0);
    funcs.truncate(MAX_FUNCTIONS);
    // Phase of each function: one after the latest function its argument uses.
    let mut phase: HashMap<ExprId, usize> = HashMap::new();
    for &(e, arg, _) in &funcs {
        let below = an.reachable_until(k, &[arg], &stop);
        let p = below.iter().filter_map(|b| phase.get(b)).map(|p| p + 1).max().unwrap_or(0);
        phase.insert(e, p);
    }
    let mut strip = Strip { phases: Vec::new(), slot_of: HashMap::new() };
    for (e, arg, f) in funcs {
        let p = phase[&e];
        if p >= MAX_PHASES {
            continue;
        }
        if strip.phases.len() <= p {
            strip.phases.resize(p + 1, Vec::new());
        }
        let slot = cache.slots.len();
        cache.slots.push((DType::F32, block));
        strip.slot_of.insert(e, slot);
        strip.phases[p].push(Fill { slot, arg, var: d, n: block, f });
    }
    Some(strip)
}

impl Emitter<'_, '_> {
    /// The innermost loop over `lo..hi` in blocks ([`Strip`]); `lanes`/`unroll` as the
    /// domain plan's.
    pub(crate) fn strip_mined(&mut self, lo: Value, hi: Value, lanes: u8, unroll: usize) {
        let strip = self.strip.clone().expect("a strip plan");
        let block = strip.phases[0][0].n as i64;
        let d = strip.phases[0][0].var;
        let header = self.fb.create_block();
        let body = self.fb.create_block();
        let exit = self.fb.create_block();
        self.fb.append_block_param(header, types::I64);
        self.fb.ins().jump(header, &[BlockArg::Value(lo)]);
        self.fb.switch_to_block(header);
        let b = self.fb.block_params(header)[0];
        let more = self.fb.ins().icmp(IntCC::SignedLessThan, b, hi);
        self.fb.ins().brif(more, body, &[], exit, &[]);
        self.fb.switch_to_block(body);
        let next = self.fb.ins().iadd_imm_s(b, block);
        let full = self.fb.ins().icmp(IntCC::SignedLessThan, next, hi);
        let end = self.fb.ins().select(full, next, hi);
        let len = self.fb.ins().isub(end, b);
        self.strip_base = Some(b);
        self.push_scope();
        for fills in &strip.phases {
            // Functions of the input row itself are one call each; the others are
            // stored by a loop over the block, then applied in place.
            let (direct, looped): (Vec<&Fill>, Vec<&Fill>) =
                fills.iter().partition(|f| super::rowarg::RowArg::of(self.k, self.an, f.arg, f.var).is_some());
            if !looped.is_empty() {
                self.range(d, b, end, Some((lanes, unroll)), None, &mut |em| {
                    for &fill in &looped {
                        let i = em.var(d);
                        let at = em.fb.ins().isub(i, b);
                        em.store_arg(fill, at);
                    }
                });
            }
            for fill in looped {
                let zero = self.iconst(types::I64, 0);
                let base = self.cache_addr(fill.slot, zero);
                let func = self.helpers[&super::helpers::Helper::Array(fill.f)];
                self.fb.ins().call(func, &[base, len]);
            }
            for fill in direct {
                self.fill_mapped(fill, b, len);
            }
        }
        self.range(d, b, end, Some((lanes, unroll)), None, &mut |em| em.store_outputs());
        self.pop_scope();
        self.strip_base = None;
        self.fb.ins().jump(header, &[BlockArg::Value(next)]);
        self.fb.switch_to_block(exit);
    }

    /// The value of `e` read from its block buffer, if it has one and a block is open.
    pub(crate) fn strip_load(&mut self, e: ExprId) -> Option<Val> {
        let b = self.strip_base?;
        let &slot = self.strip.as_ref()?.slot_of.get(&e)?;
        self.buffer_read(slot, self.k.domain.len() as VarId - 1, Some(b))
    }
}
