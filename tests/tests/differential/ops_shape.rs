//! Generators of index-map ops and `reduce`.

use super::{ty, ALL, NUMERIC};
use crate::gen::{Case, Gen};
use crate::Tol;
use xlac_ir::{AttrValue, Attrs, OpKind, TensorType};

/// Tolerance for a float sum of `terms` values of magnitude at most 8.
pub fn sum_tol(terms: usize) -> Tol {
    Tol { atol: 1e-5 * terms as f64 + 1e-5, rtol: 1e-4 }
}

fn ints(v: &[usize]) -> AttrValue {
    AttrValue::Ints(v.iter().map(|&x| x as i64).collect())
}

/// A random permutation of `0..n`.
pub fn permutation(g: &mut Gen, n: usize) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = g.below(i + 1);
        p.swap(i, j);
    }
    p
}

/// A random subset of `0..n`, in increasing order.
fn subset(g: &mut Gen, n: usize) -> Vec<usize> {
    (0..n).filter(|_| g.chance(0.5)).collect()
}

pub fn broadcast_in_dim(g: &mut Gen) -> Case {
    let out = g.shape.clone();
    let dims = subset(g, out.len());
    let operand: Vec<usize> = dims.iter().map(|&d| if g.chance(0.3) { 1 } else { out[d] }).collect();
    let dtype = g.pick(ALL);
    let attrs = Attrs::new(OpKind::BroadcastInDim).with("dims", ints(&dims));
    g.single(OpKind::BroadcastInDim, &[ty(dtype, &operand)], attrs, Some(ty(dtype, &out)), Tol::EXACT)
}

pub fn reshape(g: &mut Gen) -> Case {
    let x = g.shape.clone();
    let n: usize = x.iter().product();
    let out = match g.below(3) {
        0 => vec![n],
        1 => x.iter().rev().copied().collect(),
        _ => {
            let mut v = x.clone();
            v.insert(g.below(x.len() + 1), 1);
            v
        }
    };
    let dtype = g.pick(ALL);
    g.single(OpKind::Reshape, &[ty(dtype, &x)], Attrs::new(OpKind::Reshape), Some(ty(dtype, &out)), Tol::EXACT)
}

pub fn transpose(g: &mut Gen) -> Case {
    let x = g.shape.clone();
    let perm = permutation(g, x.len());
    let attrs = Attrs::new(OpKind::Transpose).with("perm", ints(&perm));
    let dtype = g.pick(ALL);
    g.single(OpKind::Transpose, &[ty(dtype, &x)], attrs, None, Tol::EXACT)
}

pub fn slice(g: &mut Gen) -> Case {
    let x = g.shape.clone();
    let (mut start, mut limit, mut strides) = (vec![], vec![], vec![]);
    for &n in &x {
        let s = g.range(0, n as i64);
        start.push(s);
        limit.push(g.range(s, n as i64));
        strides.push(g.range(1, 3));
    }
    let mut attrs =
        Attrs::new(OpKind::Slice).with("start", AttrValue::Ints(start)).with("limit", AttrValue::Ints(limit));
    if g.chance(0.7) {
        attrs = attrs.with("strides", AttrValue::Ints(strides));
    }
    let dtype = g.pick(ALL);
    g.single(OpKind::Slice, &[ty(dtype, &x)], attrs, None, Tol::EXACT)
}

pub fn concatenate(g: &mut Gen) -> Case {
    let base = g.shape_min_rank(1);
    let dim = g.below(base.len());
    let pieces = g.range(1, 3) as usize;
    let dtype = g.pick(ALL);
    let params: Vec<TensorType> = (0..pieces)
        .map(|_| {
            let mut d = base.clone();
            d[dim] = g.range(0, 5) as usize;
            ty(dtype, &d)
        })
        .collect();
    let attrs = Attrs::new(OpKind::Concatenate).with("dim", AttrValue::Int(dim as i64));
    g.single(OpKind::Concatenate, &params, attrs, None, Tol::EXACT)
}

pub fn pad(g: &mut Gen) -> Case {
    let x = g.shape.clone();
    let with_interior = g.chance(0.7);
    let (mut low, mut high, mut interior) = (vec![], vec![], vec![]);
    for &n in &x {
        let i = if with_interior { g.range(0, 2) } else { 0 };
        let full = n as i64 + (n as i64 - 1).max(0) * i;
        let l = g.range(-1, 2).max(-full);
        let h = g.range(-1, 2).max(-(full + l));
        low.push(l);
        high.push(h);
        interior.push(i);
    }
    let mut attrs = Attrs::new(OpKind::Pad).with("low", AttrValue::Ints(low)).with("high", AttrValue::Ints(high));
    if with_interior {
        attrs = attrs.with("interior", AttrValue::Ints(interior));
    }
    let dtype = g.pick(ALL);
    g.single(OpKind::Pad, &[ty(dtype, &x), TensorType::scalar(dtype)], attrs, None, Tol::EXACT)
}

pub fn reverse(g: &mut Gen) -> Case {
    let x = g.shape.clone();
    let dims = subset(g, x.len());
    let attrs = Attrs::new(OpKind::Reverse).with("dims", ints(&dims));
    let dtype = g.pick(ALL);
    g.single(OpKind::Reverse, &[ty(dtype, &x)], attrs, None, Tol::EXACT)
}

pub fn reduce(g: &mut Gen) -> Case {
    let x = g.shape.clone();
    let dims = subset(g, x.len());
    let terms: usize = dims.iter().map(|&d| x[d]).product();
    let kinds: &[&'static str] = if terms <= 16 { &["sum", "prod", "max", "min"] } else { &["sum", "max", "min"] };
    let kind = g.pick(kinds);
    let attrs = Attrs::new(OpKind::Reduce).with("kind", AttrValue::Enum(kind)).with("dims", ints(&dims));
    let dtype = g.pick(NUMERIC);
    g.single(OpKind::Reduce, &[ty(dtype, &x)], attrs, None, sum_tol(terms))
}
