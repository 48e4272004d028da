//! The op table: every op kind of the IR, declared once as data.
//!
//! Each line of [`define_ops!`] gives an op's text name, its operand count, its
//! attributes, its class, its type rule and its documentation. The printer, parser,
//! verifier, interpreter and the generated IR reference all read this table; a new op is
//! one new line here plus its semantics in the interpreter (which matches exhaustively
//! on [`OpKind`], so forgetting it does not compile).

mod rules;
mod rules_nn;
pub use rules_nn::{window_output_extent, ConvLayout, WindowParams};
mod rules_shape;

use crate::attrs::{AttrKind, AttrSpec};
use crate::verify::InferCx;
use crate::TensorType;

/// How many operands an op takes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Arity {
    /// Exactly this many.
    Fixed(usize),
    /// At least this many.
    AtLeast(usize),
}

impl Arity {
    /// Whether `n` operands are allowed.
    pub fn accepts(self, n: usize) -> bool {
        match self {
            Arity::Fixed(k) => n == k,
            Arity::AtLeast(k) => n >= k,
        }
    }
}

/// Broad families of ops, for passes that treat a family alike (fusion, cost models).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OpClass {
    /// Result element `i` depends only on operand elements `i` (same shape).
    Elementwise,
    /// Moves elements without computing: each result element is one operand element
    /// (or a padding value), found by index arithmetic.
    IndexMap,
    /// Folds dimensions away.
    Reduction,
    /// Contractions: dot_general, convolution.
    Contraction,
    /// Everything else (constants, iota, gather, call).
    Other,
}

/// A type rule: infers the result types from operand types, attributes and (for ops
/// whose result type is not determined by their operands, like `reshape`) the declared
/// result types, which it validates. Errors are a sentence stating the broken rule.
pub type TypeRule = fn(&InferCx) -> Result<Vec<TensorType>, String>;

/// Everything the table says about one op kind.
#[derive(Debug)]
pub struct OpInfo {
    /// Name in the text format.
    pub name: &'static str,
    /// Operand count.
    pub arity: Arity,
    /// Operand names, for documentation (`"lhs, rhs"`).
    pub operands: &'static str,
    /// Declared attributes.
    pub attrs: &'static [AttrSpec],
    /// Family.
    pub class: OpClass,
    /// Result type inference and operand checks.
    pub rule: TypeRule,
    /// One-line semantics, including the type rule in words.
    pub doc: &'static str,
}

