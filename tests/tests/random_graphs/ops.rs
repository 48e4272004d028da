//! One random op per [`step`]: the op class is drawn by weight, the kind from the op
//! table (`OpKind::ALL` filtered by class, arity and what the type rule accepts).

use crate::gen::{ints, Gen, MAX_ELEMENTS};
use crate::graph::infer;
use xlac_ir::ops::OpClass;
use xlac_ir::{Arity, AttrValue, Attrs, DType, OpKind, TensorType};

/// Op kinds the generator never builds, with the reason. Every other kind of the
/// elementwise, index-map, reduction and contraction classes must occur (see the
/// coverage test).
pub const NOT_GENERATED: &[(OpKind, &str)] = &[];

/// Float ops whose result jumps: only exact operands (see `graph.rs`).
const DISCONTINUOUS: &[OpKind] = &[OpKind::Floor, OpKind::Ceil, OpKind::Round, OpKind::Sign, OpKind::Rem];

/// Builds one op (and the operands it needs), or nothing when the drawn op does not fit.
type Builder = fn(&mut Gen) -> Option<usize>;

/// Adds one random op (or nothing, when the drawn op does not fit).
pub fn step(gen: &mut Gen) {
    let weights: &[(Builder, usize)] = &[
        (unary, 18),
        (binary, 24),
        (compare_select, 8),
        (clamp, 2),
        (convert, 5),
        (index_map, 22),
        (reduce, 9),
        (dot_general, 6),
        (reduce_window, 2),
        (gather, 2),
        (convolution, 2),
        (iota, 1),
    ];
    let total: usize = weights.iter().map(|w| w.1).sum();
    let mut r = gen.rng.below(total);
    for &(f, w) in weights {
        if r < w {
            f(gen);
            return;
        }
        r -= w;
    }
}

/// Kinds of `class` taking `arity` operands that `ok` accepts.
fn kinds(class: OpClass, arity: usize, ok: impl Fn(OpKind) -> bool) -> Vec<OpKind> {
    OpKind::ALL
        .iter()
        .copied()
        .filter(|k| k.info().class == class && k.info().arity == Arity::Fixed(arity) && ok(*k))
        .collect()
}

fn scalar_const(gen: &mut Gen, dtype: DType, v: f64) -> usize {
    gen.g.splat(&TensorType::scalar(dtype), v)
}

/// `|x| + add` (for operands that must be >= 0 or >= 1).
fn nonneg(gen: &mut Gen, x: usize, add: f64) -> usize {
    let a = gen.g.op(OpKind::Abs, &[x], Attrs::new(OpKind::Abs), None);
    if add == 0.0 {
        return a;
    }
    let ty = gen.g.ty(x).clone();
    let c = gen.g.splat(&ty, add);
    gen.g.op(OpKind::Add, &[a, c], Attrs::new(OpKind::Add), None)
}

/// `clamp(-8, x, 8)`, the range on which vector sin, cos and exp are tested.
fn tame(gen: &mut Gen, x: usize) -> usize {
    let d = gen.g.ty(x).dtype;
    let (lo, hi) = (scalar_const(gen, d, -8.0), scalar_const(gen, d, 8.0));
    gen.g.op(OpKind::Clamp, &[lo, x, hi], Attrs::new(OpKind::Clamp), None)
}

fn unary(gen: &mut Gen) -> Option<usize> {
    let x = gen.pick_node(|_, _| true)?;
    let (ty, exact) = (gen.g.ty(x).clone(), gen.g.nodes[x].exact);
    let candidates = kinds(OpClass::Elementwise, 1, |k| {
        k != OpKind::Convert
            && infer(k, std::slice::from_ref(&ty), &Attrs::new(k), None).is_ok()
            && (exact || !ty.dtype.is_float() || !DISCONTINUOUS.contains(&k))
    });
    let kind = gen.rng.pick(&candidates);
    let operand = match kind {
        OpKind::Log | OpKind::Sqrt | OpKind::Rsqrt => nonneg(gen, x, 1.0),
        OpKind::Log1p => nonneg(gen, x, 0.0),
        OpKind::Exp | OpKind::Sin | OpKind::Cos => tame(gen, x),
        _ => x,
    };
    Some(gen.g.op(kind, &[operand], Attrs::new(kind), None))
}

