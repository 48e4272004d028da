//! `canonicalize`: local rewrites to one canonical form. Constants move to the right of
//! commutative ops (`compare` swaps its direction); identity index maps, reductions over
//! no dims and same-dtype converts are removed; a broadcast of a one-value constant
//! becomes a splat constant; reshape of reshape and transpose of transpose collapse.
//! Ops made dead are left for `dce`, except the removed identities.

use crate::canonicalize_rules::{simplify, Action};
use crate::rewrite::{apply_substitution, definitions, remove_ops, resolve};
use crate::stats::count;
use crate::{Pass, PassCx, PassError};
use std::collections::HashMap;
use xlac_ir::{Function, Module};

/// How many times one op is rewritten before moving on (each rule strictly simplifies,
/// so this is never reached on a well-formed op; it bounds the loop regardless).
const MAX_REWRITES_PER_OP: usize = 8;

/// Canonicalization. See the module documentation.
#[derive(Debug, Default)]
pub struct Canonicalize;

impl Pass for Canonicalize {
    fn name(&self) -> &'static str {
        "canonicalize"
    }

    fn run(&mut self, m: &mut Module, cx: &mut PassCx) -> Result<bool, PassError> {
        let (mut rewritten, mut removed) = (0, 0);
        for f in &mut m.functions {
            let (r, d) = canonicalize_function(f);
            rewritten += r;
            removed += d;
        }
        if rewritten > 0 {
            cx.note(format!("{} rewritten", count(rewritten, "op")));
        }
        if removed > 0 {
            cx.note(format!("{} removed", count(removed, "identity op")));
        }
        Ok(rewritten + removed > 0)
    }
}

/// Canonicalizes `f` in one forward sweep. Returns (ops rewritten, ops removed).
fn canonicalize_function(f: &mut Function) -> (usize, usize) {
    let defs = definitions(f);
    let mut subst = HashMap::new();
    let mut dead = Vec::with_capacity(f.ops.len());
    let mut rewritten = 0;
    for i in 0..f.ops.len() {
        for v in f.ops[i].operands.iter_mut() {
            *v = resolve(&subst, *v);
        }
        let mut replaced = false;
        for _ in 0..MAX_REWRITES_PER_OP {
            match simplify(f, &defs, &f.ops[i]) {
                Action::Keep => break,
                Action::Rewrite(op) => {
                    f.ops[i] = op;
                    rewritten += 1;
                }
                Action::Replace(v) => {
                    subst.insert(f.ops[i].results[0], v);
                    replaced = true;
                    break;
                }
            }
        }
        dead.push(replaced);
    }
    apply_substitution(f, &subst);
    (rewritten, remove_ops(f, |i| dead[i]))
}
