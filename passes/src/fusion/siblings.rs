//! Sibling (multi-output) fusion: after grouping, two groups with the same domain that
//! read a common input and do not depend on each other merge into one kernel with the
//! outputs of both, so the shared input is read once (XLA's sibling multi-output
//! fusion).
//!
//! Merging keeps the graph of kernels acyclic: with no path between the two groups in
//! either direction (through any ops, a group's ops counting as one node), no path can
//! leave the merged group and come back. The
//! merged group must stay within the [`Limits`] and pass the same reuse checks as any
//! group ([`Plan::fits`]); equal domains keep each reduction's loops as they were.

use super::classify::Class;
use super::plan::{inputs, uses, Limits, Plan};
use cranelift_entity::EntityRef;
use std::collections::HashSet;
use xlac_ir::{Function, Value};

/// Merges sibling groups of `p` in place, the later group into the earlier one, and
/// drops the emptied groups. Returns the number of merges.
pub(crate) fn merge_siblings(
    p: &mut Plan,
    f: &Function,
    defs: &[Option<usize>],
    classes: &[Class],
    limits: Limits,
) -> usize {
    let users = uses(f).ops;
    let mut inputs_of: Vec<Vec<Value>> = (0..p.groups.len()).map(|g| group_inputs(p, f, defs, g)).collect();
    let mut merges = 0;
    for a in 0..p.groups.len() {
        for b in a + 1..p.groups.len() {
            let (ga, gb) = (&p.groups[a], &p.groups[b]);
            if ga.ops.is_empty() || gb.ops.is_empty() || ga.domain != gb.domain {
                continue;
            }
            if !inputs_of[a].iter().any(|v| inputs_of[b].contains(v)) {
                continue;
            }
            if depends(p, f, &users, a, b) || depends(p, f, &users, b, a) {
                continue;
            }
            let mut ops = ga.ops.clone();
            ops.extend_from_slice(&gb.ops);
            if !p.fits(f, defs, classes, &ops, &ga.domain, limits) {
                continue;
            }
            for &o in &p.groups[b].ops {
                p.group_of[o] = Some(a);
            }
            p.groups[a].ops = ops;
            p.groups[b].ops.clear();
            inputs_of[a] = group_inputs(p, f, defs, a);
            merges += 1;
        }
    }
    drop_empty_groups(p);
    merges
}

/// The inputs of group `g`.
fn group_inputs(p: &Plan, f: &Function, defs: &[Option<usize>], g: usize) -> Vec<Value> {
    let ops = &p.groups[g].ops;
    let members: HashSet<usize> = ops.iter().copied().collect();
    inputs(f, defs, &|o| members.contains(&o) || p.cloned[o], ops)
}

/// Whether a path of uses leads from group `from` to group `to`, where reaching any
/// op of a group reaches all of it (its kernel needs all its inputs before it writes
/// any output): two merged groups would otherwise close a cycle through each other.
fn depends(p: &Plan, f: &Function, users: &[Vec<usize>], from: usize, to: usize) -> bool {
    let mut seen: HashSet<usize> = p.groups[from].ops.iter().copied().collect();
    let mut stack: Vec<usize> = p.groups[from].ops.clone();
    while let Some(o) = stack.pop() {
        for r in &f.ops[o].results {
            for &u in &users[r.index()] {
                match p.group_of[u] {
                    Some(g) if g == to => return true,
                    Some(g) => {
                        for &m in &p.groups[g].ops {
                            if seen.insert(m) {
                                stack.push(m);
                            }
                        }
                    }
                    None => {
                        if seen.insert(u) {
                            stack.push(u);
                        }
                    }
                }
            }
        }
    }
    false
}

/// Removes the groups merging emptied, renumbering `group_of`.
fn drop_empty_groups(p: &mut Plan) {
    let mut renumber = vec![None; p.groups.len()];
    let mut kept = Vec::with_capacity(p.groups.len());
    for (g, group) in std::mem::take(&mut p.groups).into_iter().enumerate() {
        if !group.ops.is_empty() {
            renumber[g] = Some(kept.len());
            kept.push(group);
        }
    }
    p.groups = kept;
    for g in p.group_of.iter_mut() {
        *g = g.and_then(|g| renumber[g]);
    }
}

#[cfg(test)]
mod tests {
    use crate::fusion::{Fusion, Limits};
    use crate::{Pass, PassCx};
    use xlac_ir::{Module, OpKind};

    const SIBLINGS: &str = "func @main(%x: f32[4,6], %y: f32[4,6]) -> f32[4,4] {
  %a = exp %x : f32[4,6]
  %b = add %x, %y : f32[4,6]
  %r = dot_general %a, %b, lhs_contract=[1], rhs_contract=[1] : f32[4,4]
  return %r
}
";

    /// The number of `fusion` ops in the entry function after fusing with `limits`.
    fn fusions(limits: Limits) -> (usize, Vec<String>) {
        let mut m: Module =
            xlac_frontend::parse_module("t", SIBLINGS, None).unwrap_or_else(|d| panic!("{}", d.render(false)));
        let mut cx = PassCx::default();
        Fusion { limits }.run(&mut m, &mut cx).unwrap();
        (m.entry().unwrap().ops.iter().filter(|op| op.kind == OpKind::Fusion).count(), cx.notes)
    }

    #[test]
    fn merges_within_the_limits_only() {
        let (n, notes) = fusions(Limits::default());
        assert_eq!(n, 1);
        assert_eq!(notes, ["2 ops in 1 fusions", "1 sibling fusion merged"]);
        // Merged, the kernel would read %x and %y.
        assert_eq!(fusions(Limits { max_inputs: 1, ..Limits::default() }).0, 2);
        // Merged, it would have two ops.
        assert_eq!(fusions(Limits { max_ops: 1, ..Limits::default() }).0, 2);
    }
}
