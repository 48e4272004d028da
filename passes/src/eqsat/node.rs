//! The correspondence between e-nodes and IR ops: which op kind a node is, how its
//! attribute leaves map to the op's attributes, and back.

use super::analysis::Tables;
use super::lang::{IntList, LitLeaf, TensorLang as T, TypeLeaf};
use egg::{Id, Language, Symbol};
use xlac_ir::{AttrKind, AttrValue, Attrs, Literal, OpKind, TensorType};

/// The leading attribute children of a modelled op kind, by attribute name; `#type`
/// is the declared result type.
pub fn layout(kind: OpKind) -> &'static [&'static str] {
    use OpKind::*;
    match kind {
        Compare => &["dir"],
        Convert | Reshape => &["#type"],
        Constant => &["#type", "value"],
        BroadcastInDim => &["dims", "#type"],
        Transpose => &["perm"],
        Slice => &["start", "limit", "strides"],
        Concatenate => &["dim"],
        Reduce => &["kind", "dims"],
        DotGeneral => &["lhs_batch", "rhs_batch", "lhs_contract", "rhs_contract"],
        _ => &[],
    }
}

/// Whether the e-graph models `kind` with its own node (the others are opaque, and
/// `call` is not supported at all).
pub fn is_modelled(kind: OpKind) -> bool {
    use OpKind::*;
    !matches!(kind, Iota | Pad | Reverse | ReduceWindow | Convolution | Gather | Call)
}

/// The node of a modelled `kind` with `children` (attribute leaves first), or `None`
/// for opaque kinds or a wrong child count.
pub fn make(kind: OpKind, children: Vec<Id>) -> Option<T> {
    use OpKind::*;
    let n = children.len();
    let c = &children.clone();
    let one = || c.first().copied();
    let two = || <[Id; 2]>::try_from(c.get(..2)?).ok();
    let three = || <[Id; 3]>::try_from(c.get(..3)?).ok();
    let node = match kind {
        Exp => T::Exp(one()?),
        Log => T::Log(one()?),
        Log1p => T::Log1p(one()?),
        Tanh => T::Tanh(one()?),
        Logistic => T::Logistic(one()?),
        Sqrt => T::Sqrt(one()?),
        Rsqrt => T::Rsqrt(one()?),
        Erf => T::Erf(one()?),
        Sin => T::Sin(one()?),
        Cos => T::Cos(one()?),
        Floor => T::Floor(one()?),
        Ceil => T::Ceil(one()?),
        Round => T::Round(one()?),
        Neg => T::Neg(one()?),
        Abs => T::Abs(one()?),
        Sign => T::Sign(one()?),
        Not => T::Not(one()?),
        Add => T::Add(two()?),
        Sub => T::Sub(two()?),
        Mul => T::Mul(two()?),
        Div => T::Div(two()?),
        Rem => T::Rem(two()?),
        Pow => T::Pow(two()?),
        Max => T::Max(two()?),
        Min => T::Min(two()?),
        And => T::And(two()?),
        Or => T::Or(two()?),
        Xor => T::Xor(two()?),
        Compare => T::Compare(three()?),
        Select => T::Select(three()?),
        Clamp => T::Clamp(three()?),
        Convert => T::Convert(two()?),
        Constant => T::Constant(two()?),
        BroadcastInDim => T::Broadcast(three()?),
        Reshape => T::Reshape(two()?),
        Transpose => T::Transpose(two()?),
        Slice => T::Slice(<[Id; 4]>::try_from(c.get(..4)?).ok()?),
        Reduce => T::Reduce(three()?),
        DotGeneral => T::Dot(<[Id; 6]>::try_from(c.get(..6)?).ok()?),
        Concatenate if c.len() >= 2 => T::Concatenate(children.into_boxed_slice()),
        _ => return None,
    };
    let arity = node.children().len();
    (arity == n).then_some(node)
}

/// The op kind of a modelled op node; `None` for leaves and opaque nodes.
pub fn kind_of(node: &T) -> Option<OpKind> {
    use OpKind::*;
    Some(match node {
        T::Exp(_) => Exp,
        T::Log(_) => Log,
        T::Log1p(_) => Log1p,
        T::Tanh(_) => Tanh,
        T::Logistic(_) => Logistic,
        T::Sqrt(_) => Sqrt,
        T::Rsqrt(_) => Rsqrt,
        T::Erf(_) => Erf,
        T::Sin(_) => Sin,
        T::Cos(_) => Cos,
        T::Floor(_) => Floor,
        T::Ceil(_) => Ceil,
        T::Round(_) => Round,
        T::Neg(_) => Neg,
        T::Abs(_) => Abs,
        T::Sign(_) => Sign,
        T::Not(_) => Not,
        T::Add(_) => Add,
        T::Sub(_) => Sub,
        T::Mul(_) => Mul,
        T::Div(_) => Div,
        T::Rem(_) => Rem,
        T::Pow(_) => Pow,
        T::Max(_) => Max,
        T::Min(_) => Min,
        T::And(_) => And,
        T::Or(_) => Or,
        T::Xor(_) => Xor,
        T::Compare(_) => Compare,
        T::Select(_) => Select,
        T::Clamp(_) => Clamp,
        T::Convert(_) => Convert,
        T::Constant(_) => Constant,
        T::Broadcast(_) => BroadcastInDim,
        T::Reshape(_) => Reshape,
        T::Transpose(_) => Transpose,
        T::Slice(_) => Slice,
        T::Concatenate(_) => Concatenate,
        T::Reduce(_) => Reduce,
        T::Dot(_) => DotGeneral,
        _ => return None,
    })
}

