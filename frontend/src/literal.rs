//! Literals: number text parsed per the declared dtype, nested lists checked against the
//! declared shape.

use crate::ast::{Attr, AttrNode, Span};
use crate::diag::Diagnostic;
use crate::lexer::unescape;
use crate::weights::Weights;
use xlac_ir::{Literal, Tensor, TensorData, TensorType};

/// Most elements a splat is expanded to when a tensor is materialised
/// ([`crate::parse_tensor_literal`]): 2^28, one GiB of `f32`.
pub const MAX_MATERIALISED_ELEMENTS: usize = 1 << 28;

/// Lowers the `value=` of a constant of type `ty`. `weights` is `None` where
/// `weight("key")` is not allowed.
pub fn lower_literal(
    attr: &Attr<'_>,
    ty: &TensorType,
    weights: Option<&mut Weights>,
) -> Result<Literal, Vec<Diagnostic>> {
    match &attr.node {
        AttrNode::Call(name, key) => {
            if *name != "weight" {
                return Err(vec![Diagnostic::new(attr.span, format!("unknown literal form `{name}(...)`"))
                    .note("the only call form is weight(\"name\")")]);
            }
            let Some(weights) = weights else {
                return Err(vec![Diagnostic::new(attr.span, "`weight(...)` is only allowed inside a module")]);
            };
            let key = unescape(key.node).map_err(|m| vec![Diagnostic::new(key.span, m)])?;
            let data = weights.get(&key, ty, attr.span).map_err(|d| d.into_iter().collect::<Vec<_>>())?;
            Ok(Literal::Weight { key, data })
        }
        AttrNode::List(_) => {
            let mut data = TensorData::zeros(ty.dtype, 0);
            dense(attr, ty, 0, &mut data).map_err(|d| vec![d])?;
            Ok(Literal::Dense(data))
        }
        _ => {
            let mut data = TensorData::zeros(ty.dtype, 0);
            push_element(&mut data, attr).map_err(|d| vec![d])?;
            Ok(Literal::Splat(data))
        }
    }
}

/// The tensor a literal denotes: a splat is repeated over the shape (up to
/// [`MAX_MATERIALISED_ELEMENTS`]).
pub fn materialise(lit: Literal, ty: &TensorType, span: Span) -> Result<Tensor, Diagnostic> {
    let data = match lit {
        Literal::Dense(d) => d,
        Literal::Weight { data, .. } => return Ok((*data).clone()),
        Literal::Splat(d) => {
            let n = ty.shape.checked_num_elements().filter(|&n| n <= MAX_MATERIALISED_ELEMENTS).ok_or_else(|| {
                Diagnostic::new(span, format!("{ty} is too large to materialise"))
                    .note(format!("at most {MAX_MATERIALISED_ELEMENTS} elements"))
            })?;
            repeat(&d, n)
        }
    };
    Tensor::new(ty.shape.clone(), data).ok_or_else(|| Diagnostic::new(span, "literal does not fit its type"))
}

fn repeat(d: &TensorData, n: usize) -> TensorData {
    match d {
        TensorData::F32(v) => TensorData::F32(vec![v.first().copied().unwrap_or_default(); n]),
        TensorData::F64(v) => TensorData::F64(vec![v.first().copied().unwrap_or_default(); n]),
        TensorData::I32(v) => TensorData::I32(vec![v.first().copied().unwrap_or_default(); n]),
        TensorData::I64(v) => TensorData::I64(vec![v.first().copied().unwrap_or_default(); n]),
        TensorData::Bool(v) => TensorData::Bool(vec![v.first().copied().unwrap_or_default(); n]),
    }
}

