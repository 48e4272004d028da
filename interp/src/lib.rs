//! The reference interpreter of xlac: runs any verified [`Module`] directly on host
//! [`Tensor`]s with plain, obviously-correct loops. It is the oracle every later stage
//! (JIT, fusion, importers) is tested against, so it follows the op table's
//! documentation ([`xlac_ir::OpInfo::doc`]) to the letter and never panics on a verified
//! module, whatever the input values (NaN, infinities, integer overflow, division by
//! zero, out-of-range gather indices).
//!
//! Precision: float math is done in the tensor's own precision (`f32` ops in `f32`),
//! except that sums and products of reductions, pooling, `dot_general` and
//! `convolution` accumulate `f32` in `f64` and round once at the end, so the oracle is
//! at least as accurate as any compiled kernel; and `erf` of `f32` is computed in `f64`
//! and rounded.
//!
//! Entry points: [`run_entry`], [`run_function`], and [`eval_op`] for one op (used by
//! constant folding).

mod contract;
mod conv;
mod elementwise;
mod erf;
mod gather;
mod index;
mod num;
mod reduce;
mod shape_ops;
mod sources;

use cranelift_entity::EntityRef;
use std::borrow::Cow;
use xlac_ir::{Attrs, Function, InferCx, Module, OpKind, Tensor, TensorData, TensorType};

/// The largest tensor, in bytes, the interpreter allocates (4 GiB). A larger result
/// type is an [`InterpError::TooLarge`], never an abort.
pub const MAX_TENSOR_BYTES: usize = 1 << 32;

/// How deeply `call`s may nest (verified modules cannot recurse; this guards unverified
/// ones against overflowing the stack).
pub const MAX_CALL_DEPTH: usize = 256;

/// Everything that can go wrong when running a module.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum InterpError {
    /// [`run_function`] was asked for a function the module lacks.
    #[error("the module has no function named @{0}")]
    NoSuchFunction(String),
    /// [`run_entry`] found neither `@main` nor a single function.
    #[error("the module has no entry function: no @main, and not exactly one function")]
    NoEntry,
    /// The number of inputs differs from the number of parameters.
    #[error("@{func} takes {expected} inputs, {found} given")]
    WrongInputCount {
        /// The function run.
        func: String,
        /// Its parameter count.
        expected: usize,
        /// The number of inputs given.
        found: usize,
    },
    /// An input's dtype or shape differs from its parameter's type.
    #[error("input {index} (%{param}) of @{func} must be {expected}, found {found}")]
    WrongInputType {
        /// The function run.
        func: String,
        /// Position of the input.
        index: usize,
        /// The parameter's name, without `%`.
        param: String,
        /// The parameter's type.
        expected: TensorType,
        /// The input's type.
        found: TensorType,
    },
    /// An input tensor's element count does not match its own shape.
    #[error("input {index} (%{param}) of @{func} has {len} elements, its shape {shape} needs {needed}")]
    MalformedInput {
        /// The function run.
        func: String,
        /// Position of the input.
        index: usize,
        /// The parameter's name, without `%`.
        param: String,
        /// The input's shape.
        shape: xlac_ir::Shape,
        /// Elements the shape needs.
        needed: usize,
        /// Elements the data holds.
        len: usize,
    },
    /// A result would exceed [`MAX_TENSOR_BYTES`].
    #[error("`{op}` would allocate a {ty} result, over the interpreter's limit of {limit} bytes")]
    TooLarge {
        /// The op's name.
        op: String,
        /// The result type.
        ty: TensorType,
        /// [`MAX_TENSOR_BYTES`].
        limit: usize,
    },
    /// Calls nest deeper than [`MAX_CALL_DEPTH`].
    #[error("calls nest deeper than {0} levels")]
    CallDepth(usize),
    /// The op breaks its type rule or the operands break their own shapes: the module
    /// was not verified (or [`eval_op`] was given inconsistent arguments).
    #[error("`{op}` is invalid: {message}")]
    InvalidOp {
        /// The op's name.
        op: String,
        /// What is wrong.
        message: String,
    },
    /// An error while running one op of a function, with where it happened.
    #[error("@{func}, %{value} = {op}: {source}")]
    InOp {
        /// The function.
        func: String,
        /// The name of the op's first result (without `%`).
        value: String,
        /// The op's name.
        op: &'static str,
        /// What went wrong.
        source: Box<InterpError>,
    },
}

/// Runs the module's entry function ([`Module::entry`]: `@main` or the only function)
/// on `inputs`, one per parameter, and returns its results.
pub fn run_entry(module: &Module, inputs: &[Tensor]) -> Result<Vec<Tensor>, InterpError> {
    let f = module.entry().ok_or(InterpError::NoEntry)?;
    let inputs: Vec<&Tensor> = inputs.iter().collect();
    run(module, f, &inputs, 0)
}

