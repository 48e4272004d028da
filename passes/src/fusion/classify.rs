//! What fusion may do with each op: leave it alone (library calls, dense constants),
//! clone it into every group that reads it (cheap sources and index maps of them), or
//! fuse it; and which fused ops are expensive to compute twice.

use xlac_ir::ops::OpClass;
use xlac_ir::{Function, Literal, Op, OpKind};

/// The fusion class of one op.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Not fused: contractions, pooling, gather, calls, fusions, dense constants.
    Library,
    /// Cheap to recompute anywhere: splat constants, `iota`, and index maps of cheap
    /// values. Cloned into every group that reads it.
    Cheap,
    /// Elementwise ops, index maps and reductions.
    Fusible,
}

/// Whether a literal holds one element (a scalar or a splat).
fn is_splat(lit: Option<&Literal>) -> bool {
    match lit {
        Some(Literal::Splat(_)) => true,
        Some(Literal::Dense(d)) => d.len() == 1,
        Some(Literal::Weight { data, .. }) => data.data.len() == 1,
        None => false,
    }
}

/// The class of every op of `f`, given the op defining each value (`defs`).
pub(crate) fn classify(f: &Function, defs: &[Option<usize>]) -> Vec<Class> {
    let mut out: Vec<Class> = Vec::with_capacity(f.ops.len());
    for op in &f.ops {
        let class = match op.kind.info().class {
            _ if op.results.len() != 1 => Class::Library,
            _ if op.kind == OpKind::Constant => {
                if is_splat(op.attrs.literal("value")) {
                    Class::Cheap
                } else {
                    Class::Library
                }
            }
            _ if op.kind == OpKind::Iota => Class::Cheap,
            OpClass::IndexMap if is_index_map_of_cheap(op, defs, &out) => Class::Cheap,
            OpClass::Elementwise | OpClass::IndexMap => Class::Fusible,
            OpClass::Reduction if op.kind == OpKind::Reduce => Class::Fusible,
            _ => Class::Library,
        };
        out.push(class);
    }
    out
}

/// An index map (not `pad`/`concatenate`) whose operand is cheap.
fn is_index_map_of_cheap(op: &Op, defs: &[Option<usize>], classes: &[Class]) -> bool {
    use cranelift_entity::EntityRef;
    matches!(op.kind, OpKind::BroadcastInDim | OpKind::Reshape | OpKind::Transpose | OpKind::Slice | OpKind::Reverse)
        && op.operands.iter().all(|v| defs[v.index()].is_some_and(|d| classes.get(d) == Some(&Class::Cheap)))
}

/// Ops worth computing only once per element: transcendentals and other long
/// instruction sequences.
pub(crate) fn is_expensive(kind: OpKind) -> bool {
    use OpKind::*;
    matches!(kind, Exp | Log | Log1p | Tanh | Logistic | Erf | Sin | Cos | Pow | Rem)
}
