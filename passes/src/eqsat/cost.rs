//! The cost model: an estimate of the work one op does, in "simple element operations".
//!
//! - Elementwise ops cost their element count times a weight: 1 for simple arithmetic,
//!   compares and selects; 4 for `div`, `rem`, `sqrt` and `rsqrt`; 16 for
//!   transcendentals (`exp`, `log`, `tanh`, `logistic`, `erf`, `pow`, ...); plus 1/8
//!   per element and operand for the loads (so `neg x` is cheaper than `x * -1`).
//! - Index maps (`broadcast_in_dim`, `reshape`, `transpose`, `slice`, ...) cost a
//!   quarter of their element count: fusion usually turns them into index arithmetic
//!   in their consumer (free), but not always (a copy), so removing one is a small win
//!   and moving work to the smaller side of one is a large win.
//! - Reductions cost the elements they read.
//! - `dot_general` costs 2·B·M·N·K / 8 (the GEMM kernels run several times faster per
//!   flop than a scalar loop), convolutions likewise.
//! - An `f32` elementwise op with an operand of its own type computed by a
//!   `dot_general` or convolution costs a quarter ([`EPILOGUE_DISCOUNT`]): it runs as
//!   the product's epilogue on output rows still in cache, not as a pass over memory.
//!   So a scale stays on the product (free in its epilogue) rather than moving onto an
//!   operand, where it would be a kernel of its own.
//! - Parameters and constants cost nothing.
//!
//! A function's cost is the sum over its live ops: each value is computed once however
//! often it is used (a DAG cost, not a tree cost).

use xlac_ir::ops::OpClass;
use xlac_ir::{Attrs, Function, OpKind, TensorType};

/// The factor on the cost of an elementwise op fused into a product's epilogue.
pub const EPILOGUE_DISCOUNT: f64 = 0.25;

/// Whether an op of `kind` with result `result` would run as the epilogue of a product
/// that computes one of its operands (`operand_is_product(i)`, for operands of the
/// result's type).
pub fn in_epilogue(
    kind: OpKind,
    operands: &[&TensorType],
    result: &TensorType,
    operand_is_product: impl Fn(usize) -> bool,
) -> bool {
    kind.info().class == OpClass::Elementwise
        && result.dtype == xlac_ir::DType::F32
        && operands.iter().enumerate().any(|(i, t)| *t == result && operand_is_product(i))
}

/// The cost of one op.
pub fn op_cost(kind: OpKind, attrs: &Attrs, operands: &[&TensorType], result: &TensorType) -> f64 {
    use OpKind::*;
    let n = result.shape.num_elements() as f64;
    let loads = 0.125 * n * operands.len() as f64;
    let read = operands.first().map_or(0.0, |t| t.shape.num_elements() as f64);
    match kind {
        Constant => 0.0,
        Exp | Log | Log1p | Tanh | Logistic | Erf | Sin | Cos | Pow => 16.0 * n + loads,
        Div | Rem | Sqrt | Rsqrt => 4.0 * n + loads,
        DotGeneral => {
            let lhs = operands.first().map_or(&[][..], |t| t.dims());
            let k: f64 =
                attrs.ints("lhs_contract").iter().map(|&d| lhs.get(d as usize).copied().unwrap_or(1) as f64).product();
            2.0 * n * k / 8.0
        }
        Convolution => {
            let kernel = operands.get(1).map_or(1.0, |t| t.shape.num_elements() as f64);
            let out_ch = result.dims().get(1).copied().unwrap_or(1).max(1) as f64;
            2.0 * n * kernel / out_ch / 8.0
        }
        _ => match kind.info().class {
            OpClass::Elementwise => n + loads,
            OpClass::IndexMap => 0.25 * n,
            OpClass::Reduction => read.max(n),
            _ => n,
        },
    }
}

/// The DAG cost of `f`: the sum of [`op_cost`] over the ops a returned value depends on.
pub fn function_cost(f: &Function) -> f64 {
    let mut live = vec![false; f.values.len()];
    for &v in &f.ret {
        live[v.as_u32() as usize] = true;
    }
    let mut by_product = vec![false; f.values.len()];
    for op in &f.ops {
        if matches!(op.kind, OpKind::DotGeneral | OpKind::Convolution) {
            op.results.iter().for_each(|r| by_product[r.as_u32() as usize] = true);
        }
    }
    let mut total = 0.0;
    for op in f.ops.iter().rev() {
        if !op.results.iter().any(|r| live[r.as_u32() as usize]) {
            continue;
        }
        for &o in &op.operands {
            live[o.as_u32() as usize] = true;
        }
        let operands: Vec<&TensorType> = op.operands.iter().map(|&o| f.ty(o)).collect();
        let Some(result) = op.results.first().map(|&r| f.ty(r)) else { continue };
        let cost = op_cost(op.kind, &op.attrs, &operands, result);
        let product = |i: usize| by_product[op.operands[i].as_u32() as usize];
        total += if in_epilogue(op.kind, &operands, result, product) { cost * EPILOGUE_DISCOUNT } else { cost };
    }
    total
}