/// Appends the elements of `attr`, which stands for dimensions `axis..` of `ty`.
fn dense(attr: &Attr<'_>, ty: &TensorType, axis: usize, out: &mut TensorData) -> Result<(), Diagnostic> {
    let Some(&n) = ty.dims().get(axis) else {
        return push_element(out, attr);
    };
    let AttrNode::List(items) = &attr.node else {
        return Err(Diagnostic::new(
            attr.span,
            format!("expected a list of {n} elements for dimension {axis} of {ty}"),
        ));
    };
    if items.len() != n {
        return Err(Diagnostic::new(
            attr.span,
            format!("dimension {axis} of {ty} has {n} elements, but this list has {}", items.len()),
        ));
    }
    items.iter().try_for_each(|item| dense(item, ty, axis + 1, out))
}

fn push_element(out: &mut TensorData, attr: &Attr<'_>) -> Result<(), Diagnostic> {
    let dtype = out.dtype();
    let text = match &attr.node {
        AttrNode::Int(s) | AttrNode::Float(s) | AttrNode::Ident(s) => *s,
        AttrNode::List(_) if dtype.is_numeric() => {
            return Err(Diagnostic::new(attr.span, "expected a number, found a list"))
        }
        AttrNode::List(_) => return Err(Diagnostic::new(attr.span, "expected `true` or `false`, found a list")),
        AttrNode::Func(_) | AttrNode::Call(..) => {
            return Err(Diagnostic::new(attr.span, format!("expected a {dtype} element")))
        }
    };
    let bad = |why: &str| Diagnostic::new(attr.span, format!("`{text}` {why}"));
    let is_number = matches!(attr.node, AttrNode::Int(_) | AttrNode::Float(_)) || matches!(text, "inf" | "nan");
    match out {
        TensorData::F32(v) if is_number => v.push(float(text).ok_or_else(|| bad("does not fit f32"))?),
        TensorData::F64(v) if is_number => v.push(float(text).ok_or_else(|| bad("does not fit f64"))?),
        TensorData::I32(v) if matches!(attr.node, AttrNode::Int(_)) => {
            v.push(text.parse().map_err(|_| bad("does not fit i32"))?)
        }
        TensorData::I64(v) if matches!(attr.node, AttrNode::Int(_)) => {
            v.push(text.parse().map_err(|_| bad("does not fit i64"))?)
        }
        TensorData::Bool(v) if matches!(text, "true" | "false") => v.push(text == "true"),
        TensorData::Bool(_) => return Err(bad("is not a bool (`true` or `false`)")),
        TensorData::I32(_) | TensorData::I64(_) => return Err(bad(&format!("is not an integer, as {dtype} needs"))),
        TensorData::F32(_) | TensorData::F64(_) => return Err(bad(&format!("is not a number, as {dtype} needs"))),
    }
    Ok(())
}

/// Parses float text straight into the target type (never through f64 for f32, which
/// would round twice). Finite text that overflows to infinity does not fit.
fn float<F: std::str::FromStr + Copy + IsInfinite>(text: &str) -> Option<F> {
    let x: F = text.parse().ok()?;
    let says_inf = text.trim_start_matches('-') == "inf";
    (says_inf || !x.infinite()).then_some(x)
}

trait IsInfinite {
    fn infinite(self) -> bool;
}

impl IsInfinite for f32 {
    fn infinite(self) -> bool {
        self.is_infinite()
    }
}

impl IsInfinite for f64 {
    fn infinite(self) -> bool {
        self.is_infinite()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f32_is_parsed_directly() {
        // 1.00000005960464477539062500000001 lies just above the midpoint between
        // 1.0 and the next f32; through f64 it rounds to the midpoint and then to 1.0.
        let text = "1.00000005960464477539062500000001";
        assert_eq!(float::<f32>(text), Some(1.000_000_1_f32));
        assert_eq!((text.parse::<f64>().unwrap() as f32), 1.0);
        assert_eq!(float::<f32>("1e39"), None);
        assert_eq!(float::<f64>("1e39"), Some(1e39));
        assert_eq!(float::<f32>("-inf"), Some(f32::NEG_INFINITY));
    }
}
