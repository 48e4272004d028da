//! Generators of windowed ops, contractions and `gather`.

use super::shape::{permutation, sum_tol};
use super::{ty, ALL, FLOATS, NUMERIC};
use crate::gen::{Case, Gen};
use xlac_ir::{AttrValue, Attrs, DType, OpKind};

fn maybe(g: &mut Gen, attrs: Attrs, name: &str, value: AttrValue) -> Attrs {
    if g.chance(0.7) {
        attrs.with(name, value)
    } else {
        attrs
    }
}

fn ints_in(g: &mut Gen, n: usize, lo: i64, hi: i64) -> Vec<i64> {
    (0..n).map(|_| g.range(lo, hi)).collect()
}

pub fn reduce_window(g: &mut Gen) -> Case {
    let rank = g.range(1, 3) as usize;
    let x = g.dims(rank, 1, 7);
    let window = ints_in(g, rank, 1, 3);
    let kind = g.pick(&["sum", "max", "min"]);
    let mut attrs = Attrs::new(OpKind::ReduceWindow)
        .with("kind", AttrValue::Enum(kind))
        .with("window", AttrValue::Ints(window.clone()));
    let strides = AttrValue::Ints(ints_in(g, rank, 1, 2));
    attrs = maybe(g, attrs, "strides", strides);
    let padding = AttrValue::IntPairs((0..rank).map(|_| (g.range(0, 1), g.range(0, 1))).collect());
    attrs = maybe(g, attrs, "padding", padding);
    let dilation = AttrValue::Ints(ints_in(g, rank, 1, 2));
    attrs = maybe(g, attrs, "dilation", dilation);
    let terms = window.iter().product::<i64>() as usize;
    let dtype = g.pick(NUMERIC);
    g.single(OpKind::ReduceWindow, &[ty(dtype, &x)], attrs, None, sum_tol(terms))
}

/// Axis labels of a dot_general: batch, free (lhs or rhs) or contracting, with extents.
pub fn dot_general(g: &mut Gen) -> Case {
    let (nb, nm, nn, nk) = (g.range(0, 2), g.range(0, 2), g.range(0, 2), g.range(0, 2));
    let extent = |g: &mut Gen| if g.chance(0.05) { 0 } else { g.range(1, 6) as usize };
    let batch: Vec<usize> = (0..nb).map(|_| extent(g)).collect();
    let contract: Vec<usize> = (0..nk).map(|_| extent(g)).collect();
    // Each operand: a list of (label, extent) in a random order.
    let side = |g: &mut Gen, free: i64| {
        let mut axes: Vec<(char, usize, usize)> = Vec::new();
        axes.extend(batch.iter().enumerate().map(|(i, &e)| ('b', i, e)));
        axes.extend(contract.iter().enumerate().map(|(i, &e)| ('k', i, e)));
        for i in 0..free as usize {
            axes.push(('f', i, g.range(1, 6) as usize));
        }
        let perm = permutation(g, axes.len());
        perm.into_iter().map(|p| axes[p]).collect::<Vec<_>>()
    };
    let (lhs, rhs) = (side(g, nm), side(g, nn));
    let pos = |axes: &[(char, usize, usize)], label: char, n: usize| -> Vec<i64> {
        (0..n).map(|i| axes.iter().position(|a| a.0 == label && a.1 == i).unwrap() as i64).collect()
    };
    let attrs = Attrs::new(OpKind::DotGeneral)
        .with("lhs_batch", AttrValue::Ints(pos(&lhs, 'b', batch.len())))
        .with("rhs_batch", AttrValue::Ints(pos(&rhs, 'b', batch.len())))
        .with("lhs_contract", AttrValue::Ints(pos(&lhs, 'k', contract.len())))
        .with("rhs_contract", AttrValue::Ints(pos(&rhs, 'k', contract.len())));
    let dtype = g.pick(NUMERIC);
    let dims = |axes: &[(char, usize, usize)]| axes.iter().map(|a| a.2).collect::<Vec<_>>();
    let terms = contract.iter().product();
    g.single(OpKind::DotGeneral, &[ty(dtype, &dims(&lhs)), ty(dtype, &dims(&rhs))], attrs, None, sum_tol(terms))
}

pub fn convolution(g: &mut Gen) -> Case {
    let spatial = g.range(1, 2) as usize;
    let nhwc = g.chance(0.5);
    let (n, groups) = (g.range(1, 2) as usize, g.range(1, 3) as usize);
    let (cpg, opg) = (g.range(1, 3) as usize, g.range(1, 2) as usize);
    let (c, o) = (groups * cpg, groups * opg);
    let sp = g.dims(spatial, 1, 7);
    let k = g.dims(spatial, 1, 3);
    let (input, kernel) = if nhwc {
        ([vec![n], sp, vec![c]].concat(), [k.clone(), vec![cpg, o]].concat())
    } else {
        ([vec![n, c], sp].concat(), [vec![o, cpg], k.clone()].concat())
    };
    let mut attrs = Attrs::new(OpKind::Convolution).with("feature_groups", AttrValue::Int(groups as i64));
    if nhwc {
        attrs = attrs.with("layout", AttrValue::Enum("nhwc"));
    }
    let strides = AttrValue::Ints(ints_in(g, spatial, 1, 2));
    attrs = maybe(g, attrs, "strides", strides);
    let padding = AttrValue::IntPairs((0..spatial).map(|_| (g.range(-1, 2), g.range(-1, 2))).collect());
    attrs = maybe(g, attrs, "padding", padding);
    let lhs_dilation = AttrValue::Ints(ints_in(g, spatial, 1, 2));
    attrs = maybe(g, attrs, "lhs_dilation", lhs_dilation);
    let rhs_dilation = AttrValue::Ints(ints_in(g, spatial, 1, 2));
    attrs = maybe(g, attrs, "rhs_dilation", rhs_dilation);
    let dtype = g.pick(FLOATS);
    let terms = cpg * k.iter().product::<usize>();
    g.single(OpKind::Convolution, &[ty(dtype, &input), ty(dtype, &kernel)], attrs, None, sum_tol(terms))
}

pub fn gather(g: &mut Gen) -> Case {
    let rank = g.range(1, 3) as usize;
    let x = g.dims(rank, 1, 5);
    let axis = g.below(rank);
    let idx_rank = g.range(0, 2) as usize;
    let idx = g.dims(idx_rank, 0, 4);
    let (dtype, index_dtype) = (g.pick(ALL), g.pick(&[DType::I32, DType::I64]));
    let attrs = Attrs::new(OpKind::Gather).with("axis", AttrValue::Int(axis as i64));
    g.single(OpKind::Gather, &[ty(dtype, &x), ty(index_dtype, &idx)], attrs, None, crate::Tol::EXACT)
}
