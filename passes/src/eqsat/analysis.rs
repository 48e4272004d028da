//! The e-class analysis: every tensor class knows its [`TensorType`] (from the op
//! table's type rules) and, when all its elements are one known value, that value.
//!
//! Rules are type-correct, so merging classes of different types is a bug: it asserts
//! in debug builds. Release builds keep the first type, and extraction re-checks every
//! node's type, so an ill-typed node can never reach the output.

use super::lang::{LitLeaf, Scalar, TensorLang as T};
use super::node::op_of;
use egg::{Analysis, DidMerge, EGraph, Id};
use xlac_ir::{Attrs, InferCx, Literal, OpKind, TensorType};

/// An op the e-graph does not model, kept whole.
#[derive(Clone, Debug)]
pub struct OpaqueOp {
    /// Kind.
    pub kind: OpKind,
    /// Attributes.
    pub attrs: Attrs,
    /// Result type.
    pub ty: TensorType,
}

/// What leaves refer to: parameter types, non-splat literals, opaque ops.
#[derive(Clone, Debug, Default)]
pub struct Tables {
    /// Parameter types, in order.
    pub params: Vec<TensorType>,
    /// Dense and weight literals.
    pub literals: Vec<Literal>,
    /// Opaque ops.
    pub opaque: Vec<OpaqueOp>,
}

impl Tables {
    /// The index of an opaque op equal to `op`, adding it if new (so equal opaque ops
    /// share one node).
    pub fn intern_opaque(&mut self, op: OpaqueOp) -> u32 {
        let found = self.opaque.iter().position(|o| o.kind == op.kind && o.ty == op.ty && o.attrs == op.attrs);
        let i = found.unwrap_or_else(|| {
            self.opaque.push(op);
            self.opaque.len() - 1
        });
        i as u32
    }
}

/// The data of one e-class.
#[derive(Clone, Debug, PartialEq)]
pub enum ClassData {
    /// An attribute leaf; the class holds just this node.
    Attr(T),
    /// A tensor.
    Tensor {
        /// Its type; `None` only for a node a broken rule built.
        ty: Option<TensorType>,
        /// The value of every element, when known.
        splat: Option<Scalar>,
    },
}

impl ClassData {
    /// The tensor type, if this is a well-typed tensor class.
    pub fn ty(&self) -> Option<&TensorType> {
        match self {
            ClassData::Tensor { ty, .. } => ty.as_ref(),
            ClassData::Attr(_) => None,
        }
    }

    /// The splat value, if known.
    pub fn splat(&self) -> Option<Scalar> {
        match self {
            ClassData::Tensor { splat, .. } => *splat,
            ClassData::Attr(_) => None,
        }
    }

    /// The attribute leaf, if this is one.
    pub fn attr(&self) -> Option<&T> {
        match self {
            ClassData::Attr(n) => Some(n),
            ClassData::Tensor { .. } => None,
        }
    }
}

/// The shape/dtype and splat-constant analysis. Owns the leaf [`Tables`].
#[derive(Clone, Debug, Default)]
pub struct TensorAnalysis {
    /// What leaves refer to.
    pub tables: Tables,
}

/// The e-graph of the pass.
pub type TensorGraph = EGraph<T, TensorAnalysis>;

/// The type `node` has given its children's classes, `None` if it is ill-typed.
pub fn infer_type(eg: &TensorGraph, node: &T) -> Option<TensorType> {
    match node {
        T::Param(p) => return eg.analysis.tables.params.get(p.0 as usize).cloned(),
        T::Constant([t, _]) => {
            return eg[*t].data.attr().and_then(|l| if let T::Type(t) = l { Some(t.0.clone()) } else { None })
        }
        _ => {}
    }
    let spec = op_of(node, |id| eg[id].data.attr(), &eg.analysis.tables)?;
    let operands: Vec<TensorType> = spec.operands.iter().map(|&o| eg[o].data.ty().cloned()).collect::<Option<_>>()?;
    if !spec.kind.info().arity.accepts(operands.len()) || !spec.attrs.missing().is_empty() {
        return None;
    }
    let declared: Vec<TensorType> = spec.declared.into_iter().collect();
    let cx = InferCx { kind: spec.kind, operands: &operands, attrs: &spec.attrs, declared: &declared, module: None };
    (spec.kind.info().rule)(&cx).ok()?.into_iter().next()
}

fn splat_of(eg: &TensorGraph, node: &T, ty: Option<&TensorType>) -> Option<Scalar> {
    let s = match node {
        T::Constant([_, l]) => match eg[*l].data.attr() {
            Some(T::Lit(LitLeaf::Splat(s))) => Some(*s),
            _ => None,
        },
        T::Broadcast([_, _, x]) | T::Reshape([_, x]) | T::Transpose([_, x]) | T::Slice([_, _, _, x]) => {
            eg[*x].data.splat()
        }
        _ => None,
    }?;
    (Some(s.dtype) == ty.map(|t| t.dtype)).then_some(s)
}

impl Analysis<T> for TensorAnalysis {
    type Data = ClassData;

    fn make(eg: &mut TensorGraph, node: &T, _id: Id) -> ClassData {
        match node {
            T::Ints(_) | T::Num(_) | T::Type(_) | T::Lit(_) | T::Sym(_) => ClassData::Attr(node.clone()),
            _ => {
                let ty = infer_type(eg, node);
                let splat = splat_of(eg, node, ty.as_ref());
                ClassData::Tensor { ty, splat }
            }
        }
    }

    fn merge(&mut self, a: &mut ClassData, b: ClassData) -> DidMerge {
        match (&mut *a, b) {
            (ClassData::Tensor { ty, splat }, ClassData::Tensor { ty: bty, splat: bsplat }) => {
                let mut changed = (false, false);
                match (ty.as_ref(), bty) {
                    (None, Some(t)) => {
                        *ty = Some(t);
                        changed.0 = true;
                    }
                    (Some(_), None) => {
                        debug_assert!(false, "merging an ill-typed e-class");
                        changed.1 = true
                    }
                    (Some(t), Some(u)) => debug_assert_eq!(*t, u, "merging e-classes of different types"),
                    (None, None) => {}
                }
                match (*splat, bsplat) {
                    (None, Some(s)) => {
                        *splat = Some(s);
                        changed.0 = true;
                    }
                    (Some(_), None) => changed.1 = true,
                    _ => {}
                }
                DidMerge(changed.0, changed.1)
            }
            (a, b) => {
                debug_assert_eq!(*a, b, "merging an attribute leaf with something else");
                DidMerge(false, false)
            }
        }
    }
}
