//! From an IR function to a term: a [`RecExpr`] that keeps the function's sharing (each
//! value is one entry, used by index), its roots (the returned values), and the leaf
//! [`Tables`].

use super::analysis::{OpaqueOp, Tables};
use super::lang::{LitLeaf, ParamRef, Scalar, TensorLang as T};
use super::node::{attr_leaves, is_modelled, make};
use egg::{Id, RecExpr};
use std::collections::HashMap;
use xlac_ir::{Function, Literal, Op, Value};

/// A function as a term.
#[derive(Clone, Debug)]
pub struct Encoded {
    /// Every node, children before parents; equal nodes appear once.
    pub expr: RecExpr<T>,
    /// The entries of the returned values, in order.
    pub roots: Vec<Id>,
    /// What leaves refer to.
    pub tables: Tables,
    /// For each entry of `expr` that is a function value, that value's name.
    pub names: HashMap<Id, String>,
}

/// Why a function cannot be encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported(pub String);

struct Encoder {
    expr: RecExpr<T>,
    memo: HashMap<T, Id>,
}

impl Encoder {
    fn add(&mut self, node: T) -> Id {
        if let Some(&id) = self.memo.get(&node) {
            return id;
        }
        let id = self.expr.add(node.clone());
        self.memo.insert(node, id);
        id
    }
}

/// Encodes `f`. Functions with `call` ops (several results) are [`Unsupported`]: the
/// pass leaves them as they are.
pub fn encode(f: &Function) -> Result<Encoded, Unsupported> {
    let mut enc = Encoder { expr: RecExpr::default(), memo: HashMap::new() };
    let mut tables = Tables { params: f.param_types(), ..Tables::default() };
    let mut ids: HashMap<Value, Id> = HashMap::new();
    let mut names = HashMap::new();
    for (i, &p) in f.params.iter().enumerate() {
        let id = enc.add(T::Param(ParamRef(i as u32)));
        ids.insert(p, id);
        names.entry(id).or_insert_with(|| f.name_of(p).to_string());
    }
    for op in &f.ops {
        let [result] = op.results[..] else {
            return Err(Unsupported(format!("`{}` has {} results", op.kind.name(), op.results.len())));
        };
        let operands: Vec<Id> =
            op.operands.iter().map(|v| ids.get(v).copied()).collect::<Option<_>>().ok_or_else(|| {
                Unsupported(format!("an operand of `{}` is used before it is defined", op.kind.name()))
            })?;
        let node = encode_op(f, op, operands, &mut enc, &mut tables)?;
        let id = enc.add(node);
        ids.insert(result, id);
        names.entry(id).or_insert_with(|| f.name_of(result).to_string());
    }
    let roots = f.ret.iter().map(|v| ids.get(v).copied()).collect::<Option<_>>();
    let roots = roots.ok_or_else(|| Unsupported("a returned value is not defined".into()))?;
    Ok(Encoded { expr: enc.expr, roots, tables, names })
}

fn encode_op(
    f: &Function,
    op: &Op,
    operands: Vec<Id>,
    enc: &mut Encoder,
    tables: &mut Tables,
) -> Result<T, Unsupported> {
    let ty = f.ty(op.results[0]).clone();
    if !is_modelled(op.kind) {
        if op.kind == xlac_ir::OpKind::Call {
            return Err(Unsupported("functions with calls are not optimized".into()));
        }
        let r = tables.intern_opaque(OpaqueOp { kind: op.kind, attrs: op.attrs.clone(), ty });
        return Ok(T::Opaque(super::lang::OpaqueRef(r), operands.into_boxed_slice()));
    }
    let lit = match op.attrs.literal("value") {
        Some(Literal::Splat(d)) if d.len() == 1 => Some(LitLeaf::Splat(Scalar::from_data(d, 0))),
        Some(lit) => {
            tables.literals.push(lit.clone());
            Some(LitLeaf::Table(tables.literals.len() as u32 - 1))
        }
        None => None,
    };
    let leaves = attr_leaves(op.kind, &op.attrs, &ty, lit)
        .ok_or_else(|| Unsupported(format!("`{}` has attributes the e-graph cannot hold", op.kind.name())))?;
    let mut children: Vec<Id> = leaves.into_iter().map(|l| enc.add(l)).collect();
    children.extend(operands);
    make(op.kind, children).ok_or_else(|| Unsupported(format!("`{}` has an unexpected operand count", op.kind.name())))
}
