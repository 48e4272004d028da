//! Index-map ops: every result element is one operand element (or the padding value),
//! found by index arithmetic on the result index. `reshape` is in the dispatcher: its
//! row-major data is unchanged.

use crate::index::{remap, remap_padded, strides};
use crate::{InterpError, OpCx};
use xlac_ir::TensorData;

/// The attribute `name`, or `default` repeated once per dim when it is unset.
fn ints_or(cx: &OpCx, name: &str, rank: usize, default: i64) -> Vec<i64> {
    cx.attrs.ints_opt(name).map_or_else(|| vec![default; rank], <[i64]>::to_vec)
}

/// `broadcast_in_dim`: operand dim `i` is result dim `dims[i]`; extent-1 operand dims
/// repeat.
pub(crate) fn broadcast_in_dim(cx: &OpCx) -> TensorData {
    let x = cx.operands[0];
    let dims = cx.attrs.ints("dims");
    let xs = strides(x.shape.dims());
    remap(&x.data, cx.out_dims(), |r| {
        (0..x.shape.rank()).map(|i| if x.shape.dims()[i] == 1 { 0 } else { r[dims[i] as usize] * xs[i] }).sum()
    })
}

/// `transpose`: result dim `i` is operand dim `perm[i]`.
pub(crate) fn transpose(cx: &OpCx) -> TensorData {
    let x = cx.operands[0];
    let perm = cx.attrs.ints("perm");
    let xs = strides(x.shape.dims());
    remap(&x.data, cx.out_dims(), |r| r.iter().zip(perm).map(|(&ri, &p)| ri * xs[p as usize]).sum())
}

/// `slice`: result index `r` reads operand index `start + r * stride`.
pub(crate) fn slice(cx: &OpCx) -> TensorData {
    let x = cx.operands[0];
    let start = cx.attrs.ints("start");
    let step = ints_or(cx, "strides", x.shape.rank(), 1);
    let xs = strides(x.shape.dims());
    remap(&x.data, cx.out_dims(), |r| (0..r.len()).map(|i| (start[i] as usize + r[i] * step[i] as usize) * xs[i]).sum())
}

/// `reverse`: along each of `dims`, result index `r` reads operand index `n - 1 - r`.
pub(crate) fn reverse(cx: &OpCx) -> TensorData {
    let x = cx.operands[0];
    let reversed: Vec<bool> = (0..x.shape.rank()).map(|i| cx.attrs.ints("dims").contains(&(i as i64))).collect();
    let xs = strides(x.shape.dims());
    let n = x.shape.dims();
    remap(&x.data, cx.out_dims(), |r| {
        (0..r.len()).map(|i| if reversed[i] { n[i] - 1 - r[i] } else { r[i] } * xs[i]).sum()
    })
}

/// `pad`: result index `r` in dim `i` is `low + j * (interior + 1)` for operand index
/// `j`, or padding. Negative `low`/`high` crop.
pub(crate) fn pad(cx: &OpCx) -> Result<TensorData, InterpError> {
    let [x, value] = [cx.operands[0], cx.operands[1]];
    let rank = x.shape.rank();
    let low = cx.attrs.ints("low");
    let interior = ints_or(cx, "interior", rank, 0);
    let xs = strides(x.shape.dims());
    remap_padded(cx.name(), &x.data, &value.data, cx.out_dims(), |r| {
        let mut src = 0;
        for i in 0..rank {
            // i128: `low` and `interior` may be near the ends of i64 in a verified module.
            let t = r[i] as i128 - low[i] as i128;
            let step = interior[i] as i128 + 1;
            if t < 0 || t % step != 0 || t / step >= x.shape.dims()[i] as i128 {
                return None;
            }
            src += (t / step) as usize * xs[i];
        }
        Some(src)
    })
}

/// `concatenate`: seen as `[outer, extent * inner]` blocks, the result's row `o` is the
/// operands' rows `o`, one after the other.
pub(crate) fn concatenate(cx: &OpCx) -> Result<TensorData, InterpError> {
    let dim = cx.attrs.int_or("dim", 0) as usize;
    let out = cx.out_dims();
    let outer: usize = out[..dim].iter().product();
    let inner: usize = out[dim + 1..].iter().product();
    let mut result = TensorData::zeros(cx.result.dtype, 0);
    for o in 0..outer {
        for t in cx.operands {
            let row = t.shape.dims()[dim] * inner;
            append(cx.name(), &mut result, &t.data, o * row..(o + 1) * row)?;
        }
    }
    Ok(result)
}

/// Appends `src[range]` to `dst` (of the same dtype).
fn append(op: &str, dst: &mut TensorData, src: &TensorData, range: std::ops::Range<usize>) -> Result<(), InterpError> {
    match (dst, src) {
        (TensorData::F32(d), TensorData::F32(s)) => d.extend_from_slice(&s[range]),
        (TensorData::F64(d), TensorData::F64(s)) => d.extend_from_slice(&s[range]),
        (TensorData::I32(d), TensorData::I32(s)) => d.extend_from_slice(&s[range]),
        (TensorData::I64(d), TensorData::I64(s)) => d.extend_from_slice(&s[range]),
        (TensorData::Bool(d), TensorData::Bool(s)) => d.extend_from_slice(&s[range]),
        (d, s) => return Err(crate::num::mismatch(op, d, s)),
    }
    Ok(())
}
