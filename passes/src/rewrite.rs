//! Rewriting helpers the passes share: where values are defined, replacing uses,
//! removing dead ops, and comparing and building constants.
//!
//! Every helper keeps the function in SSA form with its ops in a valid topological
//! order, as long as a replacement value is defined before the uses it replaces.

use cranelift_entity::EntityRef;
use std::collections::HashMap;
use xlac_ir::{AttrValue, Attrs, Function, Literal, Op, OpKind, TensorData, Value};

/// For every value of `f` (by index), the index of the op that defines it; `None` for
/// parameters and values no op defines.
pub fn definitions(f: &Function) -> Vec<Option<usize>> {
    let mut defs = vec![None; f.values.len()];
    for (i, op) in f.ops.iter().enumerate() {
        for &r in &op.results {
            defs[r.index()] = Some(i);
        }
    }
    defs
}

/// The op defining `v`, if any, given [`definitions`].
pub fn def_op<'f>(f: &'f Function, defs: &[Option<usize>], v: Value) -> Option<&'f Op> {
    defs.get(v.index()).copied().flatten().map(|i| &f.ops[i])
}

/// The literal of the `constant` op defining `v`, if `v` is a constant.
pub fn constant_literal<'f>(f: &'f Function, defs: &[Option<usize>], v: Value) -> Option<&'f Literal> {
    def_op(f, defs, v).filter(|op| op.kind == OpKind::Constant).and_then(|op| op.attrs.literal("value"))
}

/// Replaces every use of `from` (operands and returned values) by `to`, which must have
/// the same type and be defined before those uses. Returns the number of uses replaced.
pub fn replace_all_uses(f: &mut Function, from: Value, to: Value) -> usize {
    let mut subst = HashMap::new();
    subst.insert(from, to);
    apply_substitution(f, &subst)
}

/// Rewrites every operand and returned value through `subst` (a value missing from the
/// map stays). Chains (`a -> b -> c`) are followed. Returns the number of uses replaced.
pub fn apply_substitution(f: &mut Function, subst: &HashMap<Value, Value>) -> usize {
    if subst.is_empty() {
        return 0;
    }
    let mut n = 0;
    let uses = f.ops.iter_mut().flat_map(|op| op.operands.iter_mut()).chain(f.ret.iter_mut());
    for v in uses {
        let to = resolve(subst, *v);
        if to != *v {
            *v = to;
            n += 1;
        }
    }
    n
}

/// Follows `v` through `subst` to the value it finally stands for.
pub fn resolve(subst: &HashMap<Value, Value>, mut v: Value) -> Value {
    // A well-formed substitution maps later values to earlier ones, so it has no cycle;
    // the step cap only guards against a malformed one.
    for _ in 0..subst.len() {
        match subst.get(&v) {
            Some(&to) if to != v => v = to,
            _ => break,
        }
    }
    v
}

/// Removes every op none of whose results is used (transitively), keeping the order of
/// the others. Every op of the IR is pure, so this never changes what `f` computes.
/// Returns the number of ops removed.
pub fn remove_dead_ops(f: &mut Function) -> usize {
    let mut live = vec![false; f.values.len()];
    for &v in &f.ret {
        live[v.index()] = true;
    }
    let mut keep = vec![false; f.ops.len()];
    for (i, op) in f.ops.iter().enumerate().rev() {
        if op.results.iter().any(|r| live[r.index()]) {
            keep[i] = true;
            for &v in &op.operands {
                live[v.index()] = true;
            }
        }
    }
    remove_ops(f, |i| !keep[i])
}

/// Removes the ops whose index satisfies `dead`, keeping the order of the others.
/// Returns the number removed. The caller guarantees their results are unused.
pub fn remove_ops(f: &mut Function, dead: impl Fn(usize) -> bool) -> usize {
    let before = f.ops.len();
    let mut i = 0;
    f.ops.retain(|_| {
        let keep = !dead(i);
        i += 1;
        keep
    });
    before - f.ops.len()
}

