//! Syntax tree to IR: resolves `%names` to values, op names to kinds and attributes to
//! the kinds of the op table. Every error is collected; an op with an error is left out,
//! but its result names are still defined so later uses do not cascade.

use crate::ast::{FuncAst, Item, ModuleAst, OpAst, Span, Spanned};
use crate::attr::lower_attr;
use crate::diag::Diagnostic;
use crate::lexer::unescape;
use crate::source_map::{FuncSpans, SourceMap};
use crate::suggest::did_you_mean;
use crate::types::lower_type;
use crate::weights::Weights;
use cranelift_entity::PrimaryMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use xlac_ir::{Attrs, DType, Function, Module, Op, OpKind, TensorType, Value, ValueData};

/// Lowers a parsed module. `base_dir` is where a relative weights path starts.
pub fn lower_module(
    ast: &ModuleAst<'_>,
    text: &str,
    base_dir: Option<&Path>,
) -> Result<(Module, SourceMap), Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut weights = Weights::none();
    let mut weights_file = None;
    if let Some(w) = &ast.weights {
        match unescape(w.node) {
            Ok(path) => {
                let full = base_dir.map_or_else(|| PathBuf::from(&path), |d| d.join(&path));
                weights = Weights::declared(full, w.span);
                weights_file = Some(path);
            }
            Err(m) => errors.push(Diagnostic::new(w.span, m)),
        }
    }
    let mut module = Module { weights_file, functions: Vec::new() };
    let mut map = SourceMap::default();
    for f in &ast.funcs {
        let mut cx = FnLower {
            text,
            weights: &mut weights,
            errors: &mut errors,
            names: HashMap::new(),
            values: PrimaryMap::new(),
        };
        let (func, spans) = cx.lower(f);
        module.functions.push(func);
        map.funcs.push(spans);
    }
    if errors.is_empty() {
        Ok((module, map))
    } else {
        Err(errors)
    }
}

struct FnLower<'t, 'a, 'c> {
    text: &'t str,
    weights: &'c mut Weights,
    errors: &'c mut Vec<Diagnostic>,
    names: HashMap<&'a str, (Value, Span)>,
    values: PrimaryMap<Value, ValueData>,
}

impl<'a> FnLower<'_, 'a, '_> {
    fn lower(&mut self, f: &FuncAst<'a>) -> (Function, FuncSpans) {
        let params = f
            .params
            .iter()
            .map(|(name, ty)| {
                let ty = self.ty(ty);
                self.define(name, ty)
            })
            .collect();
        let result_types = f.results.iter().map(|t| self.ty(t)).collect();
        let mut ops = Vec::new();
        let mut spans = FuncSpans { signature: f.signature, ret: f.ret_span, ops: Vec::new() };
        for op in &f.ops {
            if let Some(op) = self.op(op) {
                ops.push(op);
            }
            spans.ops.push(op.span);
        }
        let ret = f.ret.iter().filter_map(|v| self.use_value(v)).collect();
        let func = Function {
            name: f.name.node.trim_start_matches('@').to_string(),
            values: std::mem::take(&mut self.values),
            params,
            result_types,
            ops,
            ret,
        };
        (func, spans)
    }

    /// The type, or a placeholder after reporting why it is bad.
    fn ty(&mut self, t: &crate::ast::TypeAst<'_>) -> TensorType {
        lower_type(t).unwrap_or_else(|d| {
            self.errors.push(d);
            TensorType::scalar(DType::F32)
        })
    }

    fn define(&mut self, name: &Spanned<&'a str>, ty: TensorType) -> Value {
        let bare = name.node.strip_prefix('%').unwrap_or(name.node);
        let v = self.values.push(ValueData { name: bare.to_string(), ty });
        if let Some(&(_, first)) = self.names.get(name.node) {
            let line = self.text.get(..first.start).map_or(0, |t| t.matches('\n').count()) + 1;
            self.errors.push(
                Diagnostic::new(name.span, format!("`{}` is defined twice", name.node))
                    .label("redefined here")
                    .note(format!("first defined on line {line}")),
            );
        } else {
            self.names.insert(name.node, (v, name.span));
        }
        v
    }

