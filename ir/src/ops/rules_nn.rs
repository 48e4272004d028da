//! Type rules of windowed ops and contractions: `reduce_window`, `dot_general`,
//! `convolution`, `gather`; and the layout and window arithmetic they share with the
//! interpreter and code generators.

use super::rules_shape::{check_dims, check_len};
use crate::verify::InferCx;
use crate::{Attrs, TensorType};

type R = Result<Vec<TensorType>, String>;

/// Extent of a strided window sweep: `n` elements dilated by `base_dilation`, padded by
/// `lo`/`hi`, swept by a window of `w` taps dilated by `win_dilation`, every `stride`.
/// Zero when the window does not fit once.
pub fn window_output_extent(
    n: usize,
    lo: i64,
    hi: i64,
    w: usize,
    stride: usize,
    base_dilation: usize,
    win_dilation: usize,
) -> usize {
    // i128 keeps this exact for every extent and attribute a verified op can have
    // (extents below 2^48, dilations and padding at most 2^63).
    let dilated = if n == 0 { 0 } else { (n as i128 - 1) * base_dilation as i128 + 1 };
    let padded = dilated + lo as i128 + hi as i128;
    let window = if w == 0 { 0 } else { (w as i128 - 1) * win_dilation as i128 + 1 };
    if padded < window || stride == 0 {
        0
    } else {
        usize::try_from((padded - window) / stride as i128 + 1).unwrap_or(usize::MAX)
    }
}

/// Where the batch, feature and spatial dimensions sit for one convolution layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvLayout {
    /// Batch dim of input and result.
    pub batch: usize,
    /// Feature (channel) dim of input and result.
    pub feature: usize,
    /// Spatial dims of input, result and kernel (same positions in all three).
    pub spatial: Vec<usize>,
    /// Output-feature dim of the kernel.
    pub kernel_out: usize,
    /// Input-feature dim of the kernel.
    pub kernel_in: usize,
}

impl ConvLayout {
    /// The layout of a convolution op's attributes, for operands of `rank`.
    pub fn of(attrs: &Attrs, rank: usize) -> ConvLayout {
        let spatial_count = rank.saturating_sub(2);
        if attrs.enum_or("layout", "nchw") == "nhwc" {
            ConvLayout {
                batch: 0,
                feature: rank - 1,
                spatial: (1..1 + spatial_count).collect(),
                kernel_out: rank - 1,
                kernel_in: rank - 2,
            }
        } else {
            ConvLayout { batch: 0, feature: 1, spatial: (2..2 + spatial_count).collect(), kernel_out: 0, kernel_in: 1 }
        }
    }

    /// Kernel spatial dims: for nchw they follow O and I; for nhwc they lead.
    pub fn kernel_spatial(&self) -> Vec<usize> {
        if self.kernel_out == 0 {
            self.spatial.clone()
        } else {
            (0..self.spatial.len()).collect()
        }
    }
}

/// Per-spatial-dim parameters of a windowed op, with defaults filled in.
#[derive(Clone, Debug)]
pub struct WindowParams {
    /// Strides (default 1).
    pub strides: Vec<usize>,
    /// `(lo, hi)` padding (default 0).
    pub padding: Vec<(i64, i64)>,
    /// Base (input) dilation (default 1).
    pub base_dilation: Vec<usize>,
    /// Window (kernel) dilation (default 1).
    pub window_dilation: Vec<usize>,
}

impl WindowParams {
    /// Reads `strides`, `padding` and the two dilation attributes (by name) for `n`
    /// dims, checking lengths and positivity.
    pub fn read(attrs: &Attrs, n: usize, base_name: Option<&str>, window_name: &str) -> Result<WindowParams, String> {
        let positive = |name: &str| -> Result<Vec<usize>, String> {
            match attrs.ints_opt(name) {
                None => Ok(vec![1; n]),
                Some(v) => {
                    check_len(name, v, n)?;
                    v.iter()
                        .map(|&x| {
                            if x >= 1 {
                                Ok(x as usize)
                            } else {
                                Err(format!("{name} entries must be at least 1, found {x}"))
                            }
                        })
                        .collect()
                }
            }
        };
        let padding = match attrs.pairs_opt("padding") {
            None => vec![(0, 0); n],
            Some(p) => {
                check_len("padding", p, n)?;
                p.to_vec()
            }
        };
        Ok(WindowParams {
            strides: positive("strides")?,
            padding,
            base_dilation: match base_name {
                Some(name) => positive(name)?,
                None => vec![1; n],
            },
            window_dilation: positive(window_name)?,
        })
    }

    /// Output extent of dim `i` for input extent `n` and window extent `w`.
    pub fn output_extent(&self, i: usize, n: usize, w: usize) -> usize {
        let (lo, hi) = self.padding[i];
        window_output_extent(n, lo, hi, w, self.strides[i], self.base_dilation[i], self.window_dilation[i])
    }
}