macro_rules! define_ops {
    ($( $variant:ident $name:literal ($arity:expr, $operands:literal) [$($attr:expr),* $(,)?] $class:ident $rule:path, $doc:literal; )*) => {
        /// Every op kind of the IR. See the op table in this module's source.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum OpKind {
            $(
                #[doc = $doc]
                $variant,
            )*
        }

        impl OpKind {
            /// Every op kind, in table order.
            pub const ALL: &'static [OpKind] = &[$(OpKind::$variant),*];

            /// The table entry of this kind.
            pub fn info(self) -> &'static OpInfo {
                match self {
                    $(OpKind::$variant => {
                        static INFO: OpInfo = OpInfo {
                            name: $name,
                            arity: $arity,
                            operands: $operands,
                            attrs: &[$($attr),*],
                            class: OpClass::$class,
                            rule: $rule,
                            doc: $doc,
                        };
                        &INFO
                    })*
                }
            }

            /// Looks a kind up by its text name.
            pub fn from_name(name: &str) -> Option<OpKind> {
                match name {
                    $($name => Some(OpKind::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

impl OpKind {
    /// The text name.
    pub fn name(self) -> &'static str {
        self.info().name
    }
}

use Arity::{AtLeast, Fixed};
use AttrKind::*;

const COMPARE_DIRS: &[&str] = &["eq", "ne", "lt", "le", "gt", "ge"];
const REDUCE_KINDS: &[&str] = &["sum", "prod", "max", "min"];
const POOL_KINDS: &[&str] = &["sum", "max", "min"];
const CONV_LAYOUTS: &[&str] = &["nchw", "nhwc"];

const DIMS: AttrSpec = AttrSpec::req("dims", Ints);
const STRIDES: AttrSpec = AttrSpec::opt("strides", Ints);
const PADDING: AttrSpec = AttrSpec::opt("padding", IntPairs);

#[rustfmt::skip]
define_ops! {
    // Elementwise unary on floats.
    Exp      "exp"      (Fixed(1), "x") [] Elementwise rules::unary_float, "e^x. Float operand; result has the operand's type.";
    Log      "log"      (Fixed(1), "x") [] Elementwise rules::unary_float, "Natural logarithm. Float operand; result has the operand's type.";
    Log1p    "log1p"    (Fixed(1), "x") [] Elementwise rules::unary_float, "ln(1+x), accurate near 0. Float operand; result has the operand's type.";
    Tanh     "tanh"     (Fixed(1), "x") [] Elementwise rules::unary_float, "Hyperbolic tangent. Float operand; result has the operand's type.";
    Logistic "logistic" (Fixed(1), "x") [] Elementwise rules::unary_float, "1/(1+e^-x). Float operand; result has the operand's type.";
    Sqrt     "sqrt"     (Fixed(1), "x") [] Elementwise rules::unary_float, "Square root. Float operand; result has the operand's type.";
    Rsqrt    "rsqrt"    (Fixed(1), "x") [] Elementwise rules::unary_float, "1/sqrt(x). Float operand; result has the operand's type.";
    Erf      "erf"      (Fixed(1), "x") [] Elementwise rules::unary_float, "Error function. Float operand; result has the operand's type.";
    Sin      "sin"      (Fixed(1), "x") [] Elementwise rules::unary_float, "Sine (radians). Float operand; result has the operand's type.";
    Cos      "cos"      (Fixed(1), "x") [] Elementwise rules::unary_float, "Cosine (radians). Float operand; result has the operand's type.";
    Floor    "floor"    (Fixed(1), "x") [] Elementwise rules::unary_float, "Round toward -inf. Float operand; result has the operand's type.";
    Ceil     "ceil"     (Fixed(1), "x") [] Elementwise rules::unary_float, "Round toward +inf. Float operand; result has the operand's type.";
    Round    "round"    (Fixed(1), "x") [] Elementwise rules::unary_float, "Round half to even. Float operand; result has the operand's type.";
    // Elementwise unary on numbers and logic.
    Neg      "neg"      (Fixed(1), "x") [] Elementwise rules::unary_numeric, "-x (integers wrap). Numeric operand; result has the operand's type.";
    Abs      "abs"      (Fixed(1), "x") [] Elementwise rules::unary_numeric, "|x| (integers wrap). Numeric operand; result has the operand's type.";
    Sign     "sign"     (Fixed(1), "x") [] Elementwise rules::unary_numeric, "-1, 0 or 1 (NaN stays NaN). Numeric operand; result has the operand's type.";
    Not      "not"      (Fixed(1), "x") [] Elementwise rules::unary_logical, "Logical not of bool, bitwise not of integers. Result has the operand's type.";
    // Elementwise binary.
    Add      "add"      (Fixed(2), "lhs, rhs") [] Elementwise rules::binary_numeric, "lhs + rhs (integers wrap). Operands of one numeric type; result has that type.";
    Sub      "sub"      (Fixed(2), "lhs, rhs") [] Elementwise rules::binary_numeric, "lhs - rhs (integers wrap). Operands of one numeric type; result has that type.";
    Mul      "mul"      (Fixed(2), "lhs, rhs") [] Elementwise rules::binary_numeric, "lhs * rhs (integers wrap). Operands of one numeric type; result has that type.";
    Div      "div"      (Fixed(2), "lhs, rhs") [] Elementwise rules::binary_numeric, "lhs / rhs; integers truncate, x/0 = -1, MIN/-1 = MIN (as XLA). Operands of one numeric type.";
    Rem      "rem"      (Fixed(2), "lhs, rhs") [] Elementwise rules::binary_numeric, "Remainder with the dividend's sign (C fmod); integers: x%0 = x, MIN%-1 = 0. Operands of one numeric type.";
    Pow      "pow"      (Fixed(2), "lhs, rhs") [] Elementwise rules::binary_numeric, "lhs^rhs; integers: negative exponents give 0 (1 for base 1, +-1 for base -1). Operands of one numeric type.";
    Max      "max"      (Fixed(2), "lhs, rhs") [] Elementwise rules::binary_numeric, "Larger operand; NaN if either is NaN. Operands of one numeric type.";
    Min      "min"      (Fixed(2), "lhs, rhs") [] Elementwise rules::binary_numeric, "Smaller operand; NaN if either is NaN. Operands of one numeric type.";
    And      "and"      (Fixed(2), "lhs, rhs") [] Elementwise rules::binary_logical, "Logical (bool) or bitwise (integers) and. Operands of one bool or integer type.";
    Or       "or"       (Fixed(2), "lhs, rhs") [] Elementwise rules::binary_logical, "Logical (bool) or bitwise (integers) or. Operands of one bool or integer type.";
    Xor      "xor"      (Fixed(2), "lhs, rhs") [] Elementwise rules::binary_logical, "Logical (bool) or bitwise (integers) xor. Operands of one bool or integer type.";
    Compare  "compare"  (Fixed(2), "lhs, rhs") [AttrSpec::req("dir", Enum(COMPARE_DIRS))] Elementwise rules::compare,
        "lhs <dir> rhs with dir one of eq ne lt le gt ge (IEEE: comparisons with NaN are false, ne is true). Operands of one type; result is bool of their shape.";
    Select   "select"   (Fixed(3), "pred, on_true, on_false") [] Elementwise rules::select,
        "pred ? on_true : on_false. pred is bool of the branches' shape (or a bool scalar); both branches have one type, which the result has.";
    Clamp    "clamp"    (Fixed(3), "min, x, max") [] Elementwise rules::clamp,
        "min(max(x, min), max). min and max have x's type or are scalars of x's dtype; result has x's type.";
    Convert  "convert"  (Fixed(1), "x") [] Elementwise rules::convert,
        "Converts to the declared dtype: float to int truncates toward zero and saturates (NaN gives 0); to bool is x != 0. Shape is unchanged.";
    // Sources.
    Constant "constant" (Fixed(0), "") [AttrSpec::req("value", Literal)] Other rules::constant,
        "Tensor data: value=1.5 (a splat over the declared type), value=[[1, 2], [3, 4]] (dense, nested by dimension) or value=weight(\"name\") (from the module's weights file). Result is the declared type; the data must fit it.";
    Iota     "iota"     (Fixed(0), "") [AttrSpec::req("dim", Int)] Other rules::iota,
        "Element at index i is i[dim], converted to the declared (numeric) dtype. Result is the declared type.";
    // Index maps.
    BroadcastInDim "broadcast_in_dim" (Fixed(1), "x") [DIMS] IndexMap rules_shape::broadcast_in_dim,
        "Operand dim i becomes result dim dims[i] (dims strictly increasing); each operand extent is 1 or equals the result extent. Result is the declared type, with the operand's dtype.";
    Reshape  "reshape"  (Fixed(1), "x") [] IndexMap rules_shape::reshape,
        "Same elements in row-major order, new shape. Result is the declared type: operand's dtype and element count.";
    Transpose "transpose" (Fixed(1), "x") [AttrSpec::req("perm", Ints)] IndexMap rules_shape::transpose,
        "Result dim i is operand dim perm[i]; perm is a permutation of the operand's dims.";
    Slice    "slice"    (Fixed(1), "x") [AttrSpec::req("start", Ints), AttrSpec::req("limit", Ints), STRIDES] IndexMap rules_shape::slice,
        "Elements start[i] <= j < limit[i] step strides[i] (default 1) in each dim; result extent ceil((limit-start)/stride).";
    Concatenate "concatenate" (AtLeast(1), "x0, x1, ...") [AttrSpec::req("dim", Int)] IndexMap rules_shape::concatenate,
        "Joins operands along dim; operands have one dtype and equal extents in every other dim.";
    Pad      "pad"      (Fixed(2), "x, padding_value") [AttrSpec::req("low", Ints), AttrSpec::req("high", Ints), AttrSpec::opt("interior", Ints)] IndexMap rules_shape::pad,
        "Adds low[i] (before), high[i] (after) and interior[i] (between elements, default 0, >= 0) elements of the scalar padding_value in dim i; negative low/high crop. Result extent low + high + n + (n-1)*interior.";
    Reverse  "reverse"  (Fixed(1), "x") [DIMS] IndexMap rules_shape::reverse,
        "Reverses the order of elements along each of dims (distinct, in range). Result has the operand's type.";
    // Reductions.
    Reduce   "reduce"   (Fixed(1), "x") [AttrSpec::req("kind", Enum(REDUCE_KINDS)), DIMS] Reduction rules_shape::reduce,
        "Folds dims (distinct, in range) with kind sum|prod|max|min (identity 0, 1, -inf/MIN, +inf/MAX; NaN propagates). Float sums and products may be reassociated (compiled code accumulates in vector lanes). Numeric operand; the result drops the reduced dims.";
    ReduceWindow "reduce_window" (Fixed(1), "x") [AttrSpec::req("kind", Enum(POOL_KINDS)), AttrSpec::req("window", Ints), STRIDES, PADDING, AttrSpec::opt("dilation", Ints)] Reduction rules_nn::reduce_window,
        "Pooling: folds each window (one extent per dim, dilation default 1) with kind sum|max|min; strides default 1, padding default 0, padded elements are the kind's identity. Result extent floor((n + lo + hi - (w-1)*d - 1) / s) + 1.";
    // Contractions.
    DotGeneral "dot_general" (Fixed(2), "lhs, rhs") [AttrSpec::opt("lhs_batch", Ints), AttrSpec::opt("rhs_batch", Ints), AttrSpec::req("lhs_contract", Ints), AttrSpec::req("rhs_contract", Ints)] Contraction rules_nn::dot_general,
        "Sum of products over the contracting dims, batched over the batch dims (pairwise equal extents). Result dims: batch dims, then lhs free dims, then rhs free dims, in order. Operands of one numeric dtype.";
    Convolution "convolution" (Fixed(2), "input, kernel") [STRIDES, PADDING, AttrSpec::opt("lhs_dilation", Ints), AttrSpec::opt("rhs_dilation", Ints), AttrSpec::opt("feature_groups", Int), AttrSpec::opt("layout", Enum(CONV_LAYOUTS))] Contraction rules_nn::convolution,
        "N-d convolution (cross-correlation). layout=nchw (default): input [N,C,spatial...], kernel [O,C/groups,spatial...], result [N,O,spatial...]; layout=nhwc: input [N,spatial...,C], kernel [spatial...,C/groups,O], result [N,spatial...,O]. strides, lhs_dilation, rhs_dilation default 1; padding default 0 (negative crops); O divisible by feature_groups (default 1).";
    // Others.
    Gather   "gather"   (Fixed(2), "x, indices") [AttrSpec::req("axis", Int)] Other rules_nn::gather,
        "numpy take: result[a.., i.., b..] = x[a.., indices[i..], b..] along axis; integer indices, out-of-range indices are clamped (as XLA). Result dims: x's before axis, indices', x's after axis.";
    Call     "call"     (AtLeast(0), "args...") [AttrSpec::req("callee", FuncRef)] Other rules::call,
        "Calls another function of the module; operand types equal the callee's parameter types and the results are its result types. Calls may not recurse.";
    Fusion   "fusion"   (AtLeast(0), "args...") [AttrSpec::req("callee", FuncRef)] Other rules::call,
        "Calls a function whose body the code generator compiles as one kernel (a fused group). Same typing as call.";
}
