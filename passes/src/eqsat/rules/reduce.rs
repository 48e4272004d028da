//! Rules for `reduce`: reductions of broadcasts, of reductions, of negations and of
//! products with a scalar. Summing in another order, or factoring a scalar out of a
//! sum, counts as reassociation (allowed), and so does the sign of a zero float sum
//! (the interpreter starts sums from `+0.0`, so a sum of `-0.0`s is `+0.0`, while
//! `reduce` over no dims or a `-0.0` times the broadcast extent stays `-0.0`).
//! Everything else here is exact.

use super::super::analysis::TensorGraph;
use super::super::lang::{Scalar, TensorLang as T};
use super::build::*;
use super::Rw;
use egg::{rewrite as rw, Id, Subst, Symbol};

/// `reduce(k, r, broadcast(d, t, x))`: reduce x over the reduced dims it has, broadcast
/// the rest; a sum then multiplies by the number of copies the broadcast made, a
/// max or min needs nothing more.
fn reduce_broadcast(eg: &mut TensorGraph, c: Id, s: &Subst) -> Option<Id> {
    let kind = sym(eg, get(s, "?k"))?;
    let (red, bd) = (ints(eg, get(s, "?r"))?, ints(eg, get(s, "?d"))?);
    let (t, x) = (type_leaf(eg, get(s, "?t"))?, get(s, "?x"));
    let (xty, out) = (class_ty(eg, x)?, class_ty(eg, c)?);
    if t.shape.num_elements() == 0 {
        return None;
    }
    let mut copies: i64 = 1;
    for &r in &red {
        match bd.iter().position(|&b| b == r) {
            None => copies = copies.checked_mul(*t.dims().get(r as usize)? as i64)?,
            Some(i) if xty.dims().get(i) == Some(&1) => {
                copies = copies.checked_mul(*t.dims().get(r as usize)? as i64)?
            }
            Some(_) => {}
        }
    }
    if copies > 1 && kind.as_str() == "prod" {
        return None;
    }
    let dims_x: Vec<i64> = (0..bd.len()).filter(|&i| red.contains(&bd[i])).map(|i| i as i64).collect();
    let inner = if dims_x.is_empty() {
        x
    } else {
        let d = add_ints(eg, dims_x);
        eg.add(T::Reduce([get(s, "?k"), d, x]))
    };
    let kept: Vec<i64> =
        bd.iter().filter(|b| !red.contains(b)).map(|&b| b - red.iter().filter(|&&r| r < b).count() as i64).collect();
    let (d, ty) = (add_ints(eg, kept), add_type(eg, out.clone()));
    let b = eg.add(T::Broadcast([d, ty, inner]));
    if copies == 1 || kind.as_str() != "sum" {
        return Some(b);
    }
    let n = if out.dtype.is_float() { Scalar::new(out.dtype, copies as f64) } else { Scalar::int(out.dtype, copies) };
    let n = add_scalar(eg, &out, n);
    Some(eg.add(T::Mul([b, n])))
}

/// `reduce(k, d, reduce(k, e, x))` → `reduce(k, e ∪ d', x)` with the outer dims `d`
/// renumbered to x's dims.
fn reduce_reduce(eg: &mut TensorGraph, _: Id, s: &Subst) -> Option<Id> {
    let (outer, inner) = (ints(eg, get(s, "?d"))?, ints(eg, get(s, "?e"))?);
    let x = get(s, "?x");
    let rank = class_ty(eg, x)?.rank() as i64;
    let rest: Vec<i64> = (0..rank).filter(|d| !inner.contains(d)).collect();
    let mut all = inner;
    for &d in &outer {
        all.push(*rest.get(d as usize)?);
    }
    all.sort_unstable();
    let dims = add_ints(eg, all);
    Some(eg.add(T::Reduce([get(s, "?k"), dims, x])))
}

/// `reduce(sum, d, x op s)` with a scalar-like `s` → `reduce(sum, d, x) op s`.
fn factor_scalar(eg: &mut TensorGraph, c: Id, s: &Subst, div: bool) -> Option<Id> {
    let sc = scalar_like(eg, get(s, "?s"))?;
    let out = class_ty(eg, c)?;
    let sum = eg.add(T::Sym(Symbol::from("sum")));
    let r = eg.add(T::Reduce([sum, get(s, "?d"), get(s, "?x")]));
    let m = materialize(eg, sc, &out);
    Some(eg.add(if div { T::Div([r, m]) } else { T::Mul([r, m]) }))
}

/// `reduce` over extent-1 dims only → `reshape`.
fn unit_dims(eg: &mut TensorGraph, c: Id, s: &Subst) -> Option<Id> {
    let (red, x) = (ints(eg, get(s, "?d"))?, get(s, "?x"));
    let (xty, out) = (class_ty(eg, x)?, class_ty(eg, c)?);
    if !red.iter().all(|&d| xty.dims().get(d as usize) == Some(&1)) {
        return None;
    }
    let t = add_type(eg, out);
    Some(eg.add(T::Reshape([t, x])))
}

/// Reduction rules.
#[rustfmt::skip]
pub fn exact() -> Vec<Rw> {
    vec![
        rw!("reduce-broadcast";      "(reduce ?k ?r (broadcast_in_dim ?d ?t ?x))" => { Build(reduce_broadcast) }),
        rw!("reduce-reduce";         "(reduce ?k ?d (reduce ?k ?e ?x))" => { Build(reduce_reduce) }),
        rw!("reduce-sum-neg";        "(reduce sum ?d (neg ?x))" => "(neg (reduce sum ?d ?x))"),
        rw!("reduce-max-neg";        "(reduce max ?d (neg ?x))" => "(neg (reduce min ?d ?x))" if is_float("?x")),
        rw!("reduce-min-neg";        "(reduce min ?d (neg ?x))" => "(neg (reduce max ?d ?x))" if is_float("?x")),
        rw!("reduce-sum-mul-scalar"; "(reduce sum ?d (mul ?x ?s))" => { Build(|eg, c, s| factor_scalar(eg, c, s, false)) }),
        rw!("reduce-sum-scalar-mul"; "(reduce sum ?d (mul ?s ?x))" => { Build(|eg, c, s| factor_scalar(eg, c, s, false)) }),
        rw!("reduce-sum-div-scalar"; "(reduce sum ?d (div ?x ?s))" => { Build(|eg, c, s| factor_scalar(eg, c, s, true)) } if is_float("?x")),
        rw!("reduce-no-dims";        "(reduce ?k [] ?x)" => "?x"),
        rw!("reduce-unit-dims";      "(reduce ?k ?d ?x)" => { Build(unit_dims) }),
    ]
}