/// Runs function `@name` of `module` on `inputs`, one per parameter, and returns its
/// results. The module is assumed verified ([`xlac_ir::verify_module`]); inputs are
/// checked against the parameter types.
pub fn run_function(module: &Module, name: &str, inputs: &[Tensor]) -> Result<Vec<Tensor>, InterpError> {
    let f = module.function(name).ok_or_else(|| InterpError::NoSuchFunction(name.to_string()))?;
    let inputs: Vec<&Tensor> = inputs.iter().collect();
    run(module, f, &inputs, 0)
}

/// Evaluates one op of kind `kind` with `attrs` on `operands`, producing values of
/// `result_types` (the op's declared result types). `module` resolves `call`s. The op
/// is checked against its type rule first, so an inconsistent op is an
/// [`InterpError::InvalidOp`], not a panic.
pub fn eval_op(
    kind: OpKind,
    attrs: &Attrs,
    operands: &[&Tensor],
    result_types: &[TensorType],
    module: &Module,
) -> Result<Vec<Tensor>, InterpError> {
    eval_at_depth(kind, attrs, operands, result_types, module, 0)
}

fn check_inputs(f: &Function, inputs: &[&Tensor]) -> Result<(), InterpError> {
    if inputs.len() != f.params.len() {
        return Err(InterpError::WrongInputCount {
            func: f.name.clone(),
            expected: f.params.len(),
            found: inputs.len(),
        });
    }
    for (index, (&p, t)) in f.params.iter().zip(inputs).enumerate() {
        let expected = f.ty(p);
        if t.ty() != *expected {
            return Err(InterpError::WrongInputType {
                func: f.name.clone(),
                index,
                param: f.name_of(p).to_string(),
                expected: expected.clone(),
                found: t.ty(),
            });
        }
        if t.shape.checked_num_elements() != Some(t.data.len()) {
            return Err(InterpError::MalformedInput {
                func: f.name.clone(),
                index,
                param: f.name_of(p).to_string(),
                shape: t.shape.clone(),
                needed: t.shape.num_elements(),
                len: t.data.len(),
            });
        }
    }
    Ok(())
}

/// Runs `f` with a value environment indexed by [`xlac_ir::Value`]; a value is dropped
/// after its last use.
fn run(module: &Module, f: &Function, inputs: &[&Tensor], depth: usize) -> Result<Vec<Tensor>, InterpError> {
    if depth > MAX_CALL_DEPTH {
        return Err(InterpError::CallDepth(MAX_CALL_DEPTH));
    }
    check_inputs(f, inputs)?;
    let mut env: Vec<Option<Cow<Tensor>>> = vec![None; f.values.len()];
    let mut last_use = vec![usize::MAX; f.values.len()];
    for (i, op) in f.ops.iter().enumerate() {
        for v in &op.operands {
            last_use[v.index()] = i;
        }
    }
    for v in &f.ret {
        last_use[v.index()] = usize::MAX;
    }
    for (&p, &t) in f.params.iter().zip(inputs) {
        env[p.index()] = Some(Cow::Borrowed(t));
    }
    for (i, op) in f.ops.iter().enumerate() {
        let in_op = |source: InterpError| InterpError::InOp {
            func: f.name.clone(),
            value: op.results.first().map_or_else(String::new, |&r| f.name_of(r).to_string()),
            op: op.kind.name(),
            source: Box::new(source),
        };
        let results = {
            let operands = op
                .operands
                .iter()
                .map(|&v| env.get(v.index()).and_then(|t| t.as_deref()))
                .collect::<Option<Vec<&Tensor>>>()
                .ok_or_else(|| in_op(invalid(op.kind, "an operand is used before it is defined")))?;
            let types: Vec<TensorType> = op.results.iter().map(|&r| f.ty(r).clone()).collect();
            eval_at_depth(op.kind, &op.attrs, &operands, &types, module, depth).map_err(in_op)?
        };
        for (&r, t) in op.results.iter().zip(results) {
            env[r.index()] = Some(Cow::Owned(t));
        }
        for v in &op.operands {
            if last_use[v.index()] == i {
                env[v.index()] = None;
            }
        }
    }
    f.ret
        .iter()
        .map(|&v| env.get(v.index()).and_then(|t| t.as_deref()).cloned())
        .collect::<Option<Vec<Tensor>>>()
        .ok_or_else(|| InterpError::InvalidOp { op: "return".into(), message: "a returned value is undefined".into() })
}

fn invalid(kind: OpKind, message: impl Into<String>) -> InterpError {
    InterpError::InvalidOp { op: kind.name().to_string(), message: message.into() }
}

