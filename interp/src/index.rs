//! Multi-index helpers shared by the kernels: row-major iteration, strides, offsets,
//! and building a tensor by looking each result element up in an operand.

use crate::num::{map_any, map_any2};
use crate::InterpError;
use xlac_ir::TensorData;

pub(crate) use xlac_ir::for_each_index;

/// Row-major strides of `dims`, in elements.
pub(crate) fn strides(dims: &[usize]) -> Vec<usize> {
    let mut s = vec![1usize; dims.len()];
    for i in (0..dims.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * dims[i + 1];
    }
    s
}

/// The flat offset of multi-index `idx` given `strides`.
pub(crate) fn offset(idx: &[usize], strides: &[usize]) -> usize {
    idx.iter().zip(strides).map(|(i, s)| i * s).sum()
}

/// A tensor of extents `out_dims` whose element at index `r` is `data[src(r)]`.
pub(crate) fn remap(data: &TensorData, out_dims: &[usize], mut src: impl FnMut(&[usize]) -> usize) -> TensorData {
    map_any!(data, v => build(v, None, out_dims, &mut |r| Some(src(r))))
}

/// Like [`remap`], but where `src(r)` is `None` the element is the single element of
/// `fill`, a scalar of `data`'s dtype.
pub(crate) fn remap_padded(
    op: &str,
    data: &TensorData,
    fill: &TensorData,
    out_dims: &[usize],
    mut src: impl FnMut(&[usize]) -> Option<usize>,
) -> Result<TensorData, InterpError> {
    Ok(map_any2!(op, data, fill, v, f => build(v, f.first().copied(), out_dims, &mut src)))
}

fn build<T: Copy>(
    v: &[T],
    fill: Option<T>,
    out_dims: &[usize],
    src: &mut dyn FnMut(&[usize]) -> Option<usize>,
) -> Vec<T> {
    let mut out = Vec::with_capacity(out_dims.iter().product());
    for_each_index(out_dims, |r| {
        // `fill` is present whenever `src` can miss: pad checks its padding value is a scalar.
        out.extend(src(r).map(|i| v[i]).or(fill));
    });
    out
}
