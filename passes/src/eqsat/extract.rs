//! DAG-aware greedy extraction.
//!
//! egg's `Extractor` minimizes a tree cost, which counts a subterm once per use and so
//! prefers recomputing to sharing. Here each e-class chooses the node minimizing the
//! cost of the *set* of classes the choice needs: the node's own cost plus, once each,
//! the classes in the union of its children's sets (a bitset per class; each member
//! counted at its current cost, which is the usual approximation). Choices start at
//! the leaves and are revisited when a child's choice improves, with a cap on the
//! number of updates. A node whose children's sets contain its own class would make a
//! cycle and is skipped; a node whose type disagrees with its class's (a broken rule)
//! is never chosen.

use super::analysis::{ClassData, TensorGraph};
use super::cost::{in_epilogue, op_cost, EPILOGUE_DISCOUNT};
use super::lang::TensorLang as T;
use super::node::op_of;
use egg::{Id, Language, RecExpr};
use std::collections::{HashMap, VecDeque};
use xlac_ir::TensorType;

/// The extracted term: `expr` with one entry per chosen class, and the entries of the
/// roots. `classes[i]` is the class that entry `i` came from.
#[derive(Clone, Debug)]
pub struct Extracted {
    /// The term.
    pub expr: RecExpr<T>,
    /// Entries of the roots, in order.
    pub roots: Vec<Id>,
    /// The class of each entry.
    pub classes: Vec<Id>,
}

struct Choice {
    node: usize,
    set: Vec<u64>,
    total: f64,
}

/// The cost of `node` in a class of type `ty`; `None` if the node is ill-typed there.
fn node_cost(eg: &TensorGraph, node: &T, ty: &TensorType) -> Option<f64> {
    if super::analysis::infer_type(eg, node).as_ref() != Some(ty) {
        return None;
    }
    if matches!(node, T::Param(_) | T::Constant(_)) {
        return Some(0.0);
    }
    let spec = op_of(node, |id| eg[id].data.attr(), &eg.analysis.tables)?;
    let operands: Vec<&TensorType> = spec.operands.iter().map(|&o| eg[o].data.ty()).collect::<Option<_>>()?;
    let cost = op_cost(spec.kind, &spec.attrs, &operands, ty);
    // An operand class that holds a product: this op would be its epilogue.
    let product = |i: usize| {
        eg[spec.operands[i]].nodes.iter().any(|n| match n {
            T::Dot(_) => true,
            T::Opaque(..) => op_of(n, |id| eg[id].data.attr(), &eg.analysis.tables)
                .is_some_and(|o| o.kind == xlac_ir::OpKind::Convolution),
            _ => false,
        })
    };
    Some(if in_epilogue(spec.kind, &operands, ty, product) { cost * EPILOGUE_DISCOUNT } else { cost })
}

