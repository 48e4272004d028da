//! Attribute values: generic syntax converted to the kind the op table declares.

use crate::ast::{Attr, AttrNode};
use crate::diag::Diagnostic;
use crate::literal::lower_literal;
use crate::suggest::did_you_mean;
use crate::weights::Weights;
use xlac_ir::{AttrKind, AttrSpec, AttrValue, TensorType};

/// Converts `attr` to a value of `spec`'s kind. `literal_type` is the op's single
/// declared result type, which literals need.
pub fn lower_attr(
    spec: &AttrSpec,
    attr: &Attr<'_>,
    literal_type: Option<&TensorType>,
    weights: &mut Weights,
) -> Result<AttrValue, Vec<Diagnostic>> {
    let one = |d: Diagnostic| vec![d];
    match spec.kind {
        AttrKind::Int => int(spec, attr).map(AttrValue::Int).map_err(one),
        AttrKind::Ints => {
            list(spec, attr)?.iter().map(|a| int(spec, a)).collect::<Result<_, _>>().map(AttrValue::Ints).map_err(one)
        }
        AttrKind::IntPairs => list(spec, attr)?
            .iter()
            .map(|a| pair(spec, a))
            .collect::<Result<_, _>>()
            .map(AttrValue::IntPairs)
            .map_err(one),
        AttrKind::Enum(names) => match &attr.node {
            AttrNode::Ident(s) => names.iter().find(|n| *n == s).map(|n| AttrValue::Enum(n)).ok_or_else(|| {
                one(Diagnostic::new(
                    attr.span,
                    format!("`{s}` is not a valid `{}`{}", spec.name, did_you_mean(s, names.iter().copied())),
                )
                .note(format!("`{}` must be {}", spec.name, spec.kind.describe())))
            }),
            _ => Err(one(wrong_kind(spec, attr))),
        },
        AttrKind::FuncRef => match &attr.node {
            AttrNode::Func(s) => Ok(AttrValue::FuncRef(s.trim_start_matches('@').to_string())),
            _ => Err(one(wrong_kind(spec, attr))),
        },
        AttrKind::Literal => {
            let Some(ty) = literal_type else {
                return Err(one(Diagnostic::new(attr.span, "a literal needs exactly one declared result type")));
            };
            match &attr.node {
                AttrNode::Func(_) => Err(one(wrong_kind(spec, attr))),
                _ => lower_literal(attr, ty, Some(weights)).map(AttrValue::Literal),
            }
        }
    }
}

fn wrong_kind(spec: &AttrSpec, attr: &Attr<'_>) -> Diagnostic {
    Diagnostic::new(attr.span, format!("attribute `{}` must be {}", spec.name, spec.kind.describe()))
}

fn int(spec: &AttrSpec, attr: &Attr<'_>) -> Result<i64, Diagnostic> {
    match &attr.node {
        AttrNode::Int(s) => {
            s.parse().map_err(|_| Diagnostic::new(attr.span, format!("`{s}` does not fit a 64-bit integer")))
        }
        _ => Err(wrong_kind(spec, attr)),
    }
}

fn list<'n, 'a>(spec: &AttrSpec, attr: &'n Attr<'a>) -> Result<&'n [Attr<'a>], Vec<Diagnostic>> {
    match &attr.node {
        AttrNode::List(items) => Ok(items),
        _ => Err(vec![wrong_kind(spec, attr)]),
    }
}

fn pair(spec: &AttrSpec, attr: &Attr<'_>) -> Result<(i64, i64), Diagnostic> {
    match &attr.node {
        AttrNode::List(items) => match items.as_slice() {
            [a, b] => Ok((int(spec, a)?, int(spec, b)?)),
            _ => Err(Diagnostic::new(attr.span, format!("expected a pair `[lo,hi]`, found {} elements", items.len()))),
        },
        _ => Err(wrong_kind(spec, attr)),
    }
}
