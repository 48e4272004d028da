//! The tensor language of the e-graph: one node per modelled op kind, attributes as
//! leaf children.
//!
//! An op node's first children are its attribute leaves, in the op table's order, and
//! its tensor operands come last, so rules read like the text format:
//! `(reduce sum [1] ?x)`, `(transpose [1,0] ?x)`, `(broadcast_in_dim [0] f32[4,8] ?x)`.
//! Ops whose result type is not implied by their operands (`constant`, `convert`,
//! `reshape`, `broadcast_in_dim`) carry it as a [`TypeLeaf`] child.
//!
//! Ops no rule looks into (`iota`, `pad`, `reverse`, `reduce_window`, `convolution`,
//! `gather`) are [`TensorLang::Opaque`] nodes: their kind, attributes and result type
//! sit in a side table ([`super::analysis::Tables`]) and the node holds its index.
//! Rules still simplify their operands and share equal opaque ops.

use egg::{define_language, Id, Symbol};
use std::fmt;
use std::str::FromStr;
use xlac_ir::{DType, TensorData, TensorType};

define_language! {
    /// One e-node of the tensor language. Op variants are named after the op table's
    /// kinds (see `xlac_ir::OpKind`); leaves after what they hold.
    #[allow(missing_docs)]
    pub enum TensorLang {
        "exp" = Exp(Id),
        "log" = Log(Id),
        "log1p" = Log1p(Id),
        "tanh" = Tanh(Id),
        "logistic" = Logistic(Id),
        "sqrt" = Sqrt(Id),
        "rsqrt" = Rsqrt(Id),
        "erf" = Erf(Id),
        "sin" = Sin(Id),
        "cos" = Cos(Id),
        "floor" = Floor(Id),
        "ceil" = Ceil(Id),
        "round" = Round(Id),
        "neg" = Neg(Id),
        "abs" = Abs(Id),
        "sign" = Sign(Id),
        "not" = Not(Id),
        "add" = Add([Id; 2]),
        "sub" = Sub([Id; 2]),
        "mul" = Mul([Id; 2]),
        "div" = Div([Id; 2]),
        "rem" = Rem([Id; 2]),
        "pow" = Pow([Id; 2]),
        "max" = Max([Id; 2]),
        "min" = Min([Id; 2]),
        "and" = And([Id; 2]),
        "or" = Or([Id; 2]),
        "xor" = Xor([Id; 2]),
        // dir, lhs, rhs
        "compare" = Compare([Id; 3]),
        // pred, on_true, on_false
        "select" = Select([Id; 3]),
        // min, x, max
        "clamp" = Clamp([Id; 3]),
        // type, x
        "convert" = Convert([Id; 2]),
        // type, literal
        "constant" = Constant([Id; 2]),
        // dims, type, x
        "broadcast_in_dim" = Broadcast([Id; 3]),
        // type, x
        "reshape" = Reshape([Id; 2]),
        // perm, x
        "transpose" = Transpose([Id; 2]),
        // start, limit, strides, x
        "slice" = Slice([Id; 4]),
        // dim, x0, x1, ...
        "concatenate" = Concatenate(Box<[Id]>),
        // kind, dims, x
        "reduce" = Reduce([Id; 3]),
        // lhs_batch, rhs_batch, lhs_contract, rhs_contract, lhs, rhs
        "dot_general" = Dot([Id; 6]),
        Opaque(OpaqueRef, Box<[Id]>),
        Ints(IntList),
        Num(i64),
        Type(TypeLeaf),
        Lit(LitLeaf),
        Param(ParamRef),
        Sym(Symbol),
    }
}

/// A list of integers (`dims`, `perm`, ...), written `[1,0]`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IntList(pub Vec<i64>);

impl fmt::Display for IntList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items: Vec<String> = self.0.iter().map(|i| i.to_string()).collect();
        write!(f, "[{}]", items.join(","))
    }
}

impl FromStr for IntList {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let inner = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')).ok_or(())?;
        if inner.is_empty() {
            return Ok(IntList(Vec::new()));
        }
        inner.split(',').map(|t| t.parse().map_err(|_| ())).collect::<Result<_, _>>().map(IntList)
    }
}

/// A tensor type as a leaf, written as in the text format: `f32[4,8]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TypeLeaf(pub TensorType);

impl PartialOrd for TypeLeaf {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TypeLeaf {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.0.dtype, self.0.dims()).cmp(&(other.0.dtype, other.0.dims()))
    }
}

impl fmt::Display for TypeLeaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for TypeLeaf {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let open = s.find('[').ok_or(())?;
        let dtype: DType = s[..open].parse()?;
        let dims = s[open..].parse::<IntList>()?.0;
        let dims = dims.into_iter().map(usize::try_from).collect::<Result<Vec<_>, _>>().map_err(|_| ())?;
        Ok(TypeLeaf(TensorType::new(dtype, dims)))
    }
}

/// One element of some dtype, exactly: floats as the bits of the (exactly widened)
/// `f64`, integers as `i64`, bools as 0/1. Written `1.5:f32`, `3:i64`, `true:bool`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scalar {
    /// Element type.
    pub dtype: DType,
    bits: u64,
}

impl Scalar {
    /// `v` as an element of `dtype` (rounded to `f32`, truncated to integers, `!= 0`
    /// for bool).
    pub fn new(dtype: DType, v: f64) -> Scalar {
        let bits = match dtype {
            DType::F32 => (v as f32 as f64).to_bits(),
            DType::F64 => v.to_bits(),
            DType::I32 => v as i32 as i64 as u64,
            DType::I64 => v as i64 as u64,
            DType::Bool => (v != 0.0) as u64,
        };
        Scalar { dtype, bits }
    }

