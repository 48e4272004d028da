//! Grouping: which ops of a function fuse into one kernel.
//!
//! Ops are visited from the last to the first. A fusible op joins the group of its
//! users when all of them are in one group and the group stays within the limits
//! ([`Limits`]) and cheap to compute ([`super::reuse`]): no reduction computed more
//! than once per result element, no expensive op more than twice. Otherwise it starts
//! a group of its own. A returned value may join its users' group as another output
//! of the same shape (multi-output fusion). Cheap ops (splat constants, `iota`, index
//! maps of them) whose users are in several groups are cloned into each. Independent
//! groups of one domain that share an input merge afterwards ([`super::siblings`]).
//!
//! Groups are convex by construction: an op joins a group only when every user is in
//! it, so no path leaves a group and comes back.

use super::classify::{is_expensive, Class};
use super::reuse::analyze;
use cranelift_entity::EntityRef;
use std::collections::HashSet;
use xlac_ir::{Function, Value};

/// Limits that keep kernels small enough to compile well.
#[derive(Copy, Clone, Debug)]
pub struct Limits {
    /// Most non-cheap ops in one group.
    pub max_ops: usize,
    /// Most distinct inputs of one group.
    pub max_inputs: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_ops: 64, max_inputs: 16 }
    }
}

/// A fused group.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    /// Member op indices (excluding cloned cheap ops), in no particular order.
    pub ops: Vec<usize>,
    /// The shape every output has.
    pub domain: Vec<usize>,
}

/// The grouping of one function.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The group of each op, if it is a member of one.
    pub group_of: Vec<Option<usize>>,
    /// The groups, in the order they were started (last root first).
    pub groups: Vec<Group>,
    /// Cheap ops cloned into the groups that read them.
    pub cloned: Vec<bool>,
}

/// Who uses each value.
pub(super) struct Uses {
    /// Op indices using each value (once per op).
    pub ops: Vec<Vec<usize>>,
    /// Whether each value is returned.
    returned: Vec<bool>,
}

pub(super) fn uses(f: &Function) -> Uses {
    let mut ops = vec![Vec::new(); f.values.len()];
    for (i, op) in f.ops.iter().enumerate() {
        for v in &op.operands {
            if ops[v.index()].last() != Some(&i) {
                ops[v.index()].push(i);
            }
        }
    }
    let mut returned = vec![false; f.values.len()];
    for v in &f.ret {
        returned[v.index()] = true;
    }
    Uses { ops, returned }
}

/// Groups the ops of `f`.
pub(crate) fn plan(f: &Function, defs: &[Option<usize>], classes: &[Class], limits: Limits) -> Plan {
    let uses = uses(f);
    let n = f.ops.len();
    let mut p = Plan { group_of: vec![None; n], groups: Vec::new(), cloned: vec![false; n] };
    for i in (0..n).rev() {
        if classes[i] == Class::Library {
            continue;
        }
        let v = f.ops[i].results[0];
        let users = &uses.ops[v.index()];
        let returned = uses.returned[v.index()];
        if users.is_empty() && !returned {
            continue;
        }
        let user_groups: HashSet<Option<usize>> = users.iter().map(|&u| p.group_of[u]).collect();
        let target = match user_groups.iter().collect::<Vec<_>>()[..] {
            [Some(g)] => Some(*g),
            _ => None,
        };
        if let Some(g) = target {
            let same_shape = f.ty(v).dims() == p.groups[g].domain.as_slice();
            if (!returned || same_shape) && p.try_join(f, defs, classes, g, i, limits) {
                continue;
            }
        }
        if classes[i] == Class::Cheap && !returned && !users.iter().any(|&u| reads_as_input(f, u, v)) {
            p.cloned[i] = true;
            continue;
        }
        p.group_of[i] = Some(p.groups.len());
        p.groups.push(Group { ops: vec![i], domain: f.ty(v).dims().to_vec() });
    }
    p
}

