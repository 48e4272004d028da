//! One generator per op kind (dispatch, elementwise ops and sources).

use crate::gen::{Case, Gen};
use crate::Tol;
use xlac_ir::{AttrValue, Attrs, DType, FunctionBuilder, Literal, Module, OpKind, TensorType};

#[path = "ops_nn.rs"]
mod nn;
#[path = "ops_shape.rs"]
mod shape;

/// Builds a random case for one op kind.
pub type Generator = fn(&mut Gen) -> Case;

const FLOATS: &[DType] = &[DType::F32, DType::F64];
const NUMERIC: &[DType] = &[DType::F32, DType::F64, DType::I32, DType::I64];
const LOGICAL: &[DType] = &[DType::Bool, DType::I32, DType::I64];
const ALL: &[DType] = &[DType::F32, DType::F64, DType::I32, DType::I64, DType::Bool];

/// The generator of `kind`, or `None` if there is none (a test failure).
pub fn generator(kind: OpKind) -> Option<Generator> {
    use OpKind::*;
    Some(match kind {
        Floor | Ceil | Round | Sqrt => |g| unary(g, FLOATS, Tol::EXACT),
        Exp | Log | Log1p | Tanh | Logistic | Rsqrt | Erf | Sin | Cos => |g| unary(g, FLOATS, Tol::MATH),
        Neg | Abs | Sign => |g| unary(g, NUMERIC, Tol::EXACT),
        Not => |g| unary(g, LOGICAL, Tol::EXACT),
        Add | Sub | Mul | Div | Rem | Max | Min => |g| binary(g, NUMERIC, Tol::EXACT),
        Pow => |g| binary(g, NUMERIC, Tol { atol: 1e-6, rtol: 1e-5 }),
        And | Or | Xor => |g| binary(g, LOGICAL, Tol::EXACT),
        Compare => compare,
        Select => select,
        Clamp => clamp,
        Convert => convert,
        Constant => constant,
        Iota => iota,
        Call => |g| call(g, OpKind::Call),
        BroadcastInDim => shape::broadcast_in_dim,
        Reshape => shape::reshape,
        Transpose => shape::transpose,
        Slice => shape::slice,
        Concatenate => shape::concatenate,
        Pad => shape::pad,
        Reverse => shape::reverse,
        Reduce => shape::reduce,
        ReduceWindow => nn::reduce_window,
        DotGeneral => nn::dot_general,
        Convolution => nn::convolution,
        Gather => nn::gather,
        #[allow(unreachable_patterns)]
        other if other.name() == "fusion" => |g| call(g, OpKind::from_name("fusion").expect("fusion op")),
        #[allow(unreachable_patterns)]
        _ => return None,
    })
}

fn ty(dtype: DType, dims: &[usize]) -> TensorType {
    TensorType::new(dtype, dims.to_vec())
}

fn unary(g: &mut Gen, dtypes: &[DType], tol: Tol) -> Case {
    // Only the kind differs between unary ops: recover it from the caller's table entry.
    let kind = g.kind.expect("unary generators run with a kind");
    let t = ty(g.pick(dtypes), &g.shape.clone());
    g.single(kind, &[t], Attrs::new(kind), None, tol)
}

fn binary(g: &mut Gen, dtypes: &[DType], tol: Tol) -> Case {
    let kind = g.kind.expect("binary generators run with a kind");
    let t = ty(g.pick(dtypes), &g.shape.clone());
    g.single(kind, &[t.clone(), t], Attrs::new(kind), None, tol)
}

fn compare(g: &mut Gen) -> Case {
    let t = ty(g.pick(ALL), &g.shape.clone());
    let dir = g.pick(&["eq", "ne", "lt", "le", "gt", "ge"]);
    let attrs = Attrs::new(OpKind::Compare).with("dir", AttrValue::Enum(dir));
    g.single(OpKind::Compare, &[t.clone(), t], attrs, None, Tol::EXACT)
}

fn select(g: &mut Gen) -> Case {
    let t = ty(g.pick(ALL), &g.shape.clone());
    let pred = if g.chance(0.3) { TensorType::scalar(DType::Bool) } else { t.with_dtype(DType::Bool) };
    g.single(OpKind::Select, &[pred, t.clone(), t], Attrs::new(OpKind::Select), None, Tol::EXACT)
}

fn clamp(g: &mut Gen) -> Case {
    let t = ty(g.pick(NUMERIC), &g.shape.clone());
    let mut bound = || if g.chance(0.5) { TensorType::scalar(t.dtype) } else { t.clone() };
    let (lo, hi) = (bound(), bound());
    g.single(OpKind::Clamp, &[lo, t.clone(), hi], Attrs::new(OpKind::Clamp), None, Tol::EXACT)
}

fn convert(g: &mut Gen) -> Case {
    let dims = g.shape.clone();
    let (from, to) = (ty(g.pick(ALL), &dims), ty(g.pick(ALL), &dims));
    g.single(OpKind::Convert, &[from], Attrs::new(OpKind::Convert), Some(to), Tol::EXACT)
}

fn constant(g: &mut Gen) -> Case {
    let t = ty(g.pick(ALL), &g.shape.clone());
    let data = g.tensor(&t).data;
    let literal = if t.rank() == 0 || g.chance(0.3) {
        let one = g.tensor(&TensorType::scalar(t.dtype)).data;
        Literal::Splat(one)
    } else {
        Literal::Dense(data)
    };
    let attrs = Attrs::new(OpKind::Constant).with("value", AttrValue::Literal(literal));
    g.single(OpKind::Constant, &[], attrs, Some(t), Tol::EXACT)
}

fn iota(g: &mut Gen) -> Case {
    let dims = g.shape_min_rank(1);
    let dim = g.below(dims.len()) as i64;
    let t = ty(g.pick(NUMERIC), &dims);
    g.single(OpKind::Iota, &[], Attrs::new(OpKind::Iota).with("dim", AttrValue::Int(dim)), Some(t), Tol::EXACT)
}

/// `@main(x, y) = kind @helper(x, y)` with `@helper(a, b) = a * b + a`.
fn call(g: &mut Gen, kind: OpKind) -> Case {
    let t = ty(g.pick(NUMERIC), &g.shape.clone());
    let mut h = FunctionBuilder::new("helper");
    let (a, b) = (h.param("a", t.clone()), h.param("b", t.clone()));
    let ab = h.op(OpKind::Mul, &[a, b], Attrs::new(OpKind::Mul), None).unwrap();
    let r = h.op(OpKind::Add, &[ab, a], Attrs::new(OpKind::Add), None).unwrap();
    let helper = h.finish(&[r]);
    let mut m = FunctionBuilder::new("main");
    let (x, y) = (m.param("x", t.clone()), m.param("y", t.clone()));
    let attrs = Attrs::new(kind).with("callee", AttrValue::FuncRef("helper".into()));
    let r = m.op_typed(kind, &[x, y], attrs, vec![t.clone()]);
    let module = Module { weights_file: None, functions: vec![m.finish(&r), helper] };
    xlac_ir::verify_module(&module).expect("call case verifies");
    let inputs = vec![g.tensor(&t), g.tensor(&t)];
    Case { module, inputs, tol: Tol::EXACT }
}
