//! The kernel IR: a loop nest over an index space whose body is an expression DAG.
//!
//! A [`Kernel`] computes one or more outputs over its *domain* (the output shape). Every
//! output is written densely, row-major, over the domain. Its value is an expression of
//! the kernel's arena ([`Kernel::exprs`]); expressions are hash-consed, so a
//! subexpression used twice is one node (and is computed once per iteration).
//!
//! Index variables ([`VarId`]) number the loops: `0..domain.len()` are the domain's
//! dims (outermost first); every [`Expr::Reduce`] introduces fresh variables for its
//! own inner index space. Inputs are read by [`Load`]s through per-dimension affine
//! index maps, so broadcasts, transposes, slices, reversals, reshapes, pads and
//! concatenations are index arithmetic, not copies.
//!
//! Invariant: a guarded load (one with `otherwise`) reads a non-empty input, and an
//! unguarded load's indices are always in range for every point of its index space.

mod display;
mod merge;

use cranelift_entity::{entity_impl, PrimaryMap};
use std::collections::HashMap;
pub use xlac_ir::DType;
use xlac_ir::OpKind;

/// An expression of a kernel.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(u32);
entity_impl!(ExprId, "e");

/// An index variable: a domain dimension or a reduction index.
pub type VarId = u32;

/// `offset + Σ coef · var` over index variables.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Affine {
    /// The constant term.
    pub offset: i64,
    /// `(variable, coefficient)` terms, each variable at most once, no zero coefficients,
    /// sorted by variable (so equal functions are equal values and hash-cons as one).
    pub terms: Vec<(VarId, i64)>,
}

impl Affine {
    /// The constant `c`.
    pub fn constant(c: i64) -> Affine {
        Affine { offset: c, terms: Vec::new() }
    }

    /// `coef · var + offset`.
    pub fn var(var: VarId, coef: i64, offset: i64) -> Affine {
        let mut a = Affine::constant(offset);
        a.add_term(var, coef);
        a
    }

    /// Adds `coef · var`, merging with an existing term of `var`.
    pub fn add_term(&mut self, var: VarId, coef: i64) {
        match self.terms.iter().position(|&(v, _)| v == var) {
            Some(i) => {
                self.terms[i].1 += coef;
                if self.terms[i].1 == 0 {
                    self.terms.remove(i);
                }
            }
            None if coef != 0 => {
                let at = self.terms.partition_point(|&(v, _)| v < var);
                self.terms.insert(at, (var, coef));
            }
            None => {}
        }
    }

    /// `self + scale · other`.
    pub fn add_scaled(&mut self, other: &Affine, scale: i64) {
        self.offset += other.offset * scale;
        for &(v, c) in &other.terms {
            self.add_term(v, c * scale);
        }
    }

    /// The coefficient of `var` (0 if absent).
    pub fn coef(&self, var: VarId) -> i64 {
        self.terms.iter().find(|t| t.0 == var).map_or(0, |t| t.1)
    }
}

/// The index into one dimension of a load's view: `affine / div`, where a `div` above 1
/// requires `affine` to be divisible (interior padding) — a guarded load treats an
/// indivisible index as out of range.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DimIndex {
    /// The affine index (before division).
    pub affine: Affine,
    /// Exact divisor, at least 1.
    pub div: i64,
}

impl DimIndex {
    /// `affine` with no division.
    pub fn affine(affine: Affine) -> DimIndex {
        DimIndex { affine, div: 1 }
    }
}

/// A read of an input buffer, viewed as a dense row-major array of extents `view`, at
/// one index per view dimension.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Load {
    /// Input number (the kernel's argument index).
    pub input: usize,
    /// Extents the input buffer is viewed as (their product is its element count).
    pub view: Vec<usize>,
    /// One index per view dimension.
    pub index: Vec<DimIndex>,
    /// When set, the load is guarded: where any index is out of range (or indivisible),
    /// the value is this expression instead.
    pub otherwise: Option<ExprId>,
}

impl Load {
    /// The linear element offset as one affine function, when no index divides.
    pub fn linear(&self) -> Option<Affine> {
        let mut out = Affine::default();
        let mut stride = 1i64;
        for (d, ix) in self.index.iter().enumerate().rev() {
            if ix.div != 1 {
                return None;
            }
            out.add_scaled(&ix.affine, stride);
            stride *= self.view[d] as i64;
        }
        Some(out)
    }
}

/// How a reduction folds.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReduceKind {
    /// Sum, identity 0.
    Sum,
    /// Product, identity 1.
    Prod,
    /// NaN-propagating maximum, identity -inf / MIN.
    Max,
    /// NaN-propagating minimum, identity +inf / MAX.
    Min,
}