    fn use_value(&mut self, name: &Spanned<&'a str>) -> Option<Value> {
        match self.names.get(name.node) {
            Some(&(v, _)) => Some(v),
            None => {
                let known = self.names.keys().copied();
                let hint = did_you_mean(name.node, known);
                self.errors.push(Diagnostic::new(name.span, format!("use of undefined value `{}`{hint}", name.node)));
                None
            }
        }
    }

    /// Lowers one op line; `None` if it has an error (already reported).
    fn op(&mut self, op: &OpAst<'a>) -> Option<Op> {
        let before = self.errors.len();
        let kind = OpKind::from_name(op.name.node);
        if kind.is_none() {
            let hint = did_you_mean(op.name.node, OpKind::ALL.iter().map(|k| k.name()));
            self.errors.push(Diagnostic::new(op.name.span, format!("unknown op `{}`{hint}", op.name.node)));
        }
        let types: Vec<TensorType> = op.types.iter().map(|t| self.ty(t)).collect();
        let operands = self.operands(op);
        let attrs = kind.map(|k| self.attrs(k, op, &types));
        if op.results.len() != types.len() {
            let span = op.types.first().map_or(op.span, |t| t.span).to(op.types.last().map_or(op.span, |t| t.span));
            self.errors.push(Diagnostic::new(
                span,
                format!("{} result names but {} declared types", op.results.len(), types.len()),
            ));
        }
        let results: Vec<Value> = op
            .results
            .iter()
            .enumerate()
            .map(|(i, r)| self.define(r, types.get(i).cloned().unwrap_or(TensorType::scalar(DType::F32))))
            .collect();
        if self.errors.len() > before {
            return None;
        }
        Some(Op { kind: kind?, operands, attrs: attrs?, results })
    }

    fn operands(&mut self, op: &OpAst<'a>) -> Vec<Value> {
        let mut seen_attr = false;
        let mut operands = Vec::new();
        for item in &op.items {
            match item {
                Item::Operand(v) => {
                    if seen_attr {
                        self.errors.push(Diagnostic::new(v.span, "operands must come before attributes"));
                    }
                    operands.extend(self.use_value(v));
                }
                Item::Attr(..) => seen_attr = true,
            }
        }
        operands
    }

    fn attrs(&mut self, kind: OpKind, op: &OpAst<'a>, types: &[TensorType]) -> Attrs {
        let mut attrs = Attrs::new(kind);
        let info = kind.info();
        for item in &op.items {
            let Item::Attr(name, value) = item else { continue };
            let Some(spec) = info.attrs.iter().find(|a| a.name == name.node) else {
                let known: Vec<&str> = info.attrs.iter().map(|a| a.name).collect();
                let msg = if known.is_empty() {
                    format!("`{}` takes no attributes, found `{}`", info.name, name.node)
                } else {
                    format!(
                        "`{}` has no attribute `{}`{}",
                        info.name,
                        name.node,
                        did_you_mean(name.node, known.iter().copied())
                    )
                };
                let mut d = Diagnostic::new(name.span, msg);
                if !known.is_empty() {
                    d = d.note(format!("`{}` has: {}", info.name, known.join(", ")));
                }
                self.errors.push(d);
                continue;
            };
            if attrs.get(spec.name).is_some() {
                self.errors.push(Diagnostic::new(name.span, format!("attribute `{}` is given twice", name.node)));
                continue;
            }
            let literal_type = match types {
                [one] => Some(one),
                _ => None,
            };
            match lower_attr(spec, value, literal_type, self.weights) {
                Ok(v) => {
                    if let Err(m) = attrs.set(spec.name, v) {
                        self.errors.push(Diagnostic::new(value.span, m));
                    }
                }
                Err(ds) => self.errors.extend(ds),
            }
        }
        attrs
    }
}