fn binary(gen: &mut Gen) -> Option<usize> {
    let x = gen.pick_node(|_, _| true)?;
    let (ty, exact) = (gen.g.ty(x).clone(), gen.g.nodes[x].exact);
    let float = ty.dtype.is_float();
    let candidates = kinds(OpClass::Elementwise, 2, |k| {
        k != OpKind::Compare
            && infer(k, &[ty.clone(), ty.clone()], &Attrs::new(k), None).is_ok()
            && (exact || !float || !DISCONTINUOUS.contains(&k))
    });
    let kind = gen.rng.pick(&candidates);
    let (lhs, rhs) = match kind {
        OpKind::Pow if float => (x, gen.g.splat(&ty, 2.0)),
        OpKind::Rem if float => (x, gen.partner(&ty, true)),
        OpKind::Div if float => {
            let y = gen.partner(&ty, false);
            (x, if gen.g.nodes[y].exact { y } else { nonneg(gen, y, 1.0) })
        }
        _ => {
            let y = gen.partner(&ty, false);
            if gen.rng.chance(0.3) {
                (y, x)
            } else {
                (x, y)
            }
        }
    };
    Some(gen.g.op(kind, &[lhs, rhs], Attrs::new(kind), None))
}

fn compare_select(gen: &mut Gen) -> Option<usize> {
    let x = gen.pick_node(|g, n| g.nodes[n].exact)?;
    let ty = gen.g.ty(x).clone();
    let y = gen.partner(&ty, true);
    let dir = gen.rng.pick(&["eq", "ne", "lt", "le", "gt", "ge"]);
    let pred = gen.g.op(OpKind::Compare, &[x, y], Attrs::new(OpKind::Compare).with("dir", AttrValue::Enum(dir)), None);
    if gen.rng.chance(0.2) {
        return Some(pred);
    }
    let dims = ty.dims().to_vec();
    let a = gen.pick_node(|g, n| g.ty(n).dims() == dims && g.ty(n).dtype != DType::Bool).unwrap_or(x);
    let b = gen.partner(&gen.g.ty(a).clone(), false);
    Some(gen.g.op(OpKind::Select, &[pred, a, b], Attrs::new(OpKind::Select), None))
}

fn clamp(gen: &mut Gen) -> Option<usize> {
    let x = gen.pick_node(|g, n| g.ty(n).dtype.is_numeric())?;
    let d = gen.g.ty(x).dtype;
    let lo = gen.rng.range(-3, 0) as f64;
    let hi = lo + gen.rng.range(0, 4) as f64;
    let (lo, hi) = (scalar_const(gen, d, lo), scalar_const(gen, d, hi));
    Some(gen.g.op(OpKind::Clamp, &[lo, x, hi], Attrs::new(OpKind::Clamp), None))
}

fn convert(gen: &mut Gen) -> Option<usize> {
    let x = gen.pick_node(|_, _| true)?;
    let ty = gen.g.ty(x).clone();
    let to = if ty.dtype.is_float() && !gen.g.nodes[x].exact {
        if ty.dtype == DType::F32 {
            DType::F64
        } else {
            DType::F32
        }
    } else {
        gen.rng.pick(&DType::ALL)
    };
    gen.try_op(OpKind::Convert, &[x], Attrs::new(OpKind::Convert), Some(ty.with_dtype(to)))
}

fn iota(gen: &mut Gen) -> Option<usize> {
    let x = gen.pick_node(|g, n| g.ty(n).rank() > 0 && g.ty(n).dtype.is_numeric())?;
    let ty = gen.g.ty(x).clone();
    let dim = gen.rng.below(ty.rank()) as i64;
    let i = gen.g.op(OpKind::Iota, &[], Attrs::new(OpKind::Iota).with("dim", AttrValue::Int(dim)), Some(ty));
    Some(gen.g.op(OpKind::Add, &[x, i], Attrs::new(OpKind::Add), None))
}

