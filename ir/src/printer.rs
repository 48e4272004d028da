//! The text form of the IR. `print_module` output is canonical: parsing it and printing
//! again gives the same bytes.

use crate::{AttrValue, Function, Literal, Module, Shape, Tensor, TensorData, TensorType};
use std::fmt::Write;

/// Escapes `"` and `\` for a double-quoted string.
pub(crate) fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Prints a module in canonical text form.
pub fn print_module(m: &Module) -> String {
    let mut out = String::new();
    if let Some(w) = &m.weights_file {
        writeln!(out, "weights \"{}\"\n", escape(w)).unwrap();
    }
    for (i, f) in m.functions.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&print_function(f));
    }
    out
}

fn type_list(types: &[TensorType]) -> String {
    types.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
}

/// Prints one function in canonical text form.
pub fn print_function(f: &Function) -> String {
    let mut out = String::new();
    let params: Vec<String> = f.params.iter().map(|&p| format!("%{}: {}", f.name_of(p), f.ty(p))).collect();
    let results = match f.result_types.as_slice() {
        [one] => one.to_string(),
        many => format!("({})", type_list(many)),
    };
    writeln!(out, "func @{}({}) -> {} {{", f.name, params.join(", "), results).unwrap();
    for op in &f.ops {
        out.push_str("  ");
        if !op.results.is_empty() {
            let names: Vec<String> = op.results.iter().map(|&r| format!("%{}", f.name_of(r))).collect();
            write!(out, "{} = ", names.join(", ")).unwrap();
        }
        out.push_str(op.kind.name());
        let mut parts: Vec<String> = op.operands.iter().map(|&v| format!("%{}", f.name_of(v))).collect();
        let result_shape = op.results.first().map(|&r| &f.ty(r).shape);
        for (spec, value) in op.attrs.iter() {
            parts.push(format!("{}={}", spec.name, print_attr(value, result_shape)));
        }
        if !parts.is_empty() {
            write!(out, " {}", parts.join(", ")).unwrap();
        }
        let types: Vec<TensorType> = op.results.iter().map(|&r| f.ty(r).clone()).collect();
        writeln!(out, " : {}", type_list(&types)).unwrap();
    }
    let ret: Vec<String> = f.ret.iter().map(|&v| format!("%{}", f.name_of(v))).collect();
    writeln!(out, "  return {}", ret.join(", ")).unwrap();
    out.push_str("}\n");
    out
}

fn int_list(v: &[i64]) -> String {
    let items: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("[{}]", items.join(","))
}

fn print_attr(value: &AttrValue, result_shape: Option<&Shape>) -> String {
    match value {
        AttrValue::Int(v) => v.to_string(),
        AttrValue::Ints(v) => int_list(v),
        AttrValue::IntPairs(v) => {
            let items: Vec<String> = v.iter().map(|(a, b)| format!("[{a},{b}]")).collect();
            format!("[{}]", items.join(","))
        }
        AttrValue::Enum(v) => v.to_string(),
        AttrValue::FuncRef(v) => format!("@{v}"),
        AttrValue::Literal(Literal::Splat(d)) => format_element(d, 0),
        AttrValue::Literal(Literal::Dense(d)) => {
            let dims = result_shape.map(|s| s.dims().to_vec()).unwrap_or_else(|| vec![d.len()]);
            nested_literal(d, &dims)
        }
        AttrValue::Literal(Literal::Weight { key, .. }) => format!("weight(\"{}\")", escape(key)),
    }
}

/// The elements of `t` in literal syntax: a bare element for a scalar, otherwise lists
/// nested one level per dimension (`[[1.0, 2.0], [3.0, 4.0]]`; `[]` for an empty
/// dimension). `constant value=...` and the filetests' `run` lines use this form.
pub fn format_tensor_literal(t: &Tensor) -> String {
    nested_literal(&t.data, t.shape.dims())
}

fn nested_literal(d: &TensorData, dims: &[usize]) -> String {
    let mut out = String::new();
    nested(&mut out, d, dims, &mut 0);
    out
}

fn nested(out: &mut String, d: &TensorData, dims: &[usize], next: &mut usize) {
    let Some((&n, rest)) = dims.split_first() else {
        if *next < d.len() {
            out.push_str(&format_element(d, *next));
        }
        *next += 1;
        return;
    };
    out.push('[');
    for i in 0..n {
        if i > 0 {
            out.push_str(", ");
        }
        nested(out, d, rest, next);
    }
    out.push(']');
}

/// One element in literal syntax: shortest round-tripping decimal for floats (with a
/// `.0` or exponent so it reads as a float), `nan`, `inf`, `-inf`, integers,
/// `true`/`false`.
pub fn format_element(d: &TensorData, i: usize) -> String {
    fn float(x: f64, text: String) -> String {
        if x.is_nan() {
            "nan".into()
        } else if x.is_infinite() {
            if x > 0.0 { "inf" } else { "-inf" }.into()
        } else {
            text
        }
    }
    match d {
        TensorData::F32(v) => float(v[i] as f64, format!("{:?}", v[i])),
        TensorData::F64(v) => float(v[i], format!("{:?}", v[i])),
        TensorData::I32(v) => v[i].to_string(),
        TensorData::I64(v) => v[i].to_string(),
        TensorData::Bool(v) => v[i].to_string(),
    }
}
