//! The IR reference, generated from the op table.

use crate::ops::{Arity, OpKind};
use crate::AttrSpec;

fn attr_doc(a: &AttrSpec) -> String {
    let opt = if a.required { "" } else { "?" };
    format!("`{}{opt}`: {}", a.name, a.kind.describe())
}

/// A Markdown table with one row per op: name, operands, attributes (`?` marks an
/// optional one) and semantics with the type rule. The README's IR reference is this
/// text; a test keeps the two equal.
pub fn op_reference_markdown() -> String {
    let mut out = String::from("| op | operands | attributes | semantics and type rule |\n|---|---|---|---|\n");
    for &kind in OpKind::ALL {
        let info = kind.info();
        let operands = match (info.arity, info.operands) {
            (Arity::Fixed(0), _) => "—".to_string(),
            (_, names) => format!("`{names}`"),
        };
        let attrs = if info.attrs.is_empty() {
            "—".to_string()
        } else {
            info.attrs.iter().map(attr_doc).collect::<Vec<_>>().join("; ")
        };
        let doc = info.doc.replace('|', "\\|");
        out.push_str(&format!("| `{}` | {operands} | {} | {doc} |\n", info.name, attrs.replace('|', "\\|")));
    }
    out
}