fn index_map(gen: &mut Gen) -> Option<usize> {
    let kinds = kinds(OpClass::IndexMap, 1, |_| true);
    let kind = *[&kinds[..], &[OpKind::Pad, OpKind::Concatenate]].concat().get(gen.rng.below(kinds.len() + 2))?;
    let x = gen.pick_node(|_, _| true)?;
    crate::shape_ops::build(gen, kind, x)
}

fn reduce(gen: &mut Gen) -> Option<usize> {
    let x = gen.pick_node(|g, n| g.ty(n).dtype.is_numeric() && g.ty(n).rank() > 0)?;
    let ty = gen.g.ty(x).clone();
    let mut dims = gen.rng.subset(ty.rank());
    if dims.is_empty() || gen.rng.chance(0.4) {
        // Row reductions (the last dim) are the common case worth fusing.
        dims = vec![ty.rank() - 1];
    }
    let terms: usize = dims.iter().map(|&d| ty.dims()[d]).product();
    let float = ty.dtype.is_float();
    let mut kinds = vec!["sum", "sum", "max", "min"];
    if terms <= 8 && (!float || gen.g.nodes[x].exact) {
        kinds.push("prod");
    }
    let kind = gen.rng.pick(&kinds);
    if float && (kind == "sum" || kind == "prod") {
        gen.g.max_terms = gen.g.max_terms.max(terms);
    }
    let attrs = Attrs::new(OpKind::Reduce).with("kind", AttrValue::Enum(kind)).with("dims", ints(&dims));
    gen.try_op(OpKind::Reduce, &[x], attrs, None)
}

/// Labels each axis of a value batch, contracting or free, and builds the other side.
fn dot_general(gen: &mut Gen) -> Option<usize> {
    let x = gen.pick_node(|g, n| g.ty(n).dtype.is_numeric() && (1..=3).contains(&g.ty(n).rank()))?;
    let ty = gen.g.ty(x).clone();
    let labels: Vec<usize> = (0..ty.rank()).map(|_| gen.rng.below(3)).collect();
    let (mut lb, mut lk) = (vec![], vec![]);
    let mut rhs_axes: Vec<(usize, usize, usize)> = vec![]; // (label, pairing index, extent)
    for (d, &l) in labels.iter().enumerate() {
        match l {
            0 => {
                rhs_axes.push((0, lb.len(), ty.dims()[d]));
                lb.push(d);
            }
            1 => {
                rhs_axes.push((1, lk.len(), ty.dims()[d]));
                lk.push(d);
            }
            _ => {}
        }
    }
    for _ in 0..gen.rng.below(2) + usize::from(rhs_axes.is_empty()) {
        let e = gen.rng.pick(&[1, 2, 3, 5, 8]);
        rhs_axes.push((2, 0, e));
    }
    let perm = gen.rng.permutation(rhs_axes.len());
    let rhs_axes: Vec<_> = perm.iter().map(|&p| rhs_axes[p]).collect();
    let pos = |label: usize, n: usize| -> Vec<usize> {
        (0..n).map(|i| rhs_axes.iter().position(|a| a.0 == label && a.1 == i).expect("paired")).collect()
    };
    let (rb, rk) = (pos(0, lb.len()), pos(1, lk.len()));
    let rhs_ty = TensorType::new(ty.dtype, rhs_axes.iter().map(|a| a.2).collect::<Vec<_>>());
    let y = gen.partner(&rhs_ty, false);
    let terms: usize = lk.iter().map(|&d| ty.dims()[d]).product();
    let attrs = Attrs::new(OpKind::DotGeneral)
        .with("lhs_batch", ints(&lb))
        .with("rhs_batch", ints(&rb))
        .with("lhs_contract", ints(&lk))
        .with("rhs_contract", ints(&rk));
    let r = gen.try_op(OpKind::DotGeneral, &[x, y], attrs, None)?;
    if ty.dtype.is_float() {
        gen.g.max_terms = gen.g.max_terms.max(terms);
    }
    Some(r)
}

