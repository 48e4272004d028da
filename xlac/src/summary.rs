//! The one-line summary `xlac check` prints.

use std::fmt;
use xlac_ir::{Literal, Module, OpKind};

/// Counts that describe a module at a glance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleSummary {
    /// Number of functions.
    pub functions: usize,
    /// Number of ops over all functions.
    pub ops: usize,
    /// Parameters of the entry function (0 if there is none).
    pub params: usize,
    /// Bytes of constant data: inline literals (a splat counts one element) and weights.
    pub weight_bytes: usize,
}

impl ModuleSummary {
    /// Summarises `m`.
    pub fn of(m: &Module) -> ModuleSummary {
        let mut weight_bytes = 0usize;
        for f in &m.functions {
            for op in f.ops.iter().filter(|op| op.kind == OpKind::Constant) {
                weight_bytes += match op.attrs.literal("value") {
                    Some(Literal::Splat(d) | Literal::Dense(d)) => d.len() * d.dtype().size_bytes(),
                    Some(Literal::Weight { data, .. }) => data.data.len() * data.dtype().size_bytes(),
                    None => 0,
                };
            }
        }
        ModuleSummary {
            functions: m.functions.len(),
            ops: m.op_count(),
            params: m.entry().map_or(0, |f| f.params.len()),
            weight_bytes,
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

impl fmt::Display for ModuleSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {}, {}, {} weight bytes",
            plural(self.functions, "function"),
            plural(self.ops, "op"),
            plural(self.params, "parameter"),
            self.weight_bytes
        )
    }
}
