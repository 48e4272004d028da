//! Ops without operands: `constant` and `iota`.

use crate::elementwise::convert;
use crate::index::{for_each_index, remap};
use crate::{InterpError, OpCx};
use xlac_ir::{Literal, TensorData};

/// `constant`: a splat repeated over the result, dense data, or a weight's data.
pub(crate) fn constant(cx: &OpCx) -> Result<TensorData, InterpError> {
    let invalid = |message: &str| InterpError::InvalidOp { op: cx.name().into(), message: message.into() };
    match cx.attrs.literal("value").ok_or_else(|| invalid("missing `value`"))? {
        Literal::Splat(d) if d.len() == 1 => Ok(remap(d, cx.out_dims(), |_| 0)),
        Literal::Splat(_) => Err(invalid("a splat holds exactly one element")),
        Literal::Dense(d) => Ok(d.clone()),
        Literal::Weight { key, data } => {
            if data.shape.checked_num_elements() == Some(data.data.len()) {
                Ok(data.data.clone())
            } else {
                Err(invalid(&format!("weight \"{key}\" holds {} elements for shape {}", data.data.len(), data.shape)))
            }
        }
    }
}

/// `iota`: the element at index `i` is `i[dim]`, converted to the result dtype.
pub(crate) fn iota(cx: &OpCx) -> TensorData {
    let dim = cx.attrs.int_or("dim", 0) as usize;
    let mut values = Vec::with_capacity(cx.result.shape.num_elements());
    for_each_index(cx.out_dims(), |idx| values.push(idx[dim] as i64));
    convert(&TensorData::I64(values), cx.result.dtype)
}
