//! Op attributes: their kinds (declared in the op table), values and literals.

use crate::{OpKind, Tensor, TensorData};
use std::sync::Arc;

/// What an attribute holds; the op table gives one kind per attribute name.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AttrKind {
    /// One integer: `dim=1`.
    Int,
    /// A list of integers: `dims=[0,2]`.
    Ints,
    /// A list of `[lo,hi]` pairs: `padding=[[1,1],[0,0]]`.
    IntPairs,
    /// One identifier out of a fixed set: `dir=lt`.
    Enum(&'static [&'static str]),
    /// A function reference: `callee=@helper`.
    FuncRef,
    /// Tensor data: a scalar or splat (`0.5`), a dense nested list (`[[1, 2], [3, 4]]`),
    /// or a named tensor of the module's weights file (`weight("w1")`).
    Literal,
}

impl AttrKind {
    /// A short description for docs and error messages.
    pub fn describe(self) -> String {
        match self {
            AttrKind::Int => "an integer".into(),
            AttrKind::Ints => "a list of integers like [0,1]".into(),
            AttrKind::IntPairs => "a list of pairs like [[1,1],[0,0]]".into(),
            AttrKind::Enum(values) => format!("one of {}", values.join("|")),
            AttrKind::FuncRef => "a function like @name".into(),
            AttrKind::Literal => "a literal: 1.5, [1, 2], or weight(\"name\")".into(),
        }
    }
}

/// The declaration of one attribute in the op table.
#[derive(Copy, Clone, Debug)]
pub struct AttrSpec {
    /// Name as written in the text format.
    pub name: &'static str,
    /// What it holds.
    pub kind: AttrKind,
    /// Whether the op needs it; optional attributes have a documented default.
    pub required: bool,
}

impl AttrSpec {
    /// A required attribute.
    pub const fn req(name: &'static str, kind: AttrKind) -> AttrSpec {
        AttrSpec { name, kind, required: true }
    }

    /// An optional attribute.
    pub const fn opt(name: &'static str, kind: AttrKind) -> AttrSpec {
        AttrSpec { name, kind, required: false }
    }
}

/// The value of one attribute.
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue {
    /// See [`AttrKind::Int`].
    Int(i64),
    /// See [`AttrKind::Ints`].
    Ints(Vec<i64>),
    /// See [`AttrKind::IntPairs`].
    IntPairs(Vec<(i64, i64)>),
    /// See [`AttrKind::Enum`]; always one of the declared names.
    Enum(&'static str),
    /// See [`AttrKind::FuncRef`]; the function name without `@`.
    FuncRef(String),
    /// See [`AttrKind::Literal`].
    Literal(Literal),
}

impl AttrValue {
    /// Whether the value has the shape `kind` asks for.
    pub fn matches(&self, kind: AttrKind) -> bool {
        matches!(
            (self, kind),
            (AttrValue::Int(_), AttrKind::Int)
                | (AttrValue::Ints(_), AttrKind::Ints)
                | (AttrValue::IntPairs(_), AttrKind::IntPairs)
                | (AttrValue::FuncRef(_), AttrKind::FuncRef)
                | (AttrValue::Literal(_), AttrKind::Literal)
        ) || matches!((self, kind), (AttrValue::Enum(v), AttrKind::Enum(names)) if names.contains(v))
    }
}

/// Constant data.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// One element repeated over the whole result shape (a scalar when the shape is
    /// `[]`). The data holds exactly one element.
    Splat(TensorData),
    /// Every element, row-major.
    Dense(TensorData),
    /// A tensor of the module's weights file, by name, with its loaded data.
    Weight {
        /// The tensor's name in the weights file.
        key: String,
        /// The loaded tensor.
        data: Arc<Tensor>,
    },
}

impl Literal {
    /// The dtype of the data.
    pub fn dtype(&self) -> crate::DType {
        match self {
            Literal::Splat(d) | Literal::Dense(d) => d.dtype(),
            Literal::Weight { data, .. } => data.dtype(),
        }
    }
}

