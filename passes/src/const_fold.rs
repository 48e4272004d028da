//! `const_fold`: an op whose operands are all constants and whose result is small is
//! evaluated with the reference interpreter and replaced, in place, by a `constant` with
//! the same result value. Calls (any op with a `callee`), sources (`constant`, `iota`)
//! and ops with large results or operands are never folded.

use crate::rewrite::{constant_op, definitions, literal_for};
use crate::stats::count;
use crate::{Pass, PassCx, PassError};
use cranelift_entity::EntityRef;
use std::collections::HashMap;
use xlac_ir::{Function, Module, OpKind, Tensor, Value};

/// Constant folding. See the module documentation.
#[derive(Debug)]
pub struct ConstFold {
    /// Largest result, in elements, that is folded (default 1024).
    pub max_elements: usize,
    /// Largest operand, in elements, that is read while folding (default 2^16), which
    /// bounds the work of one fold.
    pub max_operand_elements: usize,
}

impl Default for ConstFold {
    fn default() -> ConstFold {
        ConstFold { max_elements: 1024, max_operand_elements: 1 << 16 }
    }
}

impl Pass for ConstFold {
    fn name(&self) -> &'static str {
        "const_fold"
    }

    fn run(&mut self, m: &mut Module, cx: &mut PassCx) -> Result<bool, PassError> {
        let mut folded = 0;
        for f in &mut m.functions {
            folded += self.fold_function(f);
        }
        if folded > 0 {
            cx.note(format!("{} folded", count(folded, "op")));
        }
        Ok(folded > 0)
    }
}

impl ConstFold {
    /// Folds the ops of `f` in order, so chains of foldable ops fold in one run.
    fn fold_function(&self, f: &mut Function) -> usize {
        let defs = definitions(f);
        let mut values: HashMap<Value, Tensor> = HashMap::new();
        let mut folded = 0;
        for i in 0..f.ops.len() {
            if !self.foldable(f, &defs, i) {
                continue;
            }
            let op = &f.ops[i];
            let mut operands = Vec::with_capacity(op.operands.len());
            for &v in &op.operands {
                match self.value_of(f, &defs, &mut values, v) {
                    Some(t) => operands.push(t),
                    None => break,
                }
            }
            if operands.len() != op.operands.len() {
                continue;
            }
            let refs: Vec<&Tensor> = operands.iter().collect();
            let ty = f.ty(op.results[0]).clone();
            let Ok(mut out) = xlac_interp::eval_op(op.kind, &op.attrs, &refs, &[ty], &Module::default()) else {
                continue;
            };
            let Some(t) = out.pop() else { continue };
            let result = op.results[0];
            f.ops[i] = constant_op(result, literal_for(t.data.clone()));
            values.insert(result, t);
            folded += 1;
        }
        folded
    }

    /// Whether op `i` is one this pass folds: not a source or call, one small result,
    /// and every operand a constant of bounded size.
    fn foldable(&self, f: &Function, defs: &[Option<usize>], i: usize) -> bool {
        let op = &f.ops[i];
        let small = |v: Value, limit: usize| f.ty(v).shape.checked_num_elements().is_some_and(|n| n <= limit);
        !matches!(op.kind, OpKind::Constant | OpKind::Iota)
            && op.attrs.func("callee").is_none()
            && !op.operands.is_empty()
            && op.results.len() == 1
            && small(op.results[0], self.max_elements)
            && op.operands.iter().all(|&v| {
                small(v, self.max_operand_elements)
                    && defs[v.index()].is_some_and(|d| f.ops[d].kind == OpKind::Constant)
            })
    }

    /// The tensor of constant `v`, evaluated once and cached.
    fn value_of(
        &self,
        f: &Function,
        defs: &[Option<usize>],
        cache: &mut HashMap<Value, Tensor>,
        v: Value,
    ) -> Option<Tensor> {
        if let Some(t) = cache.get(&v) {
            return Some(t.clone());
        }
        let op = &f.ops[defs[v.index()]?];
        let ty = f.ty(v).clone();
        let t = xlac_interp::eval_op(op.kind, &op.attrs, &[], &[ty], &Module::default()).ok()?.pop()?;
        cache.insert(v, t.clone());
        Some(t)
    }
}
