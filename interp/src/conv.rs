//! `convolution`: N-d cross-correlation with strides, padding (negative crops), input
//! (lhs) and kernel (rhs) dilation, feature groups, and the nchw/nhwc layouts of
//! [`ConvLayout`]. Accumulates in the accumulator type of [`Num`] (`f64` for floats).

use crate::index::{for_each_index, strides};
use crate::num::{map_numeric2, Num};
use crate::{InterpError, OpCx};
use xlac_ir::ops::{ConvLayout, WindowParams};
use xlac_ir::TensorData;

/// Shapes and parameters of one convolution.
struct Conv<'a> {
    layout: ConvLayout,
    params: WindowParams,
    groups: usize,
    in_dims: &'a [usize],
    kernel_dims: &'a [usize],
    out_dims: &'a [usize],
}

impl Conv<'_> {
    /// Kernel spatial dims.
    fn kernel_spatial(&self) -> Vec<usize> {
        self.layout.kernel_spatial()
    }

    /// Extents of the kernel window.
    fn window(&self) -> Vec<usize> {
        self.kernel_spatial().iter().map(|&d| self.kernel_dims[d]).collect()
    }

    /// Input spatial index read by output spatial index `out` and kernel tap `tap` in
    /// spatial dim `i`, or `None` for padding or a hole of the lhs dilation.
    fn input_pos(&self, i: usize, out: usize, tap: usize) -> Option<usize> {
        let p = &self.params;
        // i128: attributes may be near i64::MAX in a verified module.
        let n = self.in_dims[self.layout.spatial[i]] as i128;
        let base_dilation = p.base_dilation[i] as i128;
        let dilated_extent = if n == 0 { 0 } else { (n - 1) * base_dilation + 1 };
        let at =
            out as i128 * p.strides[i] as i128 + tap as i128 * p.window_dilation[i] as i128 - p.padding[i].0 as i128;
        if at < 0 || at >= dilated_extent || at % base_dilation != 0 {
            return None;
        }
        Some((at / base_dilation) as usize)
    }
}

fn conv_vec<T: Num>(x: &[T], k: &[T], c: &Conv) -> Vec<T> {
    let l = &c.layout;
    let (xs, ks) = (strides(c.in_dims), strides(c.kernel_dims));
    let kernel_spatial = c.kernel_spatial();
    // Every kernel tap (a spatial index into the window) with its kernel offset.
    let mut taps: Vec<(Vec<usize>, usize)> = Vec::new();
    for_each_index(&c.window(), |t| {
        let offset = t.iter().zip(&kernel_spatial).map(|(&ti, &d)| ti * ks[d]).sum();
        taps.push((t.to_vec(), offset));
    });
    let in_per_group = c.kernel_dims[l.kernel_in];
    let out_per_group = c.out_dims[l.feature] / c.groups;
    let mut out = Vec::with_capacity(c.out_dims.iter().product());
    for_each_index(c.out_dims, |o| {
        let feature = o[l.feature];
        let first_channel = (feature / out_per_group) * in_per_group;
        let x_base = o[l.batch] * xs[l.batch] + first_channel * xs[l.feature];
        let k_base = feature * ks[l.kernel_out];
        let mut acc = T::Acc::ZERO;
        for (tap, k_tap) in &taps {
            // `None` when the tap reads padding or a dilation hole: a zero that is still
            // multiplied, so an inf or NaN in the kernel propagates (pad, then convolve).
            let x_tap = tap
                .iter()
                .enumerate()
                .try_fold(0, |acc, (i, &t)| c.input_pos(i, o[l.spatial[i]], t).map(|pos| acc + pos * xs[l.spatial[i]]));
            for ci in 0..in_per_group {
                let xv = x_tap.map_or(T::Acc::ZERO, |x_tap| x[x_base + x_tap + ci * xs[l.feature]].to_acc());
                let kv = k[k_base + k_tap + ci * ks[l.kernel_in]];
                acc = acc.add(xv.mul(kv.to_acc()));
            }
        }
        out.push(T::from_acc(acc));
    });
    out
}

/// `convolution`: `result[n, o, p..] = sum over c in o's group, taps t.. of
/// input[n, c, p*stride + t*rhs_dilation - low..] * kernel[o, c, t..]`, where the input
/// is seen lhs-dilated and padded (positions outside it or in its holes read zero).
pub(crate) fn convolution(cx: &OpCx) -> Result<TensorData, InterpError> {
    let [x, k] = [cx.operands[0], cx.operands[1]];
    let layout = ConvLayout::of(cx.attrs, x.shape.rank());
    let params = WindowParams::read(cx.attrs, layout.spatial.len(), Some("lhs_dilation"), "rhs_dilation")
        .map_err(|message| InterpError::InvalidOp { op: cx.name().into(), message })?;
    let conv = Conv {
        layout,
        params,
        groups: cx.attrs.int_or("feature_groups", 1) as usize,
        in_dims: x.shape.dims(),
        kernel_dims: k.shape.dims(),
        out_dims: cx.out_dims(),
    };
    Ok(map_numeric2!(cx.name(), &x.data, &k.data, a, b => conv_vec(a, b, &conv)))
}