    /// An integer `v` of integer `dtype`, wrapping to its width.
    pub fn int(dtype: DType, v: i64) -> Scalar {
        let v = if dtype == DType::I32 { v as i32 as i64 } else { v };
        Scalar { dtype, bits: v as u64 }
    }

    /// Element `i` of `data`.
    pub fn from_data(data: &TensorData, i: usize) -> Scalar {
        match data {
            TensorData::I32(_) | TensorData::I64(_) => Scalar::int(data.dtype(), data.get_i64(i)),
            _ => Scalar::new(data.dtype(), data.get_f64(i)),
        }
    }

    /// The value as an `f64` (integers beyond 2^53 round).
    pub fn as_f64(self) -> f64 {
        match self.dtype {
            DType::F32 | DType::F64 => f64::from_bits(self.bits),
            DType::I32 | DType::I64 => self.bits as i64 as f64,
            DType::Bool => self.bits as f64,
        }
    }

    /// The value of an integer or bool scalar.
    pub fn as_i64(self) -> Option<i64> {
        (!self.dtype.is_float()).then_some(self.bits as i64)
    }

    /// Whether the value equals `v` exactly (`-0.0` equals `0.0`; NaN equals nothing).
    pub fn is(self, v: f64) -> bool {
        match self.as_i64() {
            Some(i) => v.fract() == 0.0 && i as f64 == v && (v.abs() < 9.0e15),
            None => self.as_f64() == v,
        }
    }

    /// Whether this is the float `-0.0`.
    pub fn is_neg_zero(self) -> bool {
        self.dtype.is_float() && self.bits == (-0.0f64).to_bits()
    }

    /// One element of data of this scalar's dtype.
    pub fn to_data(self) -> TensorData {
        match self.dtype {
            DType::F32 => TensorData::F32(vec![self.as_f64() as f32]),
            DType::F64 => TensorData::F64(vec![self.as_f64()]),
            DType::I32 => TensorData::I32(vec![self.bits as i64 as i32]),
            DType::I64 => TensorData::I64(vec![self.bits as i64]),
            DType::Bool => TensorData::Bool(vec![self.bits != 0]),
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.dtype {
            DType::Bool => write!(f, "{}:bool", self.bits != 0),
            DType::F32 | DType::F64 => write!(f, "{:?}:{}", self.as_f64(), self.dtype),
            _ => write!(f, "{}:{}", self.bits as i64, self.dtype),
        }
    }
}

impl FromStr for Scalar {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let (v, dtype) = s.rsplit_once(':').ok_or(())?;
        let dtype: DType = dtype.parse()?;
        match dtype {
            DType::Bool => Ok(Scalar::new(dtype, v.parse::<bool>().map_err(|_| ())? as u8 as f64)),
            DType::F32 | DType::F64 => Ok(Scalar::new(dtype, v.parse::<f64>().map_err(|_| ())?)),
            _ => Ok(Scalar::int(dtype, v.parse::<i64>().map_err(|_| ())?)),
        }
    }
}

/// A constant's data: a splat [`Scalar`], or an index into the literal side table
/// (dense data and weights), written `lit#3`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LitLeaf {
    /// One element repeated over the constant's type.
    Splat(Scalar),
    /// Entry of [`super::analysis::Tables::literals`].
    Table(u32),
}

impl fmt::Display for LitLeaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LitLeaf::Splat(s) => write!(f, "{s}"),
            LitLeaf::Table(i) => write!(f, "lit#{i}"),
        }
    }
}

impl FromStr for LitLeaf {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.strip_prefix("lit#") {
            Some(i) => i.parse().map(LitLeaf::Table).map_err(|_| ()),
            None => s.parse().map(LitLeaf::Splat),
        }
    }
}

/// Function parameter number `n`, written `%n`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ParamRef(pub u32);

impl fmt::Display for ParamRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "%{}", self.0)
    }
}

impl FromStr for ParamRef {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        s.strip_prefix('%').ok_or(())?.parse().map(ParamRef).map_err(|_| ())
    }
}

/// An opaque op: entry `n` of [`super::analysis::Tables::opaque`], written `opaque#n`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpaqueRef(pub u32);

impl fmt::Display for OpaqueRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "opaque#{}", self.0)
    }
}

impl FromStr for OpaqueRef {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        s.strip_prefix("opaque#").ok_or(())?.parse().map(OpaqueRef).map_err(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_round_trip() {
        for s in ["[]", "[1,0,2]"] {
            assert_eq!(s.parse::<IntList>().unwrap().to_string(), s);
        }
        for s in ["f32[]", "i64[2,3]"] {
            assert_eq!(s.parse::<TypeLeaf>().unwrap().to_string(), s);
        }
        for s in ["1.5:f32", "-0.0:f64", "NaN:f32", "-inf:f64", "7:i32", "true:bool", "lit#4"] {
            assert_eq!(s.parse::<LitLeaf>().unwrap().to_string(), s);
        }
        let e: egg::RecExpr<TensorLang> = "(reduce sum [1] (transpose [1,0] %0))".parse().unwrap();
        assert_eq!(e.to_string().parse::<egg::RecExpr<TensorLang>>().unwrap(), e);
        assert!(matches!(e.as_ref()[0], TensorLang::Sym(_)));
    }
}