pub(super) fn reduce_window(cx: &InferCx) -> R {
    let x = &cx.operands[0];
    if !x.dtype.is_numeric() {
        return Err(format!("operand must be numeric, found {x}"));
    }
    let window = cx.attrs.ints("window");
    check_len("window", window, x.rank())?;
    if let Some(w) = window.iter().find(|&&w| w < 1) {
        return Err(format!("window entries must be at least 1, found {w}"));
    }
    let p = WindowParams::read(cx.attrs, x.rank(), None, "dilation")?;
    let dims = (0..x.rank()).map(|i| p.output_extent(i, x.dims()[i], window[i] as usize)).collect::<Vec<_>>();
    Ok(vec![TensorType::new(x.dtype, dims)])
}

pub(super) fn dot_general(cx: &InferCx) -> R {
    let [lhs, rhs] = cx.operands else { unreachable!("arity checked") };
    if lhs.dtype != rhs.dtype || !lhs.dtype.is_numeric() {
        return Err(format!("operands must have one numeric dtype, found {lhs} and {rhs}"));
    }
    let lb = check_dims("lhs_batch", cx.attrs.ints("lhs_batch"), lhs.rank())?;
    let rb = check_dims("rhs_batch", cx.attrs.ints("rhs_batch"), rhs.rank())?;
    let lc = check_dims("lhs_contract", cx.attrs.ints("lhs_contract"), lhs.rank())?;
    let rc = check_dims("rhs_contract", cx.attrs.ints("rhs_contract"), rhs.rank())?;
    if lb.len() != rb.len() || lc.len() != rc.len() {
        return Err("lhs and rhs need as many batch dims as each other, and as many contracting dims".into());
    }
    if lb.iter().any(|d| lc.contains(d)) || rb.iter().any(|d| rc.contains(d)) {
        return Err("a dim cannot be both a batch and a contracting dim".into());
    }
    for (kind, l, r) in [("batch", &lb, &rb), ("contracting", &lc, &rc)] {
        for (&a, &b) in l.iter().zip(r.iter()) {
            if lhs.dims()[a] != rhs.dims()[b] {
                return Err(format!(
                    "{kind} dims differ in extent: lhs dim {a} is {}, rhs dim {b} is {}",
                    lhs.dims()[a],
                    rhs.dims()[b]
                ));
            }
        }
    }
    let mut dims: Vec<usize> = lb.iter().map(|&d| lhs.dims()[d]).collect();
    dims.extend((0..lhs.rank()).filter(|d| !lb.contains(d) && !lc.contains(d)).map(|d| lhs.dims()[d]));
    dims.extend((0..rhs.rank()).filter(|d| !rb.contains(d) && !rc.contains(d)).map(|d| rhs.dims()[d]));
    Ok(vec![TensorType::new(lhs.dtype, dims)])
}

pub(super) fn convolution(cx: &InferCx) -> R {
    let [x, k] = cx.operands else { unreachable!("arity checked") };
    if x.dtype != k.dtype || !x.dtype.is_float() {
        return Err(format!("input and kernel must have one float dtype, found {x} and {k}"));
    }
    if x.rank() < 3 || k.rank() != x.rank() {
        return Err(format!("input and kernel need one rank of at least 3, found {x} and {k}"));
    }
    let l = ConvLayout::of(cx.attrs, x.rank());
    let groups = cx.attrs.int_or("feature_groups", 1);
    if groups < 1 {
        return Err(format!("feature_groups must be at least 1, found {groups}"));
    }
    let groups = groups as usize;
    let (c, o, kc) = (x.dims()[l.feature], k.dims()[l.kernel_out], k.dims()[l.kernel_in]);
    if !c.is_multiple_of(groups) || !o.is_multiple_of(groups) || kc.checked_mul(groups) != Some(c) {
        return Err(format!(
            "channels: input has {c}, kernel expects {kc} per group and makes {o}, feature_groups={groups}: \
             need input channels = kernel channels * groups and output channels divisible by groups"
        ));
    }
    let n_sp = l.spatial.len();
    let p = WindowParams::read(cx.attrs, n_sp, Some("lhs_dilation"), "rhs_dilation")?;
    let ks = l.kernel_spatial();
    let mut dims = x.dims().to_vec();
    dims[l.feature] = o;
    for (i, (&xd, &kd)) in l.spatial.iter().zip(&ks).enumerate() {
        dims[xd] = p.output_extent(i, x.dims()[xd], k.dims()[kd]);
    }
    Ok(vec![TensorType::new(x.dtype, dims)])
}

pub(super) fn gather(cx: &InferCx) -> R {
    let [x, idx] = cx.operands else { unreachable!("arity checked") };
    if !idx.dtype.is_int() {
        return Err(format!("indices must be i32 or i64, found {idx}"));
    }
    let axis = cx.attrs.int_or("axis", 0);
    if axis < 0 || axis as usize >= x.rank() {
        return Err(format!("axis={axis} is out of range for rank {}", x.rank()));
    }
    let axis = axis as usize;
    if x.dims()[axis] == 0 && idx.shape.num_elements() > 0 {
        return Err(format!("cannot gather from an empty axis {axis}"));
    }
    let mut dims = x.dims()[..axis].to_vec();
    dims.extend_from_slice(idx.dims());
    dims.extend_from_slice(&x.dims()[axis + 1..]);
    Ok(vec![TensorType::new(x.dtype, dims)])
}
