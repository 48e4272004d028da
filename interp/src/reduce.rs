//! Reductions: `reduce` over whole dims and `reduce_window` (pooling). Both fold in the
//! accumulator type of [`Num`] (`f64` for floats) starting from the kind's identity, so
//! an empty fold gives the identity.

use crate::index::{for_each_index, offset, strides};
use crate::num::{map_numeric, Num};
use crate::{InterpError, OpCx};
use xlac_ir::ops::WindowParams;
use xlac_ir::TensorData;

/// The identity and combining function of a fold kind (`sum`, `prod`, `max`, `min`).
fn fold_of<A: Num>(kind: &str) -> (A, fn(A, A) -> A) {
    match kind {
        "sum" => (A::ZERO, A::add),
        "prod" => (A::ONE, A::mul),
        "max" => (A::LOWEST, A::max),
        _ => (A::HIGHEST, A::min),
    }
}

fn reduce_vec<T: Num>(v: &[T], in_dims: &[usize], dims: &[i64], out_len: usize, kind: &str) -> Vec<T> {
    let (init, f) = fold_of::<T::Acc>(kind);
    // Stride of each input dim in the result: 0 for reduced dims.
    let mut out_strides = vec![0usize; in_dims.len()];
    let mut stride = 1;
    for d in (0..in_dims.len()).rev() {
        if !dims.contains(&(d as i64)) {
            out_strides[d] = stride;
            stride *= in_dims[d];
        }
    }
    let mut acc = vec![init; out_len];
    let mut k = 0;
    for_each_index(in_dims, |idx| {
        let o = offset(idx, &out_strides);
        acc[o] = f(acc[o], v[k].to_acc());
        k += 1;
    });
    acc.into_iter().map(T::from_acc).collect()
}

/// `reduce`: folds `dims` away with `kind`.
pub(crate) fn reduce(cx: &OpCx) -> Result<TensorData, InterpError> {
    let x = cx.operands[0];
    let kind = cx.attrs.enum_or("kind", "sum");
    let dims = cx.attrs.ints("dims");
    let n = cx.result.shape.num_elements();
    Ok(map_numeric!(cx.name(), &x.data, v => reduce_vec(v, x.shape.dims(), dims, n, kind)))
}

struct Window<'a> {
    in_dims: &'a [usize],
    out_dims: &'a [usize],
    extents: Vec<usize>,
    params: WindowParams,
    kind: &'a str,
}

fn window_vec<T: Num>(v: &[T], w: &Window) -> Vec<T> {
    let (init, f) = fold_of::<T::Acc>(w.kind);
    let xs = strides(w.in_dims);
    let p = &w.params;
    let mut out = Vec::with_capacity(w.out_dims.iter().product());
    let mut pos = vec![0usize; w.in_dims.len()];
    for_each_index(w.out_dims, |r| {
        let mut acc = init;
        for_each_index(&w.extents, |k| {
            for i in 0..r.len() {
                // i128: attributes may be near i64::MAX in a verified module.
                let at = r[i] as i128 * p.strides[i] as i128 + k[i] as i128 * p.window_dilation[i] as i128
                    - p.padding[i].0 as i128;
                if at < 0 || at >= w.in_dims[i] as i128 {
                    // A padding element: the identity, which changes nothing.
                    return;
                }
                pos[i] = at as usize;
            }
            acc = f(acc, v[offset(&pos, &xs)].to_acc());
        });
        out.push(T::from_acc(acc));
    });
    out
}

/// `reduce_window`: folds each (strided, dilated, padded) window with `kind`; padding
/// elements are the kind's identity.
pub(crate) fn reduce_window(cx: &OpCx) -> Result<TensorData, InterpError> {
    let x = cx.operands[0];
    let rank = x.shape.rank();
    let params = WindowParams::read(cx.attrs, rank, None, "dilation")
        .map_err(|message| InterpError::InvalidOp { op: cx.name().into(), message })?;
    let w = Window {
        in_dims: x.shape.dims(),
        out_dims: cx.out_dims(),
        extents: cx.attrs.ints("window").iter().map(|&e| e as usize).collect(),
        params,
        kind: cx.attrs.enum_or("kind", "sum"),
    };
    Ok(map_numeric!(cx.name(), &x.data, v => window_vec(v, &w)))
}
