//! Counted loops and the domain's loop nest: the outermost loop runs `begin..end`, the
//! innermost is vectorized (unrolled, then one vector at a time, then a scalar tail),
//! and loop-invariant nodes are computed before the loops they do not depend on.

use super::emit::{Emitter, VecMode};
use crate::kernel::ExprId;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, BlockArg, InstBuilder, Value};

/// A loop body: gets the induction variable and the carried values, returns the new
/// carried values.
pub(crate) type Body<'b, 'a, 'f> = dyn FnMut(&mut Emitter<'a, 'f>, Value, Vec<Value>) -> Vec<Value> + 'b;

impl<'a, 'f> Emitter<'a, 'f> {
    /// `for (i = lo; i + step <= hi; i += step)` carrying `carried`; returns the first
    /// `i` not run and the final carried values. The body runs in its own scope.
    pub(crate) fn counted_loop(
        &mut self,
        lo: Value,
        hi: Value,
        step: i64,
        carried: Vec<Value>,
        body: &mut Body<'_, 'a, 'f>,
    ) -> (Value, Vec<Value>) {
        let header = self.fb.create_block();
        let block = self.fb.create_block();
        let exit = self.fb.create_block();
        let tys: Vec<_> = carried.iter().map(|&v| self.fb.func.dfg.value_type(v)).collect();
        self.fb.append_block_param(header, types::I64);
        self.fb.append_block_param(exit, types::I64);
        for &t in &tys {
            self.fb.append_block_param(header, t);
            self.fb.append_block_param(exit, t);
        }
        let args = |i: Value, c: &[Value]| -> Vec<BlockArg> {
            std::iter::once(i).chain(c.iter().copied()).map(BlockArg::Value).collect()
        };
        self.fb.ins().jump(header, &args(lo, &carried));
        self.fb.switch_to_block(header);
        let params = self.fb.block_params(header).to_vec();
        let (i, c) = (params[0], params[1..].to_vec());
        let next = self.fb.ins().iadd_imm_s(i, step);
        let more = self.fb.ins().icmp(IntCC::SignedLessThanOrEqual, next, hi);
        self.fb.ins().brif(more, block, &[], exit, &args(i, &c));
        self.fb.switch_to_block(block);
        self.push_scope();
        let c2 = body(self, i, c);
        self.pop_scope();
        self.fb.ins().jump(header, &args(next, &c2));
        self.fb.switch_to_block(exit);
        let params = self.fb.block_params(exit).to_vec();
        (params[0], params[1..].to_vec())
    }

    /// Loops over `vars` (outermost first, each from 0 to its extent) around `body`,
    /// carrying `carried`.
    pub(crate) fn nest(
        &mut self,
        vars: &[(u32, usize)],
        carried: Vec<Value>,
        body: &mut dyn FnMut(&mut Self, Vec<Value>) -> Vec<Value>,
    ) -> Vec<Value> {
        let Some((&(v, n), rest)) = vars.split_first() else {
            return body(self, carried);
        };
        let zero = self.iconst(types::I64, 0);
        let hi = self.iconst(types::I64, n as i64);
        let (_, out) = self.counted_loop(zero, hi, 1, carried, &mut |em, i, c| {
            em.vars[v as usize] = Some(i);
            em.nest(rest, c, body)
        });
        out
    }

    /// The domain's loops for outer iterations `begin..end`, storing every output at
    /// every point; `plan` is the innermost loop's `(lanes, unroll)` if vectorized;
    /// `levels` the nodes hoisted to each domain level ([`super::hoist::hoist_plan`]).
    pub(crate) fn domain(&mut self, begin: Value, end: Value, plan: Option<(u8, usize)>, levels: &[Vec<ExprId>]) {
        match self.k.domain.len() {
            0 => {
                let body = self.fb.create_block();
                let exit = self.fb.create_block();
                let run = self.fb.ins().icmp(IntCC::UnsignedLessThan, begin, end);
                self.fb.ins().brif(run, body, &[], exit, &[]);
                self.fb.switch_to_block(body);
                self.store_outputs();
                self.fb.ins().jump(exit, &[]);
                self.fb.switch_to_block(exit);
            }
            1 => {
                self.hoist(&levels[0], 0);
                self.innermost(begin, end, plan, None)
            }
            _ => {
                self.hoist(&levels[0], 0);
                self.counted_loop(begin, end, 1, vec![], &mut |em, i, _| {
                    em.vars[0] = Some(i);
                    em.hoist(&levels[1], 1);
                    em.inner_dims(1, levels, plan);
                    vec![]
                });
            }
        }
    }

