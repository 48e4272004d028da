//! The import driver: decodes the model, checks that every op is supported, binds
//! inputs and initializers, lowers the nodes in order and returns `@main`.

use super::cx::{Cx, Val};
use super::error::ImportError;
use super::names::sanitize;
use super::proto::{type_proto, ModelProto, NodeProto, ValueInfoProto};
use super::registry::{lookup, Handler};
use super::tensor::{dtype_of, tensor_from_proto};
use super::ImportOptions;
use prost::Message;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use xlac_ir::{Module, TensorType};

/// The default-domain opset a model imports.
fn default_opset(model: &ModelProto) -> Result<i64, ImportError> {
    model
        .opset_import
        .iter()
        .find(|o| matches!(o.domain(), "" | "ai.onnx"))
        .map(|o| o.version())
        .ok_or_else(|| ImportError::new("the model imports no opset of the default ONNX domain"))
}

fn is_default_domain(n: &NodeProto) -> bool {
    matches!(n.domain(), "" | "ai.onnx")
}

fn display_name(n: &NodeProto, index: usize) -> String {
    if n.name().is_empty() {
        format!("#{index}")
    } else {
        n.name().to_string()
    }
}

/// One error listing every node whose op has no handler, grouped by op type.
fn check_supported(nodes: &[NodeProto], opset: i64) -> Result<(), ImportError> {
    let mut missing: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if !is_default_domain(n) || lookup(n.op_type(), opset).is_none() {
            let key = if is_default_domain(n) {
                format!("{} (opset {opset})", n.op_type())
            } else {
                format!("{}.{} (custom domain)", n.domain(), n.op_type())
            };
            missing.entry(key).or_default().push(display_name(n, i));
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let total: usize = missing.values().map(Vec::len).sum();
    let mut msg = format!("the model uses {} unsupported op type(s) in {total} node(s):", missing.len());
    for (op, nodes) in &missing {
        let shown: Vec<&str> = nodes.iter().take(8).map(String::as_str).collect();
        let more = if nodes.len() > 8 { format!(" and {} more", nodes.len() - 8) } else { String::new() };
        msg.push_str(&format!("\n  {op}: nodes {}{more}", shown.join(", ")));
    }
    Err(ImportError::new(msg))
}

/// The static type of a graph input, with symbolic dims taken from `dims`.
fn input_type(vi: &ValueInfoProto, dims: &HashMap<String, usize>) -> Result<TensorType, String> {
    let name = vi.name();
    let Some(type_proto::Value::TensorType(t)) = vi.r#type.as_ref().and_then(|t| t.value.as_ref()) else {
        return Err(format!("graph input `{name}` is not a tensor (sequences, maps and optionals are not supported)"));
    };
    let dtype = dtype_of(t.elem_type()).map_err(|e| format!("graph input `{name}`: {e}"))?;
    let shape = t.shape.as_ref().ok_or_else(|| format!("graph input `{name}` has no shape (its rank is unknown)"))?;
    let mut out = Vec::new();
    for (i, d) in shape.dim.iter().enumerate() {
        use super::proto::tensor_shape_proto::dimension::Value as D;
        out.push(match &d.value {
            Some(D::DimValue(v)) if *v >= 0 => *v as usize,
            Some(D::DimParam(p)) => *dims.get(p).ok_or_else(|| {
                format!("graph input `{name}` has the symbolic dimension `{p}` (dim {i}): fix it with --dim {p}=VALUE")
            })?,
            _ => return Err(format!("graph input `{name}` has an unknown dimension {i}: its extent must be static")),
        });
    }
    Ok(TensorType::new(dtype, out))
}

