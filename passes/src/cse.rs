//! `cse`: common subexpression elimination. An op with the same kind, operands,
//! attributes and result types as an earlier op of the same function is removed and its
//! results replaced by the earlier op's; constants with bit-identical literals merge too.
//! Every op of the IR is pure, so calls merge as well.

use crate::rewrite::{apply_substitution, attrs_identical, remove_ops, resolve};
use crate::stats::count;
use crate::{Pass, PassCx, PassError};
use std::collections::HashMap;
use xlac_ir::{Function, Module, OpKind, TensorType, Value};

/// Common subexpression elimination. See the module documentation.
#[derive(Debug, Default)]
pub struct Cse;

impl Pass for Cse {
    fn name(&self) -> &'static str {
        "cse"
    }

    fn run(&mut self, m: &mut Module, cx: &mut PassCx) -> Result<bool, PassError> {
        let removed: usize = m.functions.iter_mut().map(cse_function).sum();
        if removed > 0 {
            cx.note(format!("{} merged", count(removed, "op")));
        }
        Ok(removed > 0)
    }
}

/// The part of an op that must match exactly; attributes are compared separately
/// (they hold floats and are not hashable).
type Key = (OpKind, Vec<Value>, Vec<TensorType>);

fn cse_function(f: &mut Function) -> usize {
    let mut seen: HashMap<Key, Vec<usize>> = HashMap::new();
    let mut subst: HashMap<Value, Value> = HashMap::new();
    let mut dead = Vec::with_capacity(f.ops.len());
    for i in 0..f.ops.len() {
        let operands: Vec<Value> = f.ops[i].operands.iter().map(|&v| resolve(&subst, v)).collect();
        f.ops[i].operands.clone_from(&operands);
        let op = &f.ops[i];
        let key = (op.kind, operands, op.results.iter().map(|&r| f.ty(r).clone()).collect());
        let candidates = seen.entry(key).or_default();
        match candidates.iter().find(|&&j| attrs_identical(&f.ops[j].attrs, &op.attrs)) {
            Some(&j) => {
                for (&r, &earlier) in op.results.iter().zip(&f.ops[j].results) {
                    subst.insert(r, earlier);
                }
                dead.push(true);
            }
            None => {
                candidates.push(i);
                dead.push(false);
            }
        }
    }
    apply_substitution(f, &subst);
    remove_ops(f, |i| dead[i])
}
