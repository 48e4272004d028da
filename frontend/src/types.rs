//! Lowering of tensor types, with limits that keep later arithmetic on shapes from
//! overflowing.

use crate::ast::TypeAst;
use crate::diag::Diagnostic;
use crate::suggest::did_you_mean;
use xlac_ir::{DType, Shape, TensorType};

/// Highest rank accepted.
pub const MAX_RANK: usize = 64;

/// Largest product of the extents (zero extents counted as 1) a type may have: big
/// enough for any real model, small enough that strides and byte sizes fit in `usize`.
pub const MAX_TYPE_ELEMENTS: u64 = 1 << 48;

/// Lowers `f32[2,3]`: known dtype, non-negative extents, rank and size within limits.
pub fn lower_type(t: &TypeAst<'_>) -> Result<TensorType, Diagnostic> {
    let dtype: DType = t.dtype.node.parse().map_err(|()| {
        let names = DType::ALL.map(DType::name);
        Diagnostic::new(t.dtype.span, format!("unknown dtype `{}`{}", t.dtype.node, did_you_mean(t.dtype.node, names)))
            .note(format!("dtypes are {}", names.join(", ")))
    })?;
    if t.dims.len() > MAX_RANK {
        return Err(Diagnostic::new(t.span, format!("rank {} is above the limit of {MAX_RANK}", t.dims.len())));
    }
    let mut dims = Vec::with_capacity(t.dims.len());
    let mut product: u64 = 1;
    for d in &t.dims {
        let n: usize =
            d.node.parse().map_err(|_| Diagnostic::new(d.span, format!("`{}` is not a valid extent", d.node)))?;
        product = product.saturating_mul((n as u64).max(1));
        dims.push(n);
    }
    if product > MAX_TYPE_ELEMENTS {
        return Err(Diagnostic::new(t.span, "type is too large")
            .note(format!("the product of the extents must be at most 2^48 = {MAX_TYPE_ELEMENTS}")));
    }
    Ok(TensorType { dtype, shape: Shape(dims) })
}
