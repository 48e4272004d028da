//! Rules for index maps: reshape, transpose, broadcast_in_dim, slice, concatenate, and
//! moving elementwise work to the small side of a broadcast. All exact.

use super::super::analysis::TensorGraph;
use super::super::lang::TensorLang as T;
use super::build::*;
use super::Rw;
use egg::{rewrite as rw, Id, Subst};
use xlac_ir::{OpKind, TensorType};

/// `transpose(q, transpose(p, x))` → `transpose(p∘q, x)`: result dim i is x dim p[q[i]].
fn transpose_transpose(eg: &mut TensorGraph, _: Id, s: &Subst) -> Option<Id> {
    let (p, q) = (ints(eg, get(s, "?p"))?, ints(eg, get(s, "?q"))?);
    let composed: Vec<i64> = q.iter().map(|&i| p.get(i as usize).copied()).collect::<Option<_>>()?;
    let perm = add_ints(eg, composed);
    Some(eg.add(T::Transpose([perm, get(s, "?x")])))
}

fn identity_perm(eg: &mut TensorGraph, _: Id, s: &Subst) -> bool {
    ints(eg, get(s, "?p")).is_some_and(|p| p.iter().enumerate().all(|(i, &d)| d == i as i64))
}

/// `broadcast(d1, t, broadcast(d2, u, x))` → `broadcast(d1∘d2, t, x)`.
fn broadcast_broadcast(eg: &mut TensorGraph, _: Id, s: &Subst) -> Option<Id> {
    let (outer, inner) = (ints(eg, get(s, "?d"))?, ints(eg, get(s, "?e"))?);
    let dims: Vec<i64> = inner.iter().map(|&i| outer.get(i as usize).copied()).collect::<Option<_>>()?;
    let d = add_ints(eg, dims);
    Some(eg.add(T::Broadcast([d, get(s, "?t"), get(s, "?x")])))
}

/// `transpose(p, broadcast(d, t, x))` → a broadcast to the transposed type (of x
/// transposed, when the operand dims land out of order).
fn transpose_broadcast(eg: &mut TensorGraph, c: Id, s: &Subst) -> Option<Id> {
    let (p, d) = (ints(eg, get(s, "?p"))?, ints(eg, get(s, "?d"))?);
    let ty = class_ty(eg, c)?;
    let mut inv = vec![0i64; p.len()];
    for (i, &pi) in p.iter().enumerate() {
        *inv.get_mut(pi as usize)? = i as i64;
    }
    let new_dims: Vec<i64> = d.iter().map(|&di| inv.get(di as usize).copied()).collect::<Option<_>>()?;
    let mut order: Vec<usize> = (0..new_dims.len()).collect();
    order.sort_by_key(|&i| new_dims[i]);
    let mut x = get(s, "?x");
    if order.iter().enumerate().any(|(i, &o)| i != o) {
        let q = add_ints(eg, order.iter().map(|&o| o as i64).collect());
        x = eg.add(T::Transpose([q, x]));
    }
    let sorted = add_ints(eg, order.iter().map(|&o| new_dims[o]).collect());
    let t = add_type(eg, ty);
    Some(eg.add(T::Broadcast([sorted, t, x])))
}

/// `reshape(t, x)` that only inserts extent-1 dims → `broadcast_in_dim`.
fn reshape_as_broadcast(eg: &mut TensorGraph, _: Id, s: &Subst) -> Option<Id> {
    let (x, t) = (ty_of(eg, s, "?x")?.clone(), type_leaf(eg, get(s, "?t"))?);
    let mut dims = Vec::new();
    let mut j = 0;
    for (i, &e) in t.dims().iter().enumerate() {
        if j < x.rank() && x.dims()[j] == e {
            dims.push(i as i64);
            j += 1;
        } else if e != 1 {
            return None;
        }
    }
    if j != x.rank() {
        return None;
    }
    let d = add_ints(eg, dims);
    Some(eg.add(T::Broadcast([d, get(s, "?t"), get(s, "?x")])))
}

fn same_count(eg: &mut TensorGraph, _: Id, s: &Subst) -> bool {
    let n = |t: &TensorType| t.shape.num_elements();
    ty_of(eg, s, "?x").map(n) == type_leaf(eg, get(s, "?t")).as_ref().map(n)
}