/// Checks an op against its table entry and type rule, and its results against
/// [`MAX_TENSOR_BYTES`].
fn check_op(
    kind: OpKind,
    attrs: &Attrs,
    operands: &[&Tensor],
    result_types: &[TensorType],
    module: &Module,
) -> Result<(), InterpError> {
    let info = kind.info();
    if !info.arity.accepts(operands.len()) {
        return Err(invalid(kind, format!("{} operands do not fit its arity", operands.len())));
    }
    if let Some(name) = attrs.missing().first() {
        return Err(invalid(kind, format!("missing required attribute `{name}`")));
    }
    for (i, t) in operands.iter().enumerate() {
        if t.shape.checked_num_elements() != Some(t.data.len()) {
            return Err(invalid(kind, format!("operand {i} has {} elements for shape {}", t.data.len(), t.shape)));
        }
    }
    let operand_types: Vec<TensorType> = operands.iter().map(|t| t.ty()).collect();
    let cx = InferCx { kind, operands: &operand_types, attrs, declared: result_types, module: Some(module) };
    let inferred = (info.rule)(&cx).map_err(|e| invalid(kind, e))?;
    if inferred != result_types {
        return Err(invalid(kind, format!("result types {result_types:?} differ from the inferred {inferred:?}")));
    }
    for ty in result_types {
        let bytes = ty.shape.checked_num_elements().and_then(|n| n.checked_mul(ty.dtype.size_bytes()));
        if bytes.is_none_or(|b| b > MAX_TENSOR_BYTES) {
            return Err(InterpError::TooLarge { op: kind.name().into(), ty: ty.clone(), limit: MAX_TENSOR_BYTES });
        }
    }
    Ok(())
}

/// What a kernel sees of one (checked) op with a single result.
pub(crate) struct OpCx<'a> {
    pub(crate) kind: OpKind,
    pub(crate) attrs: &'a Attrs,
    pub(crate) operands: &'a [&'a Tensor],
    pub(crate) result: &'a TensorType,
}

impl OpCx<'_> {
    /// The op's name, for errors.
    pub(crate) fn name(&self) -> &'static str {
        self.kind.name()
    }

    /// Extents of the result.
    pub(crate) fn out_dims(&self) -> &[usize] {
        self.result.dims()
    }
}

fn eval_at_depth(
    kind: OpKind,
    attrs: &Attrs,
    operands: &[&Tensor],
    result_types: &[TensorType],
    module: &Module,
    depth: usize,
) -> Result<Vec<Tensor>, InterpError> {
    check_op(kind, attrs, operands, result_types, module)?;
    if matches!(kind, OpKind::Call | OpKind::Fusion) {
        let callee = attrs.func("callee").and_then(|name| module.function(name));
        let callee = callee.ok_or_else(|| invalid(kind, "the callee does not exist"))?;
        return run(module, callee, operands, depth + 1);
    }
    let [result] = result_types else { return Err(invalid(kind, "expected exactly one result type")) };
    let cx = OpCx { kind, attrs, operands, result };
    let data = eval_single(&cx)?;
    let tensor = Tensor::new(result.shape.clone(), data)
        .ok_or_else(|| invalid(kind, "the interpreter produced the wrong element count (a bug)"))?;
    if tensor.dtype() != result.dtype {
        return Err(invalid(kind, "the interpreter produced the wrong dtype (a bug)"));
    }
    Ok(vec![tensor])
}

/// Dispatches a single-result op to its kernel.
fn eval_single(cx: &OpCx) -> Result<TensorData, InterpError> {
    use OpKind::*;
    match cx.kind {
        Exp | Log | Log1p | Tanh | Logistic | Sqrt | Rsqrt | Erf | Sin | Cos | Floor | Ceil | Round => {
            elementwise::unary_float(cx)
        }
        Neg | Abs | Sign | Not => elementwise::unary_other(cx),
        Add | Sub | Mul | Div | Rem | Pow | Max | Min | And | Or | Xor => elementwise::binary(cx),
        Compare => elementwise::compare(cx),
        Select => elementwise::select(cx),
        Clamp => elementwise::clamp(cx),
        Convert => Ok(elementwise::convert(&cx.operands[0].data, cx.result.dtype)),
        Constant => sources::constant(cx),
        Iota => Ok(sources::iota(cx)),
        BroadcastInDim => Ok(shape_ops::broadcast_in_dim(cx)),
        Reshape => Ok(cx.operands[0].data.clone()),
        Transpose => Ok(shape_ops::transpose(cx)),
        Slice => Ok(shape_ops::slice(cx)),
        Concatenate => shape_ops::concatenate(cx),
        Pad => shape_ops::pad(cx),
        Reverse => Ok(shape_ops::reverse(cx)),
        Reduce => reduce::reduce(cx),
        ReduceWindow => reduce::reduce_window(cx),
        DotGeneral => contract::dot_general(cx),
        Convolution => conv::convolution(cx),
        Gather => Ok(gather::gather(cx)),
        Call | Fusion => Err(invalid(cx.kind, "calls are run by the function runner")),
    }
}