/// Imports a serialized ONNX model. `base_dir` resolves external-data files.
pub fn import_model(bytes: &[u8], base_dir: Option<&Path>, options: &ImportOptions) -> Result<Module, ImportError> {
    let model = ModelProto::decode(bytes).map_err(|e| ImportError::new(format!("not a valid ONNX model: {e}")))?;
    if model.ir_version() < 3 {
        return Err(ImportError::new(format!(
            "ONNX IR version {} is not supported (3 and up are)",
            model.ir_version()
        )));
    }
    let opset = default_opset(&model)?;
    let graph = model.graph.as_ref().ok_or_else(|| ImportError::new("the model has no graph"))?;
    check_supported(&graph.node, opset)?;
    let mut g = Importer::new(opset);
    let mut vals: HashMap<String, Val> = HashMap::new();
    for init in &graph.initializer {
        let t = tensor_from_proto(init, base_dir).map_err(|e| ImportError::new(format!("initializer: {e}")))?;
        let t = Arc::new(t);
        g.name_constant(&t, init.name());
        vals.insert(init.name().to_string(), Val::Const(t));
    }
    for vi in &graph.input {
        let name = vi.name();
        if let Some(t) = options.constant_inputs.get(name) {
            vals.insert(name.to_string(), Val::Const(Arc::new(t.clone())));
        } else if !vals.contains_key(name) {
            let ty = input_type(vi, &options.dims).map_err(ImportError::new)?;
            let v = g.b.param(&sanitize(name), ty);
            g.params.insert(v, name.to_string());
            vals.insert(name.to_string(), Val::Ir(v));
        }
    }
    for (i, node) in graph.node.iter().enumerate() {
        lower_node(&mut g, &mut vals, node, i)?;
    }
    let mut ret = Vec::new();
    for out in &graph.output {
        let v = vals
            .get(out.name())
            .ok_or_else(|| ImportError::new(format!("graph output `{}` is never computed", out.name())))?
            .clone();
        ret.push(g.materialize(&v).map_err(ImportError::new)?);
    }
    let mut f = g.b.finish(&ret);
    rename_values(&mut f, &vals);
    let module = Module { weights_file: None, functions: vec![f] };
    xlac_ir::verify_module(&module).map_err(|errs| {
        let lines: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        ImportError::new(format!("the imported module does not verify (an importer bug):\n{}", lines.join("\n")))
    })?;
    Ok(module)
}

fn lower_node(
    g: &mut Importer,
    vals: &mut HashMap<String, Val>,
    node: &NodeProto,
    index: usize,
) -> Result<(), ImportError> {
    let handler: Handler = lookup(node.op_type(), g.opset).expect("support checked");
    let at = || format!("node `{}` ({})", display_name(node, index), node.op_type());
    let mut inputs = Vec::with_capacity(node.input.len());
    for name in &node.input {
        if name.is_empty() {
            inputs.push(None);
        } else {
            let v =
                vals.get(name).ok_or_else(|| ImportError::new(format!("{}: input `{name}` is not defined", at())))?;
            inputs.push(Some(v.clone()));
        }
    }
    let mut cx = Cx { g, node, inputs };
    // A handler bug must not abort the caller: a panic becomes an error naming the node.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(&mut cx)));
    let outcome =
        outcome.unwrap_or_else(|_| Err("internal error in this op's importer (a bug: please report it)".into()));
    let outputs = outcome.map_err(|e| ImportError {
        message: format!("{}: {e}", at()),
        needs_constant: std::mem::take(&mut cx.g.needs_constant),
    })?;
    for (i, name) in node.output.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        let v = outputs.get(i).ok_or_else(|| ImportError::new(format!("{}: output {i} is not supported", at())))?;
        vals.insert(name.clone(), v.clone());
    }
    Ok(())
}

/// Gives op results the (sanitized) ONNX names of the values they compute.
fn rename_values(f: &mut xlac_ir::Function, vals: &HashMap<String, Val>) {
    let mut taken: HashSet<String> = f.values.values().map(|d| d.name.clone()).collect();
    let params: HashSet<_> = f.params.iter().copied().collect();
    let mut named: HashSet<xlac_ir::Value> = HashSet::new();
    let mut entries: Vec<(&String, &Val)> = vals.iter().collect();
    entries.sort_by_key(|(k, _)| k.as_str());
    for (name, v) in entries {
        let Val::Ir(v) = v else { continue };
        if params.contains(v) || !named.insert(*v) {
            continue;
        }
        let mut new = sanitize(name);
        if new.chars().all(|c| c.is_ascii_digit()) {
            new.insert(0, 'v');
        }
        while taken.contains(&new) {
            new.push('_');
        }
        taken.insert(new.clone());
        f.values[*v].name = new;
    }
}

pub(crate) use super::cx::Importer;
