//! Values known at import time: Constant, ConstantOfShape, Range, EyeLike; and
//! Dropout, which is the identity at inference.

use crate::onnx::cx::{Cx, Val, R};
use crate::onnx::emit::scalar_tensor;
use crate::onnx::registry::{from, reg, Entry};
use crate::onnx::tensor::dtype_of;
use xlac_ir::{DType, OpKind, Tensor, TensorData, TensorType};

/// This family's registrations.
pub(crate) const OPS: &[Entry] = &[
    from("Constant", 1, constant),
    from("ConstantOfShape", 9, constant_of_shape),
    from("Range", 11, range),
    from("EyeLike", 9, eye_like),
    reg("Dropout", 1, 11, |cx| dropout(cx, false)),
    from("Dropout", 12, |cx| dropout(cx, true)),
];

fn constant(cx: &mut Cx) -> R<Vec<Val>> {
    if let Some(t) = cx.tensor_attr("value")? {
        return Ok(vec![cx.constant_val(t)]);
    }
    let t = if let Some(f) = cx.attr("value_float").and_then(|a| a.f) {
        scalar_tensor(DType::F32, f as f64)
    } else if let Some(i) = cx.attr("value_int").and_then(|a| a.i) {
        Tensor::new(Vec::new(), TensorData::I64(vec![i])).expect("scalar")
    } else if let Some(v) = cx.floats("value_floats") {
        Tensor::new(vec![v.len()], TensorData::F32(v)).expect("1-D")
    } else if let Some(v) = cx.ints("value_ints") {
        Tensor::new(vec![v.len()], TensorData::I64(v)).expect("1-D")
    } else {
        return Err("only tensor, float(s) and int(s) constants are supported (not strings or sparse tensors)".into());
    };
    Ok(vec![cx.constant_val(t)])
}

fn constant_of_shape(cx: &mut Cx) -> R<Vec<Val>> {
    let dims = cx.const_ints(0, "the `shape`")?.ok_or("the `shape` is missing")?;
    let dims: Vec<usize> =
        dims.iter().map(|&d| usize::try_from(d).map_err(|_| format!("negative extent {d}"))).collect::<R<_>>()?;
    let value = cx.tensor_attr("value")?.unwrap_or_else(|| scalar_tensor(DType::F32, 0.0));
    if value.data.len() != 1 {
        return Err("`value` must hold one element".into());
    }
    let s = cx.constant_val(Tensor::new(Vec::new(), value.data).expect("one element"));
    Ok(vec![cx.broadcast_to(&s, &dims)?])
}

fn range(cx: &mut Cx) -> R<Vec<Val>> {
    let start = cx.input(0)?;
    let dt = cx.dtype(&start);
    let s = cx.const_f64(0, "`start`")?.ok_or("`start` is missing")?;
    let l = cx.const_f64(1, "`limit`")?.ok_or("`limit` is missing")?;
    let d = cx.const_f64(2, "`delta`")?.ok_or("`delta` is missing")?;
    if d == 0.0 {
        return Err("`delta` cannot be 0".into());
    }
    let n = ((l - s) / d).ceil().max(0.0) as usize;
    let data = match dt {
        DType::F32 => {
            let (s, d) = (s as f32, d as f32);
            TensorData::F32((0..n).map(|i| s + i as f32 * d).collect())
        }
        DType::F64 => TensorData::F64((0..n).map(|i| s + i as f64 * d).collect()),
        DType::I32 => TensorData::I32((0..n).map(|i| s as i32 + i as i32 * d as i32).collect()),
        DType::I64 => TensorData::I64((0..n).map(|i| s as i64 + i as i64 * d as i64).collect()),
        DType::Bool => return Err("Range does not take bool".into()),
    };
    Ok(vec![cx.constant_val(Tensor::new(vec![n], data).expect("n elements"))])
}

fn eye_like(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let dims = cx.dims(&x);
    let dt = match cx.attr("dtype").and_then(|a| a.i) {
        Some(code) => dtype_of(code as i32)?,
        None => cx.dtype(&x),
    };
    let k = cx.int("k", 0);
    let ty = TensorType::new(DType::I64, dims);
    let (i, j) = (cx.iota(ty.clone(), 0)?, cx.iota(ty, 1)?);
    let d = cx.binary(OpKind::Sub, &j, &i)?;
    let kv = cx.scalar(DType::I64, k as f64);
    let on = cx.compare("eq", &d, &kv)?;
    let (one, zero) = (cx.scalar(dt, 1.0), cx.scalar(dt, 0.0));
    Ok(vec![cx.select(&on, &one, &zero)?])
}

fn dropout(cx: &mut Cx, from_inputs: bool) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let training = if from_inputs {
        cx.const_ints(2, "`training_mode`")?.and_then(|v| v.first().copied()).unwrap_or(0) != 0
    } else {
        cx.int("is_test", 1) == 0 && cx.opset() < 7
    };
    if training && dropout_ratio(cx, from_inputs)? != 0.0 {
        return Err("training-mode Dropout with a nonzero ratio is random and not supported".into());
    }
    let t = cx.scalar(DType::Bool, 1.0);
    let dims = cx.dims(&x);
    let mask = cx.broadcast_to(&t, &dims)?;
    Ok(vec![x, mask])
}

fn dropout_ratio(cx: &mut Cx, from_inputs: bool) -> R<f64> {
    Ok(if from_inputs { cx.const_f64(1, "`ratio`")?.unwrap_or(0.5) } else { cx.float("ratio", 0.5) as f64 })
}