impl ReduceKind {
    /// The binary op that combines two partial results.
    pub fn combine_op(self) -> OpKind {
        match self {
            ReduceKind::Sum => OpKind::Add,
            ReduceKind::Prod => OpKind::Mul,
            ReduceKind::Max => OpKind::Max,
            ReduceKind::Min => OpKind::Min,
        }
    }

    /// The identity of the fold for `dtype`.
    pub fn identity(self, dtype: DType) -> Scalar {
        match (self, dtype) {
            (ReduceKind::Sum, _) => Scalar::zero(dtype),
            (ReduceKind::Prod, _) => Scalar::from_f64(dtype, 1.0),
            (ReduceKind::Max, DType::I32) => Scalar::from_i64(dtype, i32::MIN as i64),
            (ReduceKind::Max, DType::I64) => Scalar::from_i64(dtype, i64::MIN),
            (ReduceKind::Max, _) => Scalar::from_f64(dtype, f64::NEG_INFINITY),
            (ReduceKind::Min, DType::I32) => Scalar::from_i64(dtype, i32::MAX as i64),
            (ReduceKind::Min, DType::I64) => Scalar::from_i64(dtype, i64::MAX),
            (ReduceKind::Min, _) => Scalar::from_f64(dtype, f64::INFINITY),
        }
    }
}

/// A compile-time element: its dtype and its bits (f32 bits, f64 bits, sign-extended
/// integers, 0/1 for bool).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scalar {
    /// Element type.
    pub dtype: DType,
    /// Raw bits.
    pub bits: u64,
}

impl Scalar {
    /// Zero (false) of `dtype`.
    pub fn zero(dtype: DType) -> Scalar {
        Scalar { dtype, bits: 0 }
    }

    /// `x` converted to `dtype` (floats round, integers truncate and saturate).
    pub fn from_f64(dtype: DType, x: f64) -> Scalar {
        let bits = match dtype {
            DType::F32 => (x as f32).to_bits() as u64,
            DType::F64 => x.to_bits(),
            DType::I32 => x as i32 as i64 as u64,
            DType::I64 => x as i64 as u64,
            DType::Bool => (x != 0.0) as u64,
        };
        Scalar { dtype, bits }
    }

    /// `x` converted to `dtype`.
    pub fn from_i64(dtype: DType, x: i64) -> Scalar {
        match dtype {
            DType::F32 | DType::F64 => Scalar::from_f64(dtype, x as f64),
            DType::I32 => Scalar { dtype, bits: x as i32 as i64 as u64 },
            DType::I64 => Scalar { dtype, bits: x as u64 },
            DType::Bool => Scalar { dtype, bits: (x != 0) as u64 },
        }
    }

    /// Element `i` of `data`.
    pub fn from_data(data: &xlac_ir::TensorData, i: usize) -> Scalar {
        use xlac_ir::TensorData as D;
        match data {
            D::F32(v) => Scalar { dtype: DType::F32, bits: v[i].to_bits() as u64 },
            D::F64(v) => Scalar { dtype: DType::F64, bits: v[i].to_bits() },
            D::I32(v) => Scalar::from_i64(DType::I32, v[i] as i64),
            D::I64(v) => Scalar::from_i64(DType::I64, v[i]),
            D::Bool(v) => Scalar::from_i64(DType::Bool, v[i] as i64),
        }
    }

    /// Little-endian bytes of the element (`dtype.size_bytes()` of them).
    pub fn to_le_bytes(self) -> Vec<u8> {
        self.bits.to_le_bytes()[..self.dtype.size_bytes()].to_vec()
    }
}

/// Comparison direction of [`Expr::Compare`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum CmpDir {
    /// `==`
    Eq,
    /// `!=` (true when either is NaN)
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpDir {
    /// From the IR's `dir` attribute.
    pub fn from_name(name: &str) -> Option<CmpDir> {
        Some(match name {
            "eq" => CmpDir::Eq,
            "ne" => CmpDir::Ne,
            "lt" => CmpDir::Lt,
            "le" => CmpDir::Le,
            "gt" => CmpDir::Gt,
            "ge" => CmpDir::Ge,
            _ => return None,
        })
    }
}

