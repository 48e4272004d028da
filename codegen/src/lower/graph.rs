//! The entry function with every `call` inlined: one flat list of single-result ops
//! over a fresh value numbering. A `fusion` op stays one op with its kernel built
//! ([`fused::build`]); one whose body cannot be a single kernel is inlined like a call.

use super::fused::{self, FusedKernel};
use crate::kernel::Scalar;
use crate::CodegenError;
use cranelift_entity::EntityRef;
use xlac_ir::{Attrs, Function, Literal, Module, OpKind, TensorType, Value};

/// A flattened value.
pub(crate) type Vid = usize;

/// One op of the flat graph: single-result, or a `fusion` compiled to one kernel.
pub(crate) struct GOp<'m> {
    pub kind: OpKind,
    pub attrs: &'m Attrs,
    pub operands: Vec<Vid>,
    /// The result (the first, for a fusion).
    pub result: Vid,
    /// Every result (one but for fusions).
    pub results: Vec<Vid>,
    /// The kernel of a `fusion` op.
    pub fused: Option<Box<FusedKernel>>,
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
    /// The splat constant each value is, if it is one.
    pub splats: Vec<Option<Scalar>>,
}

/// Flattens `m`'s entry function.
pub(crate) fn flatten(m: &Module) -> Result<Graph<'_>, CodegenError> {
    let f = m.entry().ok_or(CodegenError::NoEntry)?;
    let mut g = Graph {
        types: Vec::new(),
        names: Vec::new(),
        ops: Vec::new(),
        params: Vec::new(),
        rets: Vec::new(),
        splats: Vec::new(),
    };
    let params: Vec<Vid> = f.params.iter().map(|&p| g.new_value(f, p, "")).collect();
    g.params = params.clone();
    g.rets = inline(m, f, &params, &mut g, "", 0)?;
    Ok(g)
}

impl<'m> Graph<'m> {
    fn new_value(&mut self, f: &Function, v: Value, prefix: &str) -> Vid {
        self.types.push(f.ty(v).clone());
        self.names.push(format!("{prefix}{}", f.name_of(v)));
        self.splats.push(None);
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
        if matches!(op.kind, OpKind::Call | OpKind::Fusion) {
            let name = op.attrs.func("callee").unwrap_or_default();
            let callee = m.function(name).ok_or_else(|| CodegenError::Invalid(format!("no function @{name}")))?;
            if op.kind == OpKind::Fusion {
                let splats: Vec<Option<Scalar>> = operands.iter().map(|&v| g.splats[v]).collect();
                match fused::build(callee, name.to_string(), &splats) {
                    Ok(k) => {
                        let results: Vec<Vid> = op.results.iter().map(|&r| g.new_value(f, r, prefix)).collect();
                        for (&r, &v) in op.results.iter().zip(&results) {
                            map[r.index()] = Some(v);
                        }
                        let Some(&result) = results.first() else { continue };
                        let fused = Some(Box::new(k));
                        g.ops.push(GOp { kind: op.kind, attrs: &op.attrs, operands, result, results, fused });
                        continue;
                    }
                    Err(CodegenError::Unsupported(_)) => {}
                    Err(e) => return Err(e),
                }
            }
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
        if op.kind == OpKind::Constant {
            g.splats[result] = splat_of(&op.attrs);
        }
        g.ops.push(GOp { kind: op.kind, attrs: &op.attrs, operands, result, results: vec![result], fused: None });
    }
    f.ret.iter().map(|&v| get(&map, v)).collect()
}

/// The element of a one-element constant.
fn splat_of(attrs: &Attrs) -> Option<Scalar> {
    let data = match attrs.literal("value")? {
        Literal::Splat(d) | Literal::Dense(d) => d,
        Literal::Weight { data, .. } => &data.data,
    };
    (data.len() == 1).then(|| Scalar::from_data(data, 0))
}
