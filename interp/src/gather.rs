//! `gather`: numpy `take` along an axis, with indices clamped into range (as XLA).

use crate::index::{offset, remap, strides};
use crate::OpCx;
use xlac_ir::TensorData;

/// `result[a.., i.., b..] = x[a.., clamp(indices[i..]), b..]` along `axis`.
pub(crate) fn gather(cx: &OpCx) -> TensorData {
    let [x, indices] = [cx.operands[0], cx.operands[1]];
    let axis = cx.attrs.int_or("axis", 0) as usize;
    let n = x.shape.dims()[axis];
    let xs = strides(x.shape.dims());
    let is = strides(indices.shape.dims());
    let idx_rank = indices.shape.rank();
    remap(&x.data, cx.out_dims(), |r| {
        let (before, rest) = r.split_at(axis);
        let (i, after) = rest.split_at(idx_rank);
        // The type rule rejects a non-empty gather from an empty axis, so n >= 1 here.
        let j = indices.data.get_i64(offset(i, &is)).clamp(0, n as i64 - 1) as usize;
        offset(before, &xs[..axis]) + j * xs[axis] + offset(after, &xs[axis + 1..])
    })
}