/// One expression node. Unary and binary ops reuse the IR's [`OpKind`]s (with the op
/// table's semantics): unary are the float unaries, `neg abs sign not`; binary are
/// `add sub mul div rem pow max min and or xor`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Expr {
    /// A constant, the same at every index.
    Const(Scalar),
    /// The value of an index variable, converted to the node's dtype (`iota`).
    Index(VarId),
    /// A read of an input.
    Load(Load),
    /// A unary op.
    Unary(OpKind, ExprId),
    /// A binary op.
    Binary(OpKind, ExprId, ExprId),
    /// A comparison (IEEE for floats; `false < true`); the node is bool.
    Compare(CmpDir, ExprId, ExprId),
    /// `pred ? on_true : on_false`.
    Select(ExprId, ExprId, ExprId),
    /// Conversion to the node's dtype with the IR's `convert` semantics.
    Convert(ExprId),
    /// Folds `body` over the inner index space `vars` (each with its extent).
    Reduce {
        /// How to fold.
        kind: ReduceKind,
        /// The reduction's own index variables and extents, outermost first.
        vars: Vec<(VarId, usize)>,
        /// The folded value, which may read the reduction's variables.
        body: ExprId,
    },
}

/// An expression and its element type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExprData {
    /// The node.
    pub expr: Expr,
    /// Its element type.
    pub dtype: DType,
}

/// An input of a kernel: a dense buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelInput {
    /// Element type.
    pub dtype: DType,
    /// Number of elements.
    pub len: usize,
}

/// An output of a kernel: written densely over the domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelOutput {
    /// Its value.
    pub expr: ExprId,
    /// Its element type (the expression's).
    pub dtype: DType,
}

/// A loop kernel. Arguments at run time are its inputs, then its outputs.
#[derive(Clone, Debug)]
pub struct Kernel {
    /// Name (for profiles, `--emit`, the Cranelift symbol).
    pub name: String,
    /// Extents of the index space, outermost first.
    pub domain: Vec<usize>,
    /// Inputs, in argument order.
    pub inputs: Vec<KernelInput>,
    /// Outputs, in argument order after the inputs.
    pub outputs: Vec<KernelOutput>,
    /// Every expression node.
    pub exprs: PrimaryMap<ExprId, ExprData>,
    /// Number of index variables used (domain variables first).
    pub num_vars: u32,
    /// The IR ops this kernel computes, by name, for reports (`xlac compile`).
    pub origin: Vec<&'static str>,
    interned: HashMap<ExprData, ExprId>,
}

impl Kernel {
    /// An empty kernel over `domain`.
    pub fn new(name: impl Into<String>, domain: Vec<usize>) -> Kernel {
        let num_vars = domain.len() as u32;
        Kernel {
            name: name.into(),
            domain,
            inputs: Vec::new(),
            outputs: Vec::new(),
            exprs: PrimaryMap::new(),
            num_vars,
            origin: Vec::new(),
            interned: HashMap::new(),
        }
    }

    /// Adds an input buffer of `len` elements; returns its number.
    pub fn add_input(&mut self, dtype: DType, len: usize) -> usize {
        self.inputs.push(KernelInput { dtype, len });
        self.inputs.len() - 1
    }

    /// Adds an output computed by `expr`.
    pub fn add_output(&mut self, expr: ExprId) {
        let dtype = self.exprs[expr].dtype;
        self.outputs.push(KernelOutput { expr, dtype });
    }

    /// `n` fresh index variables; returns the first.
    pub fn fresh_vars(&mut self, n: usize) -> VarId {
        let first = self.num_vars;
        self.num_vars += n as u32;
        first
    }

    /// The existing node equal to `expr` of type `dtype`, if there is one.
    pub fn find(&self, expr: Expr, dtype: DType) -> Option<ExprId> {
        self.interned.get(&ExprData { expr, dtype }).copied()
    }

    /// The node `expr` of type `dtype`, shared with an equal existing node.
    pub fn push(&mut self, expr: Expr, dtype: DType) -> ExprId {
        let data = ExprData { expr, dtype };
        if let Some(&id) = self.interned.get(&data) {
            return id;
        }
        let id = self.exprs.push(data.clone());
        self.interned.insert(data, id);
        id
    }

    /// A constant node.
    pub fn constant(&mut self, c: Scalar) -> ExprId {
        self.push(Expr::Const(c), c.dtype)
    }

    /// Element type of `e`.
    pub fn dtype(&self, e: ExprId) -> DType {
        self.exprs[e].dtype
    }

    /// The index of the domain point in a dense row-major array of the domain's shape
    /// (where outputs store it).
    pub fn row_major_index(&self) -> Affine {
        let mut index = Affine::default();
        let mut stride = 1i64;
        for (d, &n) in self.domain.iter().enumerate().rev() {
            index.add_term(d as VarId, stride);
            stride *= n as i64;
        }
        index
    }

    /// Extent of the outermost loop (1 for a rank-0 domain): `end` of a full run.
    pub fn outer_extent(&self) -> usize {
        self.domain.first().copied().unwrap_or(1)
    }

    /// Number of points of the domain.
    pub fn domain_size(&self) -> usize {
        self.domain.iter().product()
    }
}
