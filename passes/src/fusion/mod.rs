//! `fusion`: groups the ops of the entry function into loop kernels (XLA's loop and
//! input fusion) and outlines each group into a function `@<entry>.fusion.N` called by a
//! `fusion` op, whose body the code generator compiles as one kernel.
//!
//! Elementwise ops and index maps fuse into their consumers; a reduction fuses with its
//! elementwise producers and, when its result is computed once per row of the
//! consumer's domain, with its consumers (softmax, layernorm: one kernel per pattern);
//! returned values of the same shape become extra outputs. Groups of the same shape
//! that read a common input and do not depend on each other then merge into one
//! kernel with several outputs ([`siblings`]). Contractions, pooling, gather and dense
//! constants stay outside. Calls in the entry function are inlined first. See [`plan`]
//! for the rules and [`Limits`] for the cost model's limits.

mod classify;
mod inline;
mod outline;
mod plan;
mod reuse;
mod siblings;

pub use plan::Limits;

use crate::rewrite::definitions;
use crate::stats::count;
use crate::{Pass, PassCx, PassError};
use xlac_ir::Module;

/// The fusion pass. See the module documentation.
#[derive(Debug, Default)]
pub struct Fusion {
    /// The cost model's limits.
    pub limits: Limits,
}

impl Pass for Fusion {
    fn name(&self) -> &'static str {
        "fusion"
    }

    fn run(&mut self, m: &mut Module, cx: &mut PassCx) -> Result<bool, PassError> {
        let Some(entry) = m.entry().map(|f| f.name.clone()) else { return Ok(false) };
        let entry = m.functions.iter().position(|f| f.name == entry).expect("the entry exists");
        let inlined = inline::inline_calls(m, entry);
        let f = &m.functions[entry];
        let defs = definitions(f);
        let classes = classify::classify(f, &defs);
        let mut plan = plan::plan(f, &defs, &classes, self.limits);
        let siblings = siblings::merge_siblings(&mut plan, f, &defs, &classes, self.limits);
        let fused_ops: usize = plan.groups.iter().map(|g| g.ops.len()).sum();
        let groups = outline::outline(m, entry, &plan, &defs);
        if inlined > 0 {
            cx.note(format!("{inlined} calls inlined"));
        }
        if groups > 0 {
            cx.note(format!("{fused_ops} ops in {groups} fusions"));
        }
        if siblings > 0 {
            cx.note(format!("{} merged", count(siblings, "sibling fusion")));
        }
        Ok(inlined + groups > 0)
    }
}
