//! Helpers for rules: conditions on class data, and building nodes whose attributes a
//! rule computes (composed permutations, renumbered dims, new constants).

use super::super::analysis::{TensorAnalysis, TensorGraph};
use super::super::lang::{IntList, LitLeaf, Scalar, TensorLang as T, TypeLeaf};
use egg::{Applier, Id, PatternAst, Subst, Symbol, Var};
use xlac_ir::TensorType;

/// A rule's right-hand side computed by a function: it returns the class to merge with
/// the matched one, or `None` when the rule does not apply after all. The result must
/// have the matched class's type; a mismatch is a bug (asserted in debug builds,
/// skipped otherwise).
pub struct Build(pub fn(&mut TensorGraph, Id, &Subst) -> Option<Id>);

impl Applier<T, TensorAnalysis> for Build {
    fn apply_one(
        &self,
        eg: &mut TensorGraph,
        eclass: Id,
        subst: &Subst,
        _ast: Option<&PatternAst<T>>,
        rule: Symbol,
    ) -> Vec<Id> {
        let Some(id) = (self.0)(eg, eclass, subst) else { return Vec::new() };
        if eg[id].data.ty().is_none() || eg[id].data.ty() != eg[eclass].data.ty() {
            debug_assert!(false, "rule {rule} built {:?} for a class of type {:?}", eg[id].data, eg[eclass].data);
            return Vec::new();
        }
        if eg.union(eclass, id) {
            vec![eclass]
        } else {
            Vec::new()
        }
    }
}

/// The pattern variable `name` (`"?x"`).
pub fn var(name: &str) -> Var {
    name.parse().expect("a pattern variable")
}

/// The class bound to `name`.
pub fn get(s: &Subst, name: &str) -> Id {
    s[var(name)]
}

/// The type of the class bound to `name`.
pub fn ty_of<'a>(eg: &'a TensorGraph, s: &Subst, name: &str) -> Option<&'a TensorType> {
    eg[get(s, name)].data.ty()
}

/// The integer list of an attribute leaf class.
pub fn ints(eg: &TensorGraph, id: Id) -> Option<Vec<i64>> {
    match eg[id].data.attr() {
        Some(T::Ints(l)) => Some(l.0.clone()),
        _ => None,
    }
}

/// The type of a type leaf class.
pub fn type_leaf(eg: &TensorGraph, id: Id) -> Option<TensorType> {
    match eg[id].data.attr() {
        Some(T::Type(t)) => Some(t.0.clone()),
        _ => None,
    }
}

/// The symbol of a symbol leaf class.
pub fn sym(eg: &TensorGraph, id: Id) -> Option<Symbol> {
    match eg[id].data.attr() {
        Some(T::Sym(s)) => Some(*s),
        _ => None,
    }
}

/// The splat value of the class bound to `name`.
pub fn splat(eg: &TensorGraph, s: &Subst, name: &str) -> Option<Scalar> {
    eg[get(s, name)].data.splat()
}

/// Condition: the class bound to `name` is a splat whose value satisfies `f`.
pub fn splat_is(name: &'static str, f: fn(Scalar) -> bool) -> impl Fn(&mut TensorGraph, Id, &Subst) -> bool {
    move |eg, _, s| splat(eg, s, name).is_some_and(f)
}

/// Condition: the class bound to `name` has a float dtype.
pub fn is_float(name: &'static str) -> impl Fn(&mut TensorGraph, Id, &Subst) -> bool {
    move |eg, _, s| ty_of(eg, s, name).is_some_and(|t| t.dtype.is_float())
}

/// Condition: the class bound to `name` has an integer or bool dtype.
pub fn is_exact(name: &'static str) -> impl Fn(&mut TensorGraph, Id, &Subst) -> bool {
    move |eg, _, s| ty_of(eg, s, name).is_some_and(|t| !t.dtype.is_float())
}

/// Condition: the classes bound to `a` and `b` have one type.
pub fn same_type(a: &'static str, b: &'static str) -> impl Fn(&mut TensorGraph, Id, &Subst) -> bool {
    move |eg, _, s| ty_of(eg, s, a).is_some() && ty_of(eg, s, a) == ty_of(eg, s, b)
}

/// Condition: the class bound to `x` has the type of type leaf `t`.
pub fn has_type(x: &'static str, t: &'static str) -> impl Fn(&mut TensorGraph, Id, &Subst) -> bool {
    move |eg, _, s| ty_of(eg, s, x).is_some() && ty_of(eg, s, x).cloned() == type_leaf(eg, get(s, t))
}

/// Adds an integer-list leaf.
pub fn add_ints(eg: &mut TensorGraph, v: Vec<i64>) -> Id {
    eg.add(T::Ints(IntList(v)))
}

/// Adds a type leaf.
pub fn add_type(eg: &mut TensorGraph, t: TensorType) -> Id {
    eg.add(T::Type(TypeLeaf(t)))
}

/// Adds a splat constant of type `ty` whose elements are `v` (converted to its dtype).
pub fn add_const(eg: &mut TensorGraph, ty: &TensorType, v: f64) -> Id {
    add_scalar(eg, ty, Scalar::new(ty.dtype, v))
}

/// Adds a splat constant of type `ty` with the elements `s` (of `ty`'s dtype).
pub fn add_scalar(eg: &mut TensorGraph, ty: &TensorType, s: Scalar) -> Id {
    let t = add_type(eg, ty.clone());
    let l = eg.add(T::Lit(LitLeaf::Splat(s)));
    eg.add(T::Constant([t, l]))
}

/// A value that is the same scalar at every element: a finite, nonzero splat constant,
/// or the broadcast of a rank-0 tensor. The factoring rules move such a scalar through
/// sums and contractions; a zero or infinite constant would turn `Σ(x/0)` (NaN for
/// mixed signs) into `Σx/0` (an infinity), so constants must be finite and nonzero. A
/// runtime scalar is taken as is: moving it is reassociation, which the exact rule set
/// allows.
#[derive(Copy, Clone, Debug)]
pub enum ScalarLike {
    /// A known constant.
    Splat(Scalar),
    /// `broadcast_in_dim` of this rank-0 class.
    Broadcast(Id),
}

/// The class `id` as a [`ScalarLike`], if it is one.
pub fn scalar_like(eg: &TensorGraph, id: Id) -> Option<ScalarLike> {
    if let Some(s) = eg[id].data.splat() {
        let v = s.as_f64();
        return (v.is_finite() && v != 0.0).then_some(ScalarLike::Splat(s));
    }
    eg[id].nodes.iter().find_map(|n| match n {
        T::Broadcast([_, _, x]) if eg[*x].data.ty().is_some_and(|t| t.rank() == 0) => Some(ScalarLike::Broadcast(*x)),
        _ => None,
    })
}

/// The scalar `s` at type `ty`.
pub fn materialize(eg: &mut TensorGraph, s: ScalarLike, ty: &TensorType) -> Id {
    match s {
        ScalarLike::Splat(v) => add_scalar(eg, ty, v),
        ScalarLike::Broadcast(x) if ty.rank() == 0 => x,
        ScalarLike::Broadcast(x) => {
            let d = add_ints(eg, Vec::new());
            let t = add_type(eg, ty.clone());
            eg.add(T::Broadcast([d, t, x]))
        }
    }
}

/// The type of class `id`, cloned.
pub fn class_ty(eg: &TensorGraph, id: Id) -> Option<TensorType> {
    eg[id].data.ty().cloned()
}