/// The attributes of one op, stored in the order of the op table's declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct Attrs {
    kind: OpKind,
    values: Vec<Option<AttrValue>>,
}

impl Attrs {
    /// No attributes set yet for an op of `kind`.
    pub fn new(kind: OpKind) -> Attrs {
        Attrs { kind, values: vec![None; kind.info().attrs.len()] }
    }

    /// Builder-style [`Attrs::set`] that panics on a name the op does not declare;
    /// for code that constructs IR, not for user input.
    pub fn with(mut self, name: &str, value: AttrValue) -> Attrs {
        if let Err(e) = self.set(name, value) {
            panic!("{e}");
        }
        self
    }

    /// Sets attribute `name`. Errors if the op has no such attribute or the value has
    /// the wrong kind.
    pub fn set(&mut self, name: &str, value: AttrValue) -> Result<(), String> {
        let info = self.kind.info();
        let Some(i) = info.attrs.iter().position(|a| a.name == name) else {
            let known: Vec<_> = info.attrs.iter().map(|a| a.name).collect();
            return Err(if known.is_empty() {
                format!("`{}` takes no attributes, found `{name}`", info.name)
            } else {
                format!("`{}` has no attribute `{name}` (it has: {})", info.name, known.join(", "))
            });
        };
        let spec = info.attrs[i];
        if !value.matches(spec.kind) {
            return Err(format!("attribute `{name}` of `{}` must be {}", info.name, spec.kind.describe()));
        }
        self.values[i] = Some(value);
        Ok(())
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&AttrValue> {
        let i = self.kind.info().attrs.iter().position(|a| a.name == name)?;
        self.values[i].as_ref()
    }

    /// `(spec, value)` for every attribute that is set, in table order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static AttrSpec, &AttrValue)> {
        self.kind.info().attrs.iter().zip(&self.values).filter_map(|(s, v)| v.as_ref().map(|v| (s, v)))
    }

    /// Names of the required attributes that are missing.
    pub fn missing(&self) -> Vec<&'static str> {
        let info = self.kind.info();
        info.attrs.iter().zip(&self.values).filter(|(s, v)| s.required && v.is_none()).map(|(s, _)| s.name).collect()
    }

    /// Integer attribute `name`, or `default` if unset.
    pub fn int_or(&self, name: &str, default: i64) -> i64 {
        match self.get(name) {
            Some(AttrValue::Int(v)) => *v,
            _ => default,
        }
    }

    /// Integer-list attribute `name`, or empty if unset.
    pub fn ints(&self, name: &str) -> &[i64] {
        match self.get(name) {
            Some(AttrValue::Ints(v)) => v,
            _ => &[],
        }
    }

    /// Integer-list attribute `name` if set.
    pub fn ints_opt(&self, name: &str) -> Option<&[i64]> {
        match self.get(name) {
            Some(AttrValue::Ints(v)) => Some(v),
            _ => None,
        }
    }

    /// Pair-list attribute `name` if set.
    pub fn pairs_opt(&self, name: &str) -> Option<&[(i64, i64)]> {
        match self.get(name) {
            Some(AttrValue::IntPairs(v)) => Some(v),
            _ => None,
        }
    }

    /// Enum attribute `name`, or `default` if unset.
    pub fn enum_or(&self, name: &str, default: &'static str) -> &'static str {
        match self.get(name) {
            Some(AttrValue::Enum(v)) => v,
            _ => default,
        }
    }

    /// Function-reference attribute `name` if set.
    pub fn func(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some(AttrValue::FuncRef(v)) => Some(v),
            _ => None,
        }
    }

    /// Literal attribute `name` if set.
    pub fn literal(&self, name: &str) -> Option<&Literal> {
        match self.get(name) {
            Some(AttrValue::Literal(v)) => Some(v),
            _ => None,
        }
    }
}
