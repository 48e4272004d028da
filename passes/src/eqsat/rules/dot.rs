//! Rules for `dot_general`: scalar factors and negations move through it (a scalar
//! factor is reassociation, allowed; negation is exact), and transposes of its
//! operands fold into its dimension numbers.

use super::super::analysis::TensorGraph;
use super::super::lang::TensorLang as T;
use super::build::*;
use super::Rw;
use egg::{rewrite as rw, Id, Subst};

fn dot(eg: &mut TensorGraph, s: &Subst, lhs: Id, rhs: Id) -> Id {
    eg.add(T::Dot([get(s, "?lb"), get(s, "?rb"), get(s, "?lc"), get(s, "?rc"), lhs, rhs]))
}

/// `dot(a op s, b)` or `dot(a, b op s)` with a scalar-like `s` → `dot(a, b) op s`.
fn factor_out(eg: &mut TensorGraph, c: Id, s: &Subst, div: bool) -> Option<Id> {
    let sc = scalar_like(eg, get(s, "?s"))?;
    let out = class_ty(eg, c)?;
    let d = dot(eg, s, get(s, "?a"), get(s, "?b"));
    let m = materialize(eg, sc, &out);
    Some(eg.add(if div { T::Div([d, m]) } else { T::Mul([d, m]) }))
}

/// `dot(a, b) * s` with a scalar-like `s` → the scale applied to one operand, which is
/// often much smaller than the product (attention scales q, not q·kᵀ).
fn scale_into(eg: &mut TensorGraph, _: Id, s: &Subst, lhs: bool) -> Option<Id> {
    let sc = scalar_like(eg, get(s, "?s"))?;
    let (a, b) = (get(s, "?a"), get(s, "?b"));
    let target = if lhs { a } else { b };
    let ty = class_ty(eg, target)?;
    let m = materialize(eg, sc, &ty);
    let scaled = eg.add(T::Mul([target, m]));
    Some(if lhs { dot(eg, s, scaled, b) } else { dot(eg, s, a, scaled) })
}

/// `dot(transpose(p, a), b)` (or on the rhs) → `dot(a, b)` with the operand's batch and
/// contracting dims renumbered through `p`, when a's free dims keep their order (so
/// the result dims do too).
fn fold_transpose(eg: &mut TensorGraph, _: Id, s: &Subst, lhs: bool) -> Option<Id> {
    let p = ints(eg, get(s, "?p"))?;
    let (bv, cv) = if lhs { ("?lb", "?lc") } else { ("?rb", "?rc") };
    let (batch, contract) = (ints(eg, get(s, bv))?, ints(eg, get(s, cv))?);
    let map = |v: &[i64]| v.iter().map(|&d| p.get(d as usize).copied()).collect::<Option<Vec<i64>>>();
    let (nb, nc) = (map(&batch)?, map(&contract)?);
    let free: Vec<i64> =
        (0..p.len() as i64).filter(|d| !batch.contains(d) && !contract.contains(d)).map(|d| p[d as usize]).collect();
    if free.windows(2).any(|w| w[0] > w[1]) {
        return None;
    }
    let (nb, nc) = (add_ints(eg, nb), add_ints(eg, nc));
    let x = get(s, "?x");
    let (lb, rb, lc, rc) = (get(s, "?lb"), get(s, "?rb"), get(s, "?lc"), get(s, "?rc"));
    let ch = if lhs { [nb, rb, nc, rc, x, get(s, "?b")] } else { [lb, nb, lc, nc, get(s, "?a"), x] };
    Some(eg.add(T::Dot(ch)))
}

/// Dot rules.
#[rustfmt::skip]
pub fn exact() -> Vec<Rw> {
    vec![
        rw!("dot-mul-scalar-lhs";  "(dot_general ?lb ?rb ?lc ?rc (mul ?a ?s) ?b)" => { Build(|eg, c, s| factor_out(eg, c, s, false)) }),
        rw!("dot-mul-scalar-rhs";  "(dot_general ?lb ?rb ?lc ?rc ?a (mul ?b ?s))" => { Build(|eg, c, s| factor_out(eg, c, s, false)) }),
        rw!("dot-div-scalar-lhs";  "(dot_general ?lb ?rb ?lc ?rc (div ?a ?s) ?b)" => { Build(|eg, c, s| factor_out(eg, c, s, true)) } if is_float("?a")),
        rw!("dot-neg-lhs";         "(dot_general ?lb ?rb ?lc ?rc (neg ?a) ?b)" => "(neg (dot_general ?lb ?rb ?lc ?rc ?a ?b))"),
        rw!("dot-neg-rhs";         "(dot_general ?lb ?rb ?lc ?rc ?a (neg ?b))" => "(neg (dot_general ?lb ?rb ?lc ?rc ?a ?b))"),
        rw!("dot-transpose-lhs";   "(dot_general ?lb ?rb ?lc ?rc (transpose ?p ?x) ?b)" => { Build(|eg, c, s| fold_transpose(eg, c, s, true)) }),
        rw!("dot-transpose-rhs";   "(dot_general ?lb ?rb ?lc ?rc ?a (transpose ?p ?x))" => { Build(|eg, c, s| fold_transpose(eg, c, s, false)) }),
        rw!("dot-scale-into-lhs";  "(mul (dot_general ?lb ?rb ?lc ?rc ?a ?b) ?s)" => { Build(|eg, c, s| scale_into(eg, c, s, true)) }),
        rw!("dot-scale-into-rhs";  "(mul (dot_general ?lb ?rb ?lc ?rc ?a ?b) ?s)" => { Build(|eg, c, s| scale_into(eg, c, s, false)) }),
    ]
}