fn reduce_window(gen: &mut Gen) -> Option<usize> {
    let x = gen.pick_node(|g, n| g.ty(n).dtype.is_numeric() && (1..=3).contains(&g.ty(n).rank()))?;
    let ty = gen.g.ty(x).clone();
    let rank = ty.rank();
    let window: Vec<usize> = ty.dims().iter().map(|&e| gen.rng.range(1, e.clamp(1, 3) as i64) as usize).collect();
    let kind = gen.rng.pick(&["sum", "max", "min"]);
    let mut attrs = Attrs::new(OpKind::ReduceWindow).with("kind", AttrValue::Enum(kind)).with("window", ints(&window));
    if gen.rng.chance(0.5) {
        let strides: Vec<usize> = (0..rank).map(|_| gen.rng.range(1, 2) as usize).collect();
        attrs = attrs.with("strides", ints(&strides));
    }
    if gen.rng.chance(0.5) {
        let padding = (0..rank).map(|_| (gen.rng.range(0, 1), gen.rng.range(0, 1))).collect();
        attrs = attrs.with("padding", AttrValue::IntPairs(padding));
    }
    if ty.dtype.is_float() && kind == "sum" {
        gen.g.max_terms = gen.g.max_terms.max(window.iter().product());
    }
    gen.try_op(OpKind::ReduceWindow, &[x], attrs, None)
}

fn gather(gen: &mut Gen) -> Option<usize> {
    let x = gen.pick_node(|g, n| (1..=3).contains(&g.ty(n).rank()))?;
    let ty = gen.g.ty(x).clone();
    let axis = gen.rng.below(ty.rank());
    let idx_dims: Vec<usize> = (0..gen.rng.below(3)).map(|_| gen.rng.pick(&[1, 2, 3, 5])).collect();
    let idx_ty = TensorType::new(gen.rng.pick(&[DType::I32, DType::I64]), idx_dims);
    let idx = gen.partner(&idx_ty, true);
    let attrs = Attrs::new(OpKind::Gather).with("axis", AttrValue::Int(axis as i64));
    gen.try_op(OpKind::Gather, &[x, idx], attrs, None)
}

/// A convolution of a float value of rank 3 or 4 read as `[N, C, spatial...]` (or
/// `[N, spatial..., C]`) with a new kernel.
fn convolution(gen: &mut Gen) -> Option<usize> {
    let x = gen.pick_node(|g, n| g.ty(n).dtype.is_float() && (3..=4).contains(&g.ty(n).rank()))?;
    let ty = gen.g.ty(x).clone();
    let dims = ty.dims().to_vec();
    let nhwc = gen.rng.chance(0.5);
    let (c, spatial) = if nhwc { (dims[dims.len() - 1], &dims[1..dims.len() - 1]) } else { (dims[1], &dims[2..]) };
    let groups = if c % 2 == 0 && gen.rng.chance(0.3) { 2 } else { 1 };
    let o = groups * gen.rng.range(1, 3) as usize;
    let k: Vec<usize> = spatial.iter().map(|&e| gen.rng.range(1, e.clamp(1, 3) as i64) as usize).collect();
    let kernel =
        if nhwc { [k.clone(), vec![c / groups, o]].concat() } else { [vec![o, c / groups], k.clone()].concat() };
    let w = gen.partner(&TensorType::new(ty.dtype, kernel), false);
    let mut attrs = Attrs::new(OpKind::Convolution).with("feature_groups", AttrValue::Int(groups as i64));
    if nhwc {
        attrs = attrs.with("layout", AttrValue::Enum("nhwc"));
    }
    if gen.rng.chance(0.5) {
        let padding = spatial.iter().map(|_| (gen.rng.range(0, 1), gen.rng.range(0, 1))).collect();
        attrs = attrs.with("padding", AttrValue::IntPairs(padding));
    }
    if gen.rng.chance(0.3) {
        attrs = attrs.with("strides", ints(&vec![2; spatial.len()]));
    }
    gen.g.max_terms = gen.g.max_terms.max(c / groups * k.iter().product::<usize>());
    gen.try_op(OpKind::Convolution, &[x, w], attrs, None)
}

/// Whether a value of `dims` is small enough.
pub fn fits(dims: &[usize]) -> bool {
    dims.iter().product::<usize>() <= MAX_ELEMENTS
}
