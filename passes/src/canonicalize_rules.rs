//! The rules of `canonicalize`, one function per op family. Each looks at one op (whose
//! operands are already canonical) and says whether to keep it, rewrite it in place, or
//! replace its result by an existing value of the same type.

use crate::rewrite::{constant_literal, constant_op, def_op, splat_value};
use xlac_ir::{AttrValue, Function, Literal, Op, OpKind, Value};

/// What to do with one op.
#[derive(Debug)]
pub enum Action {
    /// Nothing applies.
    Keep,
    /// Replace the op by this one (same results).
    Rewrite(Op),
    /// The op computes this value (same type, defined earlier): replace its uses.
    Replace(Value),
}

/// The first rule that applies to `op`, an op of `f`; `defs` is
/// [`crate::rewrite::definitions`] of `f`.
pub fn simplify(f: &Function, defs: &[Option<usize>], op: &Op) -> Action {
    match op.kind {
        OpKind::Add | OpKind::Mul | OpKind::Max | OpKind::Min | OpKind::And | OpKind::Or | OpKind::Xor => {
            commute(f, defs, op, None)
        }
        OpKind::Compare => {
            let dir = op.attrs.enum_or("dir", "eq");
            commute(f, defs, op, Some(swapped_direction(dir)))
        }
        OpKind::Reshape => reshape(f, defs, op),
        OpKind::Transpose => transpose(f, defs, op),
        OpKind::BroadcastInDim => broadcast(f, defs, op),
        OpKind::Slice => identity_if(f, op, op.attrs.ints("start").iter().all(|&s| s == 0)),
        OpKind::Pad => {
            let zero = |name| op.attrs.ints(name).iter().all(|&x| x == 0);
            identity_if(f, op, zero("low") && zero("high") && zero("interior"))
        }
        OpKind::Reverse => {
            let dims = f.ty(op.operands[0]).dims();
            identity_if(f, op, op.attrs.ints("dims").iter().all(|&d| dims.get(d as usize).is_some_and(|&n| n <= 1)))
        }
        OpKind::Reduce => identity_if(f, op, op.attrs.ints("dims").is_empty()),
        OpKind::Convert => identity_if(f, op, true),
        _ => Action::Keep,
    }
}

/// `Replace(x)` when `cond` holds and the op's single result has the type of its first
/// operand `x`.
fn identity_if(f: &Function, op: &Op, cond: bool) -> Action {
    let x = op.operands[0];
    match op.results.as_slice() {
        [r] if cond && f.ty(*r) == f.ty(x) => Action::Replace(x),
        _ => Action::Keep,
    }
}

/// The direction of `compare` with its operands swapped.
fn swapped_direction(dir: &'static str) -> &'static str {
    match dir {
        "lt" => "gt",
        "gt" => "lt",
        "le" => "ge",
        "ge" => "le",
        other => other,
    }
}

/// A commutative op with a constant on the left and a non-constant on the right gets
/// its operands swapped (and, for `compare`, the direction `dir`).
fn commute(f: &Function, defs: &[Option<usize>], op: &Op, dir: Option<&'static str>) -> Action {
    let is_const = |v| constant_literal(f, defs, v).is_some();
    let [lhs, rhs] = op.operands[..] else { return Action::Keep };
    if !is_const(lhs) || is_const(rhs) {
        return Action::Keep;
    }
    let mut new = op.clone();
    new.operands = vec![rhs, lhs];
    if let Some(dir) = dir {
        new.attrs = op.attrs.clone().with("dir", AttrValue::Enum(dir));
    }
    Action::Rewrite(new)
}

/// Same-type reshape is removed; reshape of reshape reads the inner operand.
fn reshape(f: &Function, defs: &[Option<usize>], op: &Op) -> Action {
    let x = op.operands[0];
    if let Some(inner) = def_op(f, defs, x).filter(|d| d.kind == OpKind::Reshape) {
        let mut new = op.clone();
        new.operands = vec![inner.operands[0]];
        return Action::Rewrite(new);
    }
    identity_if(f, op, true)
}

/// Identity permutations are removed; transpose of transpose becomes one transpose.
fn transpose(f: &Function, defs: &[Option<usize>], op: &Op) -> Action {
    let perm = op.attrs.ints("perm");
    if perm.iter().enumerate().all(|(i, &p)| p == i as i64) {
        return identity_if(f, op, true);
    }
    let Some(inner) = def_op(f, defs, op.operands[0]).filter(|d| d.kind == OpKind::Transpose) else {
        return Action::Keep;
    };
    let inner_perm = inner.attrs.ints("perm");
    let composed: Option<Vec<i64>> = perm.iter().map(|&p| inner_perm.get(p as usize).copied()).collect();
    let Some(composed) = composed else { return Action::Keep };
    let mut new = op.clone();
    new.operands = vec![inner.operands[0]];
    new.attrs = op.attrs.clone().with("perm", AttrValue::Ints(composed));
    Action::Rewrite(new)
}

/// A broadcast of a one-value constant becomes a splat constant of the result type; a
/// broadcast to the operand's own type with identity dims is removed.
fn broadcast(f: &Function, defs: &[Option<usize>], op: &Op) -> Action {
    let x = op.operands[0];
    if let Some(one) = constant_literal(f, defs, x).and_then(splat_value) {
        return Action::Rewrite(constant_op(op.results[0], Literal::Splat(one)));
    }
    let dims = op.attrs.ints("dims");
    identity_if(f, op, dims.iter().enumerate().all(|(i, &d)| d == i as i64))
}
