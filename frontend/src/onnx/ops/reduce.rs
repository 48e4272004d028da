//! Reductions: ReduceSum/Mean/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare, ArgMax,
//! ArgMin. Axes are an attribute before opset 18 (13 for ReduceSum), an input after.

use super::softmax::first_index_of_max;
use crate::onnx::attrs::{norm_axes, norm_axis};
use crate::onnx::cx::{Cx, Val, R};
use crate::onnx::registry::{from, reg, Entry};
use xlac_ir::{DType, OpKind, TensorType};

/// This family's registrations.
pub(crate) const OPS: &[Entry] = &[
    reg("ReduceSum", 1, 12, |cx| reduce(cx, Kind::Sum, false)),
    from("ReduceSum", 13, |cx| reduce(cx, Kind::Sum, true)),
    reg("ReduceMean", 1, 17, |cx| reduce(cx, Kind::Mean, false)),
    from("ReduceMean", 18, |cx| reduce(cx, Kind::Mean, true)),
    reg("ReduceMax", 1, 17, |cx| reduce(cx, Kind::Max, false)),
    from("ReduceMax", 18, |cx| reduce(cx, Kind::Max, true)),
    reg("ReduceMin", 1, 17, |cx| reduce(cx, Kind::Min, false)),
    from("ReduceMin", 18, |cx| reduce(cx, Kind::Min, true)),
    reg("ReduceProd", 1, 17, |cx| reduce(cx, Kind::Prod, false)),
    from("ReduceProd", 18, |cx| reduce(cx, Kind::Prod, true)),
    reg("ReduceL1", 1, 17, |cx| reduce(cx, Kind::L1, false)),
    from("ReduceL1", 18, |cx| reduce(cx, Kind::L1, true)),
    reg("ReduceL2", 1, 17, |cx| reduce(cx, Kind::L2, false)),
    from("ReduceL2", 18, |cx| reduce(cx, Kind::L2, true)),
    reg("ReduceLogSum", 1, 17, |cx| reduce(cx, Kind::LogSum, false)),
    from("ReduceLogSum", 18, |cx| reduce(cx, Kind::LogSum, true)),
    reg("ReduceLogSumExp", 1, 17, |cx| reduce(cx, Kind::LogSumExp, false)),
    from("ReduceLogSumExp", 18, |cx| reduce(cx, Kind::LogSumExp, true)),
    reg("ReduceSumSquare", 1, 17, |cx| reduce(cx, Kind::SumSquare, false)),
    from("ReduceSumSquare", 18, |cx| reduce(cx, Kind::SumSquare, true)),
    from("ArgMax", 1, |cx| arg(cx, "max")),
    from("ArgMin", 1, |cx| arg(cx, "min")),
];

#[derive(Copy, Clone, PartialEq, Eq)]
enum Kind {
    Sum,
    Mean,
    Max,
    Min,
    Prod,
    L1,
    L2,
    LogSum,
    LogSumExp,
    SumSquare,
}

/// The axes a reduction folds: from the `axes` input or attribute; empty means all
/// (or none with `noop_with_empty_axes`).
fn axes(cx: &mut Cx, rank: usize, from_input: bool) -> R<Option<Vec<usize>>> {
    let given = if from_input { cx.const_ints(1, "`axes`")? } else { cx.ints("axes") };
    match given {
        Some(a) if !a.is_empty() => Ok(Some(norm_axes(&a, rank)?)),
        _ if cx.int("noop_with_empty_axes", 0) == 1 => Ok(None),
        _ => Ok(Some((0..rank).collect())),
    }
}

fn reduce(cx: &mut Cx, kind: Kind, from_input: bool) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let ty = cx.ty(&x);
    let keep = cx.int("keepdims", 1) == 1;
    let Some(axes) = axes(cx, ty.rank(), from_input)? else {
        return Ok(vec![x]);
    };
    if ty.dtype == DType::Bool {
        return Ok(vec![reduce_bool(cx, &x, kind, &axes, keep)?]);
    }
    let y = match kind {
        Kind::Sum => cx.reduce("sum", &x, &axes, keep)?,
        Kind::Max => cx.reduce("max", &x, &axes, keep)?,
        Kind::Min => cx.reduce("min", &x, &axes, keep)?,
        Kind::Prod => cx.reduce("prod", &x, &axes, keep)?,
        Kind::Mean => {
            let n: usize = axes.iter().map(|&a| ty.dims()[a]).product();
            let s = cx.reduce("sum", &x, &axes, keep)?;
            cx.with_scalar(OpKind::Div, &s, n as f64)?
        }
        Kind::L1 => {
            let a = cx.plain(OpKind::Abs, &[x])?;
            cx.reduce("sum", &a, &axes, keep)?
        }
        Kind::L2 | Kind::SumSquare => {
            let sq = cx.binary(OpKind::Mul, &x, &x)?;
            let s = cx.reduce("sum", &sq, &axes, keep)?;
            if kind == Kind::L2 {
                cx.plain(OpKind::Sqrt, &[s])?
            } else {
                s
            }
        }
        Kind::LogSum => {
            let s = cx.reduce("sum", &x, &axes, keep)?;
            cx.plain(OpKind::Log, &[s])?
        }
        Kind::LogSumExp => {
            let e = cx.plain(OpKind::Exp, &[x])?;
            let s = cx.reduce("sum", &e, &axes, keep)?;
            cx.plain(OpKind::Log, &[s])?
        }
    };
    Ok(vec![y])
}

/// Max/Min of bools (any/all), through integers.
fn reduce_bool(cx: &mut Cx, x: &Val, kind: Kind, axes: &[usize], keep: bool) -> R<Val> {
    let k = match kind {
        Kind::Max => "max",
        Kind::Min => "min",
        _ => return Err("this reduction does not take bool inputs".into()),
    };
    let i = cx.convert(x, DType::I32)?;
    let r = cx.reduce(k, &i, axes, keep)?;
    cx.with_scalar_cmp_gt_zero(&r)
}

impl Cx<'_> {
    fn with_scalar_cmp_gt_zero(&mut self, x: &Val) -> R<Val> {
        let zero = self.scalar(self.dtype(x), 0.0);
        self.compare("gt", x, &zero)
    }
}

fn arg(cx: &mut Cx, kind: &'static str) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let dims = cx.dims(&x);
    let axis = norm_axis(cx.int("axis", 0), dims.len())?;
    let keep = cx.int("keepdims", 1) == 1;
    let last = cx.int("select_last_index", 0) == 1;
    let m = cx.reduce(kind, &x, &[axis], true)?;
    let idx = if last {
        let eq = cx.compare("eq", &x, &m)?;
        let iota = cx.iota(TensorType::new(DType::I64, dims.clone()), axis)?;
        let neg = cx.scalar(DType::I64, -1.0);
        let cand = cx.select(&eq, &iota, &neg)?;
        cx.reduce("max", &cand, &[axis], true)?
    } else {
        first_index_of_max(cx, &x, &m, axis)?
    };
    if keep {
        Ok(vec![idx])
    } else {
        let out: Vec<usize> = dims.iter().enumerate().filter(|&(i, _)| i != axis).map(|(_, &d)| d).collect();
        Ok(vec![cx.reshape(&idx, &out)?])
    }
}
