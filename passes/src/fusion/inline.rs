//! Inlining of `call`s into the entry function, so fusion sees one flat graph.

use cranelift_entity::{EntityRef, PrimaryMap};
use std::collections::HashSet;
use xlac_ir::{Function, Module, Op, OpKind, Value, ValueData};

/// Deepest call nesting inlined; deeper calls stay calls.
const MAX_DEPTH: usize = 64;

/// Replaces every `call` of function `entry` by the callee's body (recursively).
/// Returns the number of calls inlined.
pub(crate) fn inline_calls(m: &mut Module, entry: usize) -> usize {
    if !m.functions[entry].ops.iter().any(|op| op.kind == OpKind::Call) {
        return 0;
    }
    let f = &m.functions[entry];
    let mut out = Flat { values: PrimaryMap::new(), names: HashSet::new(), ops: Vec::new(), count: 0 };
    let params: Vec<Value> = f.params.iter().map(|&p| out.fresh(&f.values[p], "")).collect();
    let ret = out.inline(m, f, &params, "", 0);
    let f = &mut m.functions[entry];
    f.values = out.values;
    f.params = params;
    f.ops = out.ops;
    f.ret = ret;
    out.count
}

struct Flat {
    values: PrimaryMap<Value, ValueData>,
    names: HashSet<String>,
    ops: Vec<Op>,
    count: usize,
}

impl Flat {
    /// A new value like `data`, named `prefix` + its name (made unique).
    fn fresh(&mut self, data: &ValueData, prefix: &str) -> Value {
        let mut name = format!("{prefix}{}", data.name);
        while !self.names.insert(name.clone()) {
            name.push('_');
        }
        self.values.push(ValueData { name, ty: data.ty.clone() })
    }

    /// Appends the ops of `f` called with `args`; returns its results.
    fn inline(&mut self, m: &Module, f: &Function, args: &[Value], prefix: &str, depth: usize) -> Vec<Value> {
        let mut map: Vec<Option<Value>> = vec![None; f.values.len()];
        for (&p, &a) in f.params.iter().zip(args) {
            map[p.index()] = Some(a);
        }
        let get = |map: &[Option<Value>], v: Value| map[v.index()].expect("verified: defined before use");
        for op in &f.ops {
            let operands: Vec<Value> = op.operands.iter().map(|&v| get(&map, v)).collect();
            let callee = op.attrs.func("callee").and_then(|n| m.function(n));
            if let (OpKind::Call, Some(callee), true) = (op.kind, callee, depth < MAX_DEPTH) {
                self.count += 1;
                let results = self.inline(m, callee, &operands, &format!("{prefix}{}.", callee.name), depth + 1);
                for (&r, v) in op.results.iter().zip(results) {
                    map[r.index()] = Some(v);
                }
                continue;
            }
            let results = op.results.iter().map(|&r| self.fresh(&f.values[r], prefix)).collect::<Vec<_>>();
            for (&r, &v) in op.results.iter().zip(&results) {
                map[r.index()] = Some(v);
            }
            self.ops.push(Op { kind: op.kind, operands, attrs: op.attrs.clone(), results });
        }
        f.ret.iter().map(|&v| get(&map, v)).collect()
    }
}