/// An op as the IR sees it, recovered from an op node.
#[derive(Clone, Debug)]
pub struct OpSpec {
    /// Kind.
    pub kind: OpKind,
    /// Attributes (every required one set).
    pub attrs: Attrs,
    /// The declared result type, for kinds that need one.
    pub declared: Option<TensorType>,
    /// Tensor operands, in order.
    pub operands: Vec<Id>,
}

/// The op of `node` (`None` for leaves or malformed attribute children). `leaf` finds
/// the attribute leaf of a child; `tables` resolves opaque ops and literals.
pub fn op_of<'a>(node: &T, leaf: impl Fn(Id) -> Option<&'a T>, tables: &Tables) -> Option<OpSpec> {
    if let T::Opaque(r, ops) = node {
        let o = tables.opaque.get(r.0 as usize)?;
        let (attrs, declared) = (o.attrs.clone(), Some(o.ty.clone()));
        return Some(OpSpec { kind: o.kind, attrs, declared, operands: ops.to_vec() });
    }
    let kind = kind_of(node)?;
    let names = layout(kind);
    let children = node.children();
    let mut attrs = Attrs::new(kind);
    let mut declared = None;
    for (&name, &child) in names.iter().zip(children) {
        match (name, leaf(child)?) {
            ("#type", T::Type(t)) => declared = Some(t.0.clone()),
            ("value", T::Lit(LitLeaf::Splat(s))) => {
                attrs.set(name, AttrValue::Literal(Literal::Splat(s.to_data()))).ok()?
            }
            ("value", T::Lit(LitLeaf::Table(i))) => {
                let lit = tables.literals.get(*i as usize)?.clone();
                attrs.set(name, AttrValue::Literal(lit)).ok()?
            }
            (_, T::Ints(l)) if is_default(kind, name, &l.0) => {}
            (_, T::Ints(l)) => attrs.set(name, AttrValue::Ints(l.0.clone())).ok()?,
            (_, T::Num(n)) => attrs.set(name, AttrValue::Int(*n)).ok()?,
            (_, T::Sym(s)) => attrs.set(name, AttrValue::Enum(enum_name(kind, name, s.as_str())?)).ok()?,
            _ => return None,
        }
    }
    let operands = children.get(names.len()..)?.to_vec();
    Some(OpSpec { kind, attrs, declared, operands })
}

/// Optional attributes left unset when they hold their default (all-1 strides, no
/// batch dims), so extracted ops print like hand-written ones.
fn is_default(kind: OpKind, name: &str, v: &[i64]) -> bool {
    match (kind, name) {
        (OpKind::Slice, "strides") => v.iter().all(|&s| s == 1),
        (OpKind::DotGeneral, "lhs_batch" | "rhs_batch") => v.is_empty(),
        _ => false,
    }
}

/// The `'static` name of enum value `s` of attribute `name` of `kind`.
fn enum_name(kind: OpKind, name: &str, s: &str) -> Option<&'static str> {
    let spec = kind.info().attrs.iter().find(|a| a.name == name)?;
    match spec.kind {
        AttrKind::Enum(names) => names.iter().copied().find(|n| *n == s),
        _ => None,
    }
}

/// The attribute leaves of an op of a modelled `kind`, in [`layout`] order. `lit` is
/// the literal leaf of a constant. `None` if an attribute is missing or of another kind.
pub fn attr_leaves(kind: OpKind, attrs: &Attrs, declared: &TensorType, lit: Option<LitLeaf>) -> Option<Vec<T>> {
    let mut out = Vec::new();
    for &name in layout(kind) {
        let leaf = match name {
            "#type" => T::Type(TypeLeaf(declared.clone())),
            "value" => T::Lit(lit?),
            "strides" => {
                let ones = vec![1; declared.rank()];
                T::Ints(IntList(attrs.ints_opt(name).unwrap_or(&ones).to_vec()))
            }
            _ => match attrs.get(name) {
                Some(AttrValue::Ints(v)) => T::Ints(IntList(v.clone())),
                Some(AttrValue::Int(v)) => T::Num(*v),
                Some(AttrValue::Enum(v)) => T::Sym(Symbol::from(*v)),
                None if matches!(name, "lhs_batch" | "rhs_batch") => T::Ints(IntList(Vec::new())),
                _ => return None,
            },
        };
        out.push(leaf);
    }
    Some(out)
}
