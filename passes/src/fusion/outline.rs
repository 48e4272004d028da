//! Outlining: every planned group becomes a function `@<entry>.fusion.N`, called by a
//! `fusion` op at the position of the group's last op. A group of siblings may have
//! outputs read between its members; such readers move after the call.

use super::plan::{inputs, Plan};
use crate::rewrite::remove_dead_ops;
use cranelift_entity::{EntityRef, PrimaryMap};
use std::collections::{HashMap, HashSet};
use xlac_ir::{AttrValue, Attrs, Function, Module, Op, OpKind, Value, ValueData};

/// Replaces the groups of `plan` in function `entry` of `m` by `fusion` ops of new
/// functions, inserted before the entry function. Returns the number of groups.
pub(crate) fn outline(m: &mut Module, entry: usize, plan: &Plan, defs: &[Option<usize>]) -> usize {
    let f = m.functions[entry].clone();
    let mut roots: Vec<(usize, usize)> =
        plan.groups.iter().enumerate().map(|(g, grp)| (*grp.ops.iter().max().expect("non-empty"), g)).collect();
    roots.sort_unstable();
    let taken: HashSet<String> = m.functions.iter().map(|f| f.name.clone()).collect();
    let mut next = 0;
    let mut calls: HashMap<usize, Op> = HashMap::new();
    let mut new_funcs = Vec::new();
    for &(root, g) in &roots {
        let name = loop {
            let name = format!("{}.fusion.{next}", f.name);
            next += 1;
            if !taken.contains(&name) {
                break name;
            }
        };
        let (callee, call) = outline_group(&f, defs, plan, g, name);
        new_funcs.push(callee);
        calls.insert(root, call);
    }
    let mut ops = Vec::with_capacity(f.ops.len());
    for (i, op) in f.ops.iter().enumerate() {
        match (plan.group_of[i], calls.remove(&i)) {
            (_, Some(call)) => ops.push(call),
            (Some(_), None) => {}
            (None, None) => ops.push(op.clone()),
        }
    }
    let main = &mut m.functions[entry];
    main.ops = topological(ops, main.values.len());
    remove_dead_ops(main);
    let count = new_funcs.len();
    m.functions.splice(entry..entry, new_funcs);
    count
}

/// The function of group `g` and the `fusion` op calling it.
fn outline_group(f: &Function, defs: &[Option<usize>], plan: &Plan, g: usize, name: String) -> (Function, Op) {
    let members: HashSet<usize> = plan.groups[g].ops.iter().copied().collect();
    let member = |o: usize| members.contains(&o) || plan.cloned[o];
    let group_ops: Vec<usize> = plan.groups[g].ops.clone();
    let args = inputs(f, defs, &member, &group_ops);
    let body = body_ops(f, defs, plan, &members);
    let mut used_outside = vec![false; f.values.len()];
    for (i, op) in f.ops.iter().enumerate() {
        if !members.contains(&i) {
            op.operands.iter().for_each(|v| used_outside[v.index()] = true);
        }
    }
    f.ret.iter().for_each(|v| used_outside[v.index()] = true);
    let results: Vec<Value> = body
        .iter()
        .filter(|i| members.contains(i))
        .map(|&i| f.ops[i].results[0])
        .filter(|v| used_outside[v.index()])
        .collect();

    let mut values: PrimaryMap<Value, ValueData> = PrimaryMap::new();
    let mut map: HashMap<Value, Value> = HashMap::new();
    let fresh = |values: &mut PrimaryMap<Value, ValueData>, map: &mut HashMap<Value, Value>, v: Value| {
        let nv = values.push(f.values[v].clone());
        map.insert(v, nv);
        nv
    };
    let params: Vec<Value> = args.iter().map(|&v| fresh(&mut values, &mut map, v)).collect();
    let mut ops = Vec::with_capacity(body.len());
    for &i in &body {
        let op = &f.ops[i];
        let operands = op.operands.iter().map(|v| map[v]).collect();
        let res = op.results.iter().map(|&r| fresh(&mut values, &mut map, r)).collect();
        ops.push(Op { kind: op.kind, operands, attrs: op.attrs.clone(), results: res });
    }
    let callee = Function {
        name: name.clone(),
        params,
        result_types: results.iter().map(|&v| f.ty(v).clone()).collect(),
        ret: results.iter().map(|v| map[v]).collect(),
        values,
        ops,
    };
    let attrs = Attrs::new(OpKind::Fusion).with("callee", AttrValue::FuncRef(name));
    let call = Op { kind: OpKind::Fusion, operands: args, attrs, results };
    (callee, call)
}

/// The members of a group and the cloned cheap ops they read (transitively), in
/// function order.
fn body_ops(f: &Function, defs: &[Option<usize>], plan: &Plan, members: &HashSet<usize>) -> Vec<usize> {
    let mut all: HashSet<usize> = members.clone();
    let mut stack: Vec<usize> = members.iter().copied().collect();
    while let Some(o) = stack.pop() {
        for v in &f.ops[o].operands {
            if let Some(d) = defs[v.index()].filter(|&d| plan.cloned[d] && !members.contains(&d)) {
                if all.insert(d) {
                    stack.push(d);
                }
            }
        }
    }
    let mut out: Vec<usize> = all.into_iter().collect();
    out.sort_unstable();
    out
}

/// `ops` in a topological order (every operand defined before its use) that is as
/// close to the given order as possible: the given order itself when it already is one.
fn topological(ops: Vec<Op>, n_values: usize) -> Vec<Op> {
    let mut def = vec![None; n_values];
    for (i, op) in ops.iter().enumerate() {
        op.results.iter().for_each(|r| def[r.index()] = Some(i));
    }
    if ops.iter().enumerate().all(|(i, op)| op.operands.iter().all(|v| def[v.index()].is_none_or(|d| d < i))) {
        return ops;
    }
    let mut waiting = vec![0usize; ops.len()];
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); ops.len()];
    for (i, op) in ops.iter().enumerate() {
        for d in op.operands.iter().filter_map(|v| def[v.index()]) {
            waiting[i] += 1;
            users[d].push(i);
        }
    }
    let mut ready: std::collections::BTreeSet<usize> = (0..ops.len()).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(ops.len());
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &u in &users[i] {
            waiting[u] -= 1;
            if waiting[u] == 0 {
                ready.insert(u);
            }
        }
    }
    assert_eq!(order.len(), ops.len(), "fusion planned groups that depend on each other both ways");
    let mut ops: Vec<Option<Op>> = ops.into_iter().map(Some).collect();
    order.into_iter().map(|i| ops[i].take().expect("each op once")).collect()
}