    /// The loops of domain dims `d..`, each computing the nodes hoisted to its level
    /// before the loops inside it.
    fn inner_dims(&mut self, d: usize, levels: &[Vec<ExprId>], plan: Option<(u8, usize)>) {
        let dims = &self.k.domain;
        let zero = self.iconst(types::I64, 0);
        let hi = self.iconst(types::I64, dims[d] as i64);
        if d + 1 == dims.len() {
            let n = dims[d];
            self.innermost(zero, hi, plan, Some(n));
            return;
        }
        self.counted_loop(zero, hi, 1, vec![], &mut |em, i, _| {
            em.vars[d] = Some(i);
            em.hoist(&levels[d + 1], d + 1);
            em.inner_dims(d + 1, levels, plan);
            vec![]
        });
    }

    /// The innermost domain loop over `lo..hi`, in blocks when the kernel calls array
    /// math ([`super::strip`]).
    /// With `extent` (`lo` is 0 and `hi` this, known at compile time), loops that would
    /// run no iteration are not emitted.
    fn innermost(&mut self, lo: Value, hi: Value, plan: Option<(u8, usize)>, extent: Option<usize>) {
        if let Some(r) = self.row_out {
            return self.row_out(r, lo, hi);
        }
        match plan {
            Some((lanes, unroll)) if self.strip.is_some() => self.strip_mined(lo, hi, lanes, unroll),
            _ => {
                let v = self.k.domain.len() as u32 - 1;
                self.range(v, lo, hi, plan, extent, &mut |em| em.store_outputs())
            }
        }
    }

    /// `action` at every index `lo..hi` of variable `v`: vectorized per `plan`
    /// (unrolled, then one vector at a time), then a scalar tail.
    /// With `extent` (`lo` is 0 and `hi` this, known at compile time), loops that would
    /// run no iteration are not emitted.
    pub(crate) fn range(
        &mut self,
        v: u32,
        lo: Value,
        hi: Value,
        plan: Option<(u8, usize)>,
        extent: Option<usize>,
        action: &mut dyn FnMut(&mut Self),
    ) {
        let mut start = lo;
        // The first index not yet covered, when known.
        let mut at = extent.map(|_| 0usize);
        let runs = |at: Option<usize>, step: usize| match (at, extent) {
            (Some(a), Some(n)) => n - a >= step,
            _ => true,
        };
        if let Some((lanes, unroll)) = plan {
            self.vec = Some(VecMode { var: v, lanes });
            let l = lanes as i64;
            let mut widths = vec![unroll];
            if unroll > 1 {
                widths.push(1);
            }
            for u in widths {
                let step = lanes as usize * u;
                if !runs(at, step) {
                    continue;
                }
                at = at.zip(extent).map(|(a, n)| a + (n - a) / step * step);
                (start, _) = self.counted_loop(start, hi, step as i64, vec![], &mut |em, i, _| {
                    for j in 0..u as i64 {
                        em.vars[v as usize] = Some(if j == 0 { i } else { em.fb.ins().iadd_imm_s(i, j * l) });
                        em.push_scope();
                        action(em);
                        em.pop_scope();
                    }
                    vec![]
                });
            }
            self.vec = None;
        }
        if !runs(at, 1) {
            return;
        }
        self.counted_loop(start, hi, 1, vec![], &mut |em, i, _| {
            em.vars[v as usize] = Some(i);
            action(em);
            vec![]
        });
    }
}