/// `f(broadcast(d, t, a), c)` with a splat `c` → `broadcast(d, t, f(a, c'))`.
fn hoist_splat(kind: OpKind, eg: &mut TensorGraph, s: &Subst) -> Option<Id> {
    let c = splat(eg, s, "?c")?;
    let a = get(s, "?a");
    let aty = class_ty(eg, a)?;
    let small = add_scalar(eg, &aty, c);
    let inner = super::super::node::make(kind, vec![a, small])?;
    let inner = eg.add(inner);
    Some(eg.add(T::Broadcast([get(s, "?d"), get(s, "?t"), inner])))
}

/// `slice(concatenate(xs))` where the slice falls in one piece → a slice of that piece.
fn slice_concat(eg: &mut TensorGraph, _: Id, s: &Subst) -> Option<Id> {
    let (start, limit, strides) = (ints(eg, get(s, "?s"))?, ints(eg, get(s, "?l"))?, ints(eg, get(s, "?st"))?);
    let c = get(s, "?c");
    let (dim, pieces) = eg[c].nodes.iter().find_map(|n| match n {
        T::Concatenate(ch) => match eg[ch[0]].data.attr() {
            Some(T::Num(d)) => Some((*d as usize, ch[1..].to_vec())),
            _ => None,
        },
        _ => None,
    })?;
    let (lo, hi, st) = (*start.get(dim)?, *limit.get(dim)?, *strides.get(dim)?);
    if st <= 0 {
        return None;
    }
    let count = (hi - lo + st - 1) / st;
    let last = lo + (count - 1).max(0) * st;
    let mut off = 0i64;
    for p in pieces {
        let n = *class_ty(eg, p)?.dims().get(dim)? as i64;
        if lo >= off && last < off + n && count > 0 {
            let (mut s2, mut l2) = (start.clone(), limit.clone());
            s2[dim] = lo - off;
            l2[dim] = last - off + 1;
            let (a, b, c) = (add_ints(eg, s2), add_ints(eg, l2), add_ints(eg, strides));
            return Some(eg.add(T::Slice([a, b, c, p])));
        }
        off += n;
    }
    None
}

/// `slice(slice(x))` → one slice: outer index j is inner index s1 + j·st1, which is x
/// index s2 + (s1 + j·st1)·st2. Dims of extent 0 or 1 get stride 1, so composing with
/// an identity slice (which the e-graph may hold in a cycle) cannot grow the strides.
fn slice_slice(eg: &mut TensorGraph, c: Id, s: &Subst) -> Option<Id> {
    let (s1, st1) = (ints(eg, get(s, "?s"))?, ints(eg, get(s, "?st"))?);
    let (s2, st2) = (ints(eg, get(s, "?s2"))?, ints(eg, get(s, "?st2"))?);
    let out = class_ty(eg, c)?;
    let mut start = Vec::new();
    let mut limit = Vec::new();
    let mut strides = Vec::new();
    for i in 0..out.rank() {
        let n = out.dims()[i] as i64;
        let st = if n <= 1 { 1 } else { st1.get(i)?.checked_mul(*st2.get(i)?)? };
        let b = s1.get(i)?.checked_mul(*st2.get(i)?)?.checked_add(*s2.get(i)?)?;
        start.push(b);
        limit.push(if n == 0 { b } else { (n - 1).checked_mul(st)?.checked_add(b + 1)? });
        strides.push(st);
    }
    let (a, b, st) = (add_ints(eg, start), add_ints(eg, limit), add_ints(eg, strides));
    Some(eg.add(T::Slice([a, b, st, get(s, "?x")])))
}

fn same_as_class(eg: &mut TensorGraph, c: Id, s: &Subst) -> bool {
    eg[c].data.ty().is_some() && eg[c].data.ty() == ty_of(eg, s, "?x")
}