impl Plan {
    /// Adds op `i` to group `g` if the result stays within limits and cheap.
    fn try_join(
        &mut self,
        f: &Function,
        defs: &[Option<usize>],
        classes: &[Class],
        g: usize,
        i: usize,
        limits: Limits,
    ) -> bool {
        let mut ops = self.groups[g].ops.clone();
        ops.push(i);
        if !self.fits(f, defs, classes, &ops, &self.groups[g].domain, limits) {
            return false;
        }
        self.groups[g].ops = ops;
        self.group_of[i] = Some(g);
        true
    }

    /// Whether a group of `ops` over `domain` stays within `limits` and cheap: no
    /// reduction computed more than once per result element, no expensive op more than
    /// twice, and indices the code generator can compose.
    pub(super) fn fits(
        &self,
        f: &Function,
        defs: &[Option<usize>],
        classes: &[Class],
        ops: &[usize],
        domain: &[usize],
        limits: Limits,
    ) -> bool {
        let heavy = ops.iter().filter(|&&o| classes[o] != Class::Cheap).count();
        if heavy > limits.max_ops {
            return false;
        }
        let members: HashSet<usize> = ops.iter().copied().collect();
        let member = |o: usize| members.contains(&o) || self.cloned[o];
        if inputs(f, defs, &member, ops).len() > limits.max_inputs {
            return false;
        }
        let outputs = outputs(f, ops);
        let Some(reuse) = analyze(f, defs, &member, &outputs, domain) else {
            return false;
        };
        for &o in ops {
            let op = &f.ops[o];
            let v = op.results[0];
            let elements = f.ty(v).shape.num_elements() as u128;
            let evals = reuse.evals.get(&v).copied().unwrap_or(0);
            let limit = match op.kind {
                xlac_ir::OpKind::Reduce => elements,
                k if is_expensive(k) => 2 * elements,
                _ => continue,
            };
            if evals > limit {
                return false;
            }
        }
        true
    }
}

/// The outputs of a group of `ops`: the results of its members that are used outside
/// it or returned, in function order.
fn outputs(f: &Function, ops: &[usize]) -> Vec<Value> {
    let inside: HashSet<usize> = ops.iter().copied().collect();
    let mut used_outside = vec![false; f.values.len()];
    for (j, op) in f.ops.iter().enumerate() {
        if !inside.contains(&j) {
            for v in &op.operands {
                used_outside[v.index()] = true;
            }
        }
    }
    for v in &f.ret {
        used_outside[v.index()] = true;
    }
    let mut out: Vec<usize> = ops.to_vec();
    out.sort_unstable();
    out.iter().map(|&o| f.ops[o].results[0]).filter(|v| used_outside[v.index()]).collect()
}

/// The values read by ops `ops` (members by `member`) that no member defines, in order
/// of first use. Cloned cheap ops count as members.
pub(crate) fn inputs(
    f: &Function,
    defs: &[Option<usize>],
    member: &dyn Fn(usize) -> bool,
    ops: &[usize],
) -> Vec<Value> {
    let mut sorted = ops.to_vec();
    sorted.sort_unstable();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<Value> = Vec::new();
    for &o in &sorted {
        stack.extend(f.ops[o].operands.iter().rev());
        while let Some(v) = stack.pop() {
            match defs[v.index()] {
                Some(d) if member(d) && !ops.contains(&d) => stack.extend(f.ops[d].operands.iter().rev()),
                Some(d) if member(d) => {}
                _ => {
                    if seen.insert(v) {
                        out.push(v);
                    }
                }
            }
        }
    }
    out
}

/// Whether op `u` needs `v` as a kernel input (the data operands of `pad` and
/// `concatenate` are read by guarded loads, so they cannot be computed in the kernel).
fn reads_as_input(f: &Function, u: usize, v: Value) -> bool {
    let op = &f.ops[u];
    match op.kind {
        xlac_ir::OpKind::Pad => op.operands[0] == v,
        xlac_ir::OpKind::Concatenate => true,
        _ => false,
    }
}