/// Whether two attribute sets are identical, comparing literals bit for bit (so `0.0`
/// and `-0.0` differ and equal NaNs are equal).
pub fn attrs_identical(a: &Attrs, b: &Attrs) -> bool {
    let (mut xs, mut ys) = (a.iter(), b.iter());
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return true,
            (Some((sa, va)), Some((sb, vb))) => {
                let same = sa.name == sb.name
                    && match (va, vb) {
                        (AttrValue::Literal(x), AttrValue::Literal(y)) => literals_identical(x, y),
                        _ => va == vb,
                    };
                if !same {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// Whether two literals hold the same bits in the same form.
pub fn literals_identical(a: &Literal, b: &Literal) -> bool {
    match (a, b) {
        (Literal::Splat(x), Literal::Splat(y)) | (Literal::Dense(x), Literal::Dense(y)) => data_identical(x, y),
        (Literal::Weight { key: ka, data: da }, Literal::Weight { key: kb, data: db }) => {
            ka == kb && (std::sync::Arc::ptr_eq(da, db) || (da.shape == db.shape && data_identical(&da.data, &db.data)))
        }
        _ => false,
    }
}

/// Whether two element buffers have the same dtype and bits.
pub fn data_identical(a: &TensorData, b: &TensorData) -> bool {
    match (a, b) {
        (TensorData::F32(x), TensorData::F32(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
        }
        (TensorData::F64(x), TensorData::F64(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
        }
        (TensorData::I32(x), TensorData::I32(y)) => x == y,
        (TensorData::I64(x), TensorData::I64(y)) => x == y,
        (TensorData::Bool(x), TensorData::Bool(y)) => x == y,
        _ => false,
    }
}

/// The one-element data of a literal whose elements are all the same bits: a splat, a
/// one-element dense literal, or dense data that repeats one value.
pub fn splat_value(lit: &Literal) -> Option<TensorData> {
    match lit {
        Literal::Splat(d) if d.len() == 1 => Some(d.clone()),
        Literal::Dense(d) => uniform(d),
        _ => None,
    }
}

/// The first element of `d` alone, if every element has its bits; `None` when `d` is
/// empty or not uniform.
pub fn uniform(d: &TensorData) -> Option<TensorData> {
    fn all_same<T: Copy, B: PartialEq>(v: &[T], bits: impl Fn(T) -> B) -> bool {
        v.first().is_some_and(|&first| v.iter().all(|&x| bits(x) == bits(first)))
    }
    let same = match d {
        TensorData::F32(v) => all_same(v, f32::to_bits),
        TensorData::F64(v) => all_same(v, f64::to_bits),
        TensorData::I32(v) => all_same(v, |x| x),
        TensorData::I64(v) => all_same(v, |x| x),
        TensorData::Bool(v) => all_same(v, |x| x),
    };
    same.then(|| match d {
        TensorData::F32(v) => TensorData::F32(vec![v[0]]),
        TensorData::F64(v) => TensorData::F64(vec![v[0]]),
        TensorData::I32(v) => TensorData::I32(vec![v[0]]),
        TensorData::I64(v) => TensorData::I64(vec![v[0]]),
        TensorData::Bool(v) => TensorData::Bool(vec![v[0]]),
    })
}

/// A `constant` op defining `result` with `lit` (which must fit the result's type).
pub fn constant_op(result: Value, lit: Literal) -> Op {
    Op {
        kind: OpKind::Constant,
        operands: Vec::new(),
        attrs: Attrs::new(OpKind::Constant).with("value", AttrValue::Literal(lit)),
        results: vec![result],
    }
}

/// The literal for `data`: a splat when every element is the same, dense otherwise.
pub fn literal_for(data: TensorData) -> Literal {
    match uniform(&data) {
        Some(one) if data.len() > 1 => Literal::Splat(one),
        _ if data.len() == 1 => Literal::Splat(data),
        _ => Literal::Dense(data),
    }
}