/// Shape rules (all exact).
#[rustfmt::skip]
pub fn exact() -> Vec<Rw> {
    vec![
        rw!("reshape-reshape";      "(reshape ?t (reshape ?u ?x))" => "(reshape ?t ?x)"),
        rw!("reshape-id";           "(reshape ?t ?x)" => "?x" if has_type("?x", "?t")),
        rw!("transpose-transpose";  "(transpose ?q (transpose ?p ?x))" => { Build(transpose_transpose) }),
        rw!("transpose-id";         "(transpose ?p ?x)" => "?x" if identity_perm),
        rw!("broadcast-id";         "(broadcast_in_dim ?d ?t ?x)" => "?x" if has_type("?x", "?t")),
        rw!("broadcast-broadcast";  "(broadcast_in_dim ?d ?t (broadcast_in_dim ?e ?u ?x))" => { Build(broadcast_broadcast) }),
        rw!("transpose-broadcast";  "(transpose ?p (broadcast_in_dim ?d ?t ?x))" => { Build(transpose_broadcast) }),
        rw!("reshape-as-broadcast"; "(reshape ?t ?x)" => { Build(reshape_as_broadcast) }),
        rw!("broadcast-as-reshape"; "(broadcast_in_dim ?d ?t ?x)" => "(reshape ?t ?x)" if same_count),
        rw!("slice-id";             "(slice ?s ?l ?st ?x)" => "?x" if same_as_class),
        rw!("slice-slice";          "(slice ?s ?l ?st (slice ?s2 ?l2 ?st2 ?x))" => { Build(slice_slice) }),
        rw!("slice-concatenate";    "(slice ?s ?l ?st ?c)" => { Build(slice_concat) }),
        rw!("concatenate-one";      "(concatenate ?d ?x)" => "?x"),
        rw!("neg-of-broadcast";      "(neg (broadcast_in_dim ?d ?t ?x))" => "(broadcast_in_dim ?d ?t (neg ?x))"),
        rw!("abs-of-broadcast";      "(abs (broadcast_in_dim ?d ?t ?x))" => "(broadcast_in_dim ?d ?t (abs ?x))"),
        rw!("exp-of-broadcast";      "(exp (broadcast_in_dim ?d ?t ?x))" => "(broadcast_in_dim ?d ?t (exp ?x))"),
        rw!("log-of-broadcast";      "(log (broadcast_in_dim ?d ?t ?x))" => "(broadcast_in_dim ?d ?t (log ?x))"),
        rw!("tanh-of-broadcast";     "(tanh (broadcast_in_dim ?d ?t ?x))" => "(broadcast_in_dim ?d ?t (tanh ?x))"),
        rw!("logistic-of-broadcast"; "(logistic (broadcast_in_dim ?d ?t ?x))" => "(broadcast_in_dim ?d ?t (logistic ?x))"),
        rw!("sqrt-of-broadcast";     "(sqrt (broadcast_in_dim ?d ?t ?x))" => "(broadcast_in_dim ?d ?t (sqrt ?x))"),
        rw!("rsqrt-of-broadcast";    "(rsqrt (broadcast_in_dim ?d ?t ?x))" => "(broadcast_in_dim ?d ?t (rsqrt ?x))"),
        rw!("add-of-broadcasts"; "(add (broadcast_in_dim ?d ?t ?a) (broadcast_in_dim ?d ?t ?b))" => "(broadcast_in_dim ?d ?t (add ?a ?b))" if same_type("?a", "?b")),
        rw!("sub-of-broadcasts"; "(sub (broadcast_in_dim ?d ?t ?a) (broadcast_in_dim ?d ?t ?b))" => "(broadcast_in_dim ?d ?t (sub ?a ?b))" if same_type("?a", "?b")),
        rw!("mul-of-broadcasts"; "(mul (broadcast_in_dim ?d ?t ?a) (broadcast_in_dim ?d ?t ?b))" => "(broadcast_in_dim ?d ?t (mul ?a ?b))" if same_type("?a", "?b")),
        rw!("div-of-broadcasts"; "(div (broadcast_in_dim ?d ?t ?a) (broadcast_in_dim ?d ?t ?b))" => "(broadcast_in_dim ?d ?t (div ?a ?b))" if same_type("?a", "?b")),
        rw!("max-of-broadcasts"; "(max (broadcast_in_dim ?d ?t ?a) (broadcast_in_dim ?d ?t ?b))" => "(broadcast_in_dim ?d ?t (max ?a ?b))" if same_type("?a", "?b")),
        rw!("min-of-broadcasts"; "(min (broadcast_in_dim ?d ?t ?a) (broadcast_in_dim ?d ?t ?b))" => "(broadcast_in_dim ?d ?t (min ?a ?b))" if same_type("?a", "?b")),
        rw!("add-broadcast-splat"; "(add (broadcast_in_dim ?d ?t ?a) ?c)" => { Build(|eg, _, s| hoist_splat(OpKind::Add, eg, s)) }),
        rw!("sub-broadcast-splat"; "(sub (broadcast_in_dim ?d ?t ?a) ?c)" => { Build(|eg, _, s| hoist_splat(OpKind::Sub, eg, s)) }),
        rw!("mul-broadcast-splat"; "(mul (broadcast_in_dim ?d ?t ?a) ?c)" => { Build(|eg, _, s| hoist_splat(OpKind::Mul, eg, s)) }),
        rw!("div-broadcast-splat"; "(div (broadcast_in_dim ?d ?t ?a) ?c)" => { Build(|eg, _, s| hoist_splat(OpKind::Div, eg, s)) }),
    ]
}
