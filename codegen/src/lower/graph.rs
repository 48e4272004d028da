//! The entry function with every `call` inlined: one flat list of single-result ops
//! over a fresh value numbering.

use crate::CodegenError;
use cranelift_entity::EntityRef;
use xlac_ir::{Attrs, Function, Module, OpKind, TensorType, Value};

/// A flattened value.
pub(crate) type Vid = usize;

/// One single-result op of the flat graph.
pub(crate) struct GOp<'m> {
    pub kind: OpKind,
    pub attrs: &'m Attrs,
    pub operands: Vec<Vid>,
    pub result: Vid,
}

/// The entry function, flattened.
pub(crate) struct Graph<'m> {
    /// Type of every value.
    pub types: Vec<TensorType>,
    /// Name of every value (callee values are prefixed `callee.`).
    pub names: Vec<String>,
    /// Ops in a valid order.
    pub ops: Vec<GOp<'m>>,
    /// Parameter values.
    pub params: Vec<Vid>,
    /// Returned values.
    pub rets: Vec<Vid>,
}

/// Flattens `m`'s entry function.
pub(crate) fn flatten(m: &Module) -> Result<Graph<'_>, CodegenError> {
    let f = m.entry().ok_or(CodegenError::NoEntry)?;
    let mut g = Graph { types: Vec::new(), names: Vec::new(), ops: Vec::new(), params: Vec::new(), rets: Vec::new() };
    let params: Vec<Vid> = f.params.iter().map(|&p| g.new_value(f, p, "")).collect();
    g.params = params.clone();
    g.rets = inline(m, f, &params, &mut g, "", 0)?;
    Ok(g)
}

impl<'m> Graph<'m> {
    fn new_value(&mut self, f: &Function, v: Value, prefix: &str) -> Vid {
        self.types.push(f.ty(v).clone());
        self.names.push(format!("{prefix}{}", f.name_of(v)));
        self.types.len() - 1
    }
}

fn inline<'m>(
    m: &'m Module,
    f: &'m Function,
    args: &[Vid],
    g: &mut Graph<'m>,
    prefix: &str,
    depth: usize,
) -> Result<Vec<Vid>, CodegenError> {
    if depth > 256 {
        return Err(CodegenError::Unsupported("calls nest deeper than 256 levels".into()));
    }
    let mut map: Vec<Option<Vid>> = vec![None; f.values.len()];
    for (&p, &a) in f.params.iter().zip(args) {
        map[p.index()] = Some(a);
    }
    let get = |map: &[Option<Vid>], v: Value| {
        map[v.index()]
            .ok_or_else(|| CodegenError::Invalid(format!("@{}: %{} used before defined", f.name, f.name_of(v))))
    };
    for op in &f.ops {
        let operands = op.operands.iter().map(|&v| get(&map, v)).collect::<Result<Vec<_>, _>>()?;
        if op.kind == OpKind::Call {
            let name = op.attrs.func("callee").unwrap_or_default();
            let callee = m.function(name).ok_or_else(|| CodegenError::Invalid(format!("no function @{name}")))?;
            let results = inline(m, callee, &operands, g, &format!("{prefix}{name}."), depth + 1)?;
            for (&r, v) in op.results.iter().zip(results) {
                map[r.index()] = Some(v);
            }
            continue;
        }
        let [r] = op.results[..] else {
            return Err(CodegenError::Invalid(format!("`{}` must have one result", op.kind.name())));
        };
        let result = g.new_value(f, r, prefix);
        map[r.index()] = Some(result);
        g.ops.push(GOp { kind: op.kind, attrs: &op.attrs, operands, result });
    }
    f.ret.iter().map(|&v| get(&map, v)).collect()
}