/// Extracts a low-DAG-cost term for `roots`; `None` if no acyclic choice was found.
pub fn extract(eg: &TensorGraph, roots: &[Id]) -> Option<Extracted> {
    let classes: Vec<Id> = eg.classes().map(|c| c.id).collect();
    let index: HashMap<Id, usize> = classes.iter().enumerate().map(|(i, &c)| (c, i)).collect();
    let words = classes.len().div_ceil(64);
    let is_tensor = |c: Id| matches!(eg[c].data, ClassData::Tensor { .. });
    let mut costs: Vec<Vec<Option<f64>>> = Vec::with_capacity(classes.len());
    let mut parents: Vec<Vec<usize>> = vec![Vec::new(); classes.len()];
    for (i, &c) in classes.iter().enumerate() {
        let ty = eg[c].data.ty();
        costs.push(eg[c].nodes.iter().map(|n| ty.and_then(|t| node_cost(eg, n, t))).collect());
        for n in &eg[c].nodes {
            for &ch in n.children() {
                parents[index[&eg.find(ch)]].push(i);
            }
        }
    }
    let mut choice: Vec<Option<Choice>> = (0..classes.len()).map(|_| None).collect();
    let mut queue: VecDeque<usize> = (0..classes.len()).filter(|&i| is_tensor(classes[i])).collect();
    let mut queued: Vec<bool> = vec![true; classes.len()];
    let mut budget = 64 * eg.total_number_of_nodes() + 1024;
    while let Some(i) = queue.pop_front() {
        queued[i] = false;
        let c = classes[i];
        let mut best: Option<Choice> = None;
        for (k, node) in eg[c].nodes.iter().enumerate() {
            let Some(cost) = costs[i][k] else { continue };
            let mut set = vec![0u64; words];
            let ok = node.children().iter().all(|&ch| {
                let j = index[&eg.find(ch)];
                if !is_tensor(classes[j]) {
                    return true;
                }
                let Some(cj) = &choice[j] else { return false };
                set.iter_mut().zip(&cj.set).for_each(|(a, b)| *a |= b);
                true
            });
            if !ok || set[i / 64] & (1 << (i % 64)) != 0 {
                continue;
            }
            set[i / 64] |= 1 << (i % 64);
            let total = cost + members(&set).filter(|&j| j != i).map(|j| chosen_cost(&choice, &costs, j)).sum::<f64>();
            if best.as_ref().is_none_or(|b| total < b.total) {
                best = Some(Choice { node: k, set, total });
            }
        }
        let improved = match (&best, &choice[i]) {
            (Some(b), Some(old)) => b.total < old.total * (1.0 - 1e-9) || b.node != old.node && b.total < old.total,
            (Some(_), None) => true,
            _ => false,
        };
        if improved {
            choice[i] = best;
            for &p in &parents[i] {
                if !queued[p] && budget > 0 {
                    budget -= 1;
                    queued[p] = true;
                    queue.push_back(p);
                }
            }
        }
    }
    build(eg, roots, &classes, &index, &choice)
}

fn chosen_cost(choice: &[Option<Choice>], costs: &[Vec<Option<f64>>], j: usize) -> f64 {
    choice[j].as_ref().and_then(|c| costs[j][c.node]).unwrap_or(0.0)
}

fn members(set: &[u64]) -> impl Iterator<Item = usize> + '_ {
    set.iter().enumerate().flat_map(|(w, &bits)| (0..64).filter(move |b| bits & (1 << b) != 0).map(move |b| w * 64 + b))
}

/// Emits the chosen nodes reachable from `roots`, children first (iteratively, so deep
/// graphs do not overflow the stack); `None` on a cycle or a class without a choice.
fn build(
    eg: &TensorGraph,
    roots: &[Id],
    classes: &[Id],
    index: &HashMap<Id, usize>,
    choice: &[Option<Choice>],
) -> Option<Extracted> {
    let mut expr = RecExpr::default();
    let mut entry: HashMap<Id, Id> = HashMap::new();
    let mut origin = Vec::new();
    let mut on_stack: HashMap<Id, bool> = HashMap::new();
    let node_of = |c: Id| -> Option<&T> {
        match &eg[c].data {
            ClassData::Attr(leaf) => Some(leaf),
            ClassData::Tensor { .. } => choice[index[&c]].as_ref().map(|ch| &eg[c].nodes[ch.node]),
        }
    };
    let mut out_roots = Vec::new();
    for &root in roots {
        let root = eg.find(root);
        let mut stack = vec![(root, false)];
        while let Some((c, expanded)) = stack.pop() {
            if entry.contains_key(&c) {
                continue;
            }
            let node = node_of(c)?;
            if expanded {
                let n = node.clone().map_children(|ch| entry[&eg.find(ch)]);
                entry.insert(c, expr.add(n));
                origin.push(c);
                on_stack.insert(c, false);
                continue;
            }
            if on_stack.insert(c, true) == Some(true) {
                return None;
            }
            stack.push((c, true));
            for &ch in node.children().iter().rev() {
                let ch = eg.find(ch);
                match on_stack.get(&ch) {
                    Some(true) => return None,
                    _ if entry.contains_key(&ch) => {}
                    _ => stack.push((ch, false)),
                }
            }
        }
        out_roots.push(entry[&root]);
    }
    let _ = classes;
    Some(Extracted { expr, roots: out_roots, classes: origin })
}
