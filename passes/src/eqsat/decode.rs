//! From an extracted term back to an IR function with the original signature.

use super::analysis::Tables;
use super::lang::TensorLang as T;
use super::node::op_of;
use egg::{Id, RecExpr};
use std::collections::{HashMap, HashSet};
use xlac_ir::{Function, FunctionBuilder, Value};

/// Builds a function named like `sig` with `sig`'s parameters (names, types, order)
/// that returns `roots` of `expr`. Ops come in `expr` order (children first), so the
/// result is in valid SSA order. An op result takes the name `names` gives its entry,
/// or a fresh `eN`. Errors (a node the IR rejects, a changed result type) mean the
/// extraction is unusable; callers keep the original function.
pub fn decode(
    expr: &RecExpr<T>,
    roots: &[Id],
    tables: &Tables,
    sig: &Function,
    names: &HashMap<Id, String>,
) -> Result<Function, String> {
    let mut b = FunctionBuilder::new(&sig.name);
    let params: Vec<Value> = sig.params.iter().map(|&p| b.param(sig.name_of(p), sig.ty(p).clone())).collect();
    let mut values: HashMap<Id, Value> = HashMap::new();
    let nodes = expr.as_ref();
    for (i, node) in nodes.iter().enumerate() {
        let id = Id::from(i);
        let v = match node {
            T::Param(p) => *params.get(p.0 as usize).ok_or("parameter out of range")?,
            T::Ints(_) | T::Num(_) | T::Type(_) | T::Lit(_) | T::Sym(_) => continue,
            _ => {
                let leaf = |c: Id| Some(&nodes[usize::from(c)]);
                let spec = op_of(node, leaf, tables).ok_or_else(|| format!("malformed node {node}"))?;
                let operands: Vec<Value> = spec
                    .operands
                    .iter()
                    .map(|o| values.get(o).copied())
                    .collect::<Option<_>>()
                    .ok_or("operand not built")?;
                b.op(spec.kind, &operands, spec.attrs, spec.declared)
                    .map_err(|e| format!("{}: {e}", spec.kind.name()))?
            }
        };
        values.insert(id, v);
    }
    let ret: Vec<Value> =
        roots.iter().map(|r| values.get(r).copied()).collect::<Option<_>>().ok_or("root not built")?;
    let mut f = b.finish(&ret);
    if f.result_types != sig.result_types {
        return Err("extraction changed a result type".into());
    }
    rename(&mut f, &values, names);
    Ok(f)
}

fn rename(f: &mut Function, values: &HashMap<Id, Value>, names: &HashMap<Id, String>) {
    let mut used: HashSet<String> = f.params.iter().map(|&p| f.name_of(p).to_string()).collect();
    let mut by_value: HashMap<Value, Id> = values.iter().map(|(&id, &v)| (v, id)).collect();
    f.params.iter().for_each(|p| {
        by_value.remove(p);
    });
    let reserved: HashSet<&String> = names.values().collect();
    let mut fresh = 0;
    let results: Vec<Value> = f.ops.iter().map(|op| op.results[0]).collect();
    for v in results {
        let wanted = by_value.get(&v).and_then(|id| names.get(id)).filter(|n| !used.contains(*n)).cloned();
        let name = wanted.unwrap_or_else(|| loop {
            let n = format!("e{fresh}");
            fresh += 1;
            if !used.contains(&n) && !reserved.contains(&n) {
                break n;
            }
        });
        used.insert(name.clone());
        f.values[v].name = name;
    }
}
