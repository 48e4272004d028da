//! Type rules of index-map ops and `reduce`.

use crate::verify::InferCx;
use crate::{Shape, TensorType};

type R = Result<Vec<TensorType>, String>;

/// Checks that `dims` are distinct and each below `rank`; returns them as `usize`.
pub(super) fn check_dims(name: &str, dims: &[i64], rank: usize) -> Result<Vec<usize>, String> {
    let mut seen = vec![false; rank];
    dims.iter()
        .map(|&d| {
            if d < 0 || d as usize >= rank {
                return Err(format!("{name}: dim {d} is out of range for rank {rank}"));
            }
            if std::mem::replace(&mut seen[d as usize], true) {
                return Err(format!("{name}: dim {d} appears twice"));
            }
            Ok(d as usize)
        })
        .collect()
}

/// Checks that an attribute list has one entry per dimension.
pub(super) fn check_len<T>(name: &str, list: &[T], rank: usize) -> Result<(), String> {
    if list.len() == rank {
        Ok(())
    } else {
        Err(format!("{name} has {} entries, the operand has rank {rank}", list.len()))
    }
}

pub(super) fn broadcast_in_dim(cx: &InferCx) -> R {
    let x = &cx.operands[0];
    let ty = cx.declared_one()?;
    let dims = cx.attrs.ints("dims");
    check_len("dims", dims, x.rank())?;
    let dims = check_dims("dims", dims, ty.rank())?;
    if dims.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!("dims={dims:?} must be strictly increasing"));
    }
    for (i, &d) in dims.iter().enumerate() {
        if x.dims()[i] != 1 && x.dims()[i] != ty.dims()[d] {
            return Err(format!(
                "operand dim {i} has extent {}, which is neither 1 nor the result extent {} of dim {d}",
                x.dims()[i],
                ty.dims()[d]
            ));
        }
    }
    if ty.dtype != x.dtype {
        return Err(format!("result dtype must be the operand's {}, declared {ty}", x.dtype));
    }
    Ok(vec![ty.clone()])
}

pub(super) fn reshape(cx: &InferCx) -> R {
    let x = &cx.operands[0];
    let ty = cx.declared_one()?;
    if ty.dtype != x.dtype || ty.shape.checked_num_elements() != x.shape.checked_num_elements() {
        return Err(format!("reshape keeps the dtype and element count: operand is {x}, declared {ty}"));
    }
    Ok(vec![ty.clone()])
}

pub(super) fn transpose(cx: &InferCx) -> R {
    let x = &cx.operands[0];
    let perm = cx.attrs.ints("perm");
    check_len("perm", perm, x.rank())?;
    let perm = check_dims("perm", perm, x.rank())?;
    let dims = perm.iter().map(|&p| x.dims()[p]).collect::<Vec<_>>();
    Ok(vec![TensorType::new(x.dtype, dims)])
}

pub(super) fn slice(cx: &InferCx) -> R {
    let x = &cx.operands[0];
    let (start, limit) = (cx.attrs.ints("start"), cx.attrs.ints("limit"));
    let ones = vec![1; x.rank()];
    let strides = cx.attrs.ints_opt("strides").unwrap_or(&ones);
    check_len("start", start, x.rank())?;
    check_len("limit", limit, x.rank())?;
    check_len("strides", strides, x.rank())?;
    let mut dims = Vec::with_capacity(x.rank());
    for i in 0..x.rank() {
        let (s, l, st, n) = (start[i], limit[i], strides[i], x.dims()[i] as i64);
        if st < 1 {
            return Err(format!("strides[{i}] = {st} must be at least 1"));
        }
        if s < 0 || l < s || l > n {
            return Err(format!("dim {i}: need 0 <= start ({s}) <= limit ({l}) <= extent ({n})"));
        }
        dims.push(if l == s { 0 } else { ((l - s - 1) / st + 1) as usize });
    }
    Ok(vec![TensorType::new(x.dtype, dims)])
}

pub(super) fn concatenate(cx: &InferCx) -> R {
    let first = &cx.operands[0];
    let dim = cx.attrs.int_or("dim", 0);
    if dim < 0 || dim as usize >= first.rank() {
        return Err(format!("dim={dim} is out of range for rank {}", first.rank()));
    }
    let dim = dim as usize;
    let mut total = 0usize;
    for (i, t) in cx.operands.iter().enumerate() {
        let same_other = t.rank() == first.rank()
            && t.dims().iter().zip(first.dims()).enumerate().all(|(d, (a, b))| d == dim || a == b);
        if t.dtype != first.dtype || !same_other {
            return Err(format!("operand {i} ({t}) does not match operand 0 ({first}) outside dim {dim}"));
        }
        total = total.checked_add(t.dims()[dim]).ok_or("extent overflows")?;
    }
    let mut dims = first.dims().to_vec();
    dims[dim] = total;
    Ok(vec![TensorType::new(first.dtype, dims)])
}

pub(super) fn pad(cx: &InferCx) -> R {
    let [x, value] = cx.operands else { unreachable!("arity checked") };
    if value.rank() != 0 || value.dtype != x.dtype {
        return Err(format!("padding_value must be a {} scalar, found {value}", x.dtype));
    }
    let (low, high) = (cx.attrs.ints("low"), cx.attrs.ints("high"));
    let zeros = vec![0; x.rank()];
    let interior = cx.attrs.ints_opt("interior").unwrap_or(&zeros);
    check_len("low", low, x.rank())?;
    check_len("high", high, x.rank())?;
    check_len("interior", interior, x.rank())?;
    let mut dims = Vec::with_capacity(x.rank());
    for i in 0..x.rank() {
        let n = x.dims()[i] as i64;
        if interior[i] < 0 {
            return Err(format!("interior[{i}] = {} must not be negative", interior[i]));
        }
        let extent = low[i] as i128 + high[i] as i128 + n as i128 + (n as i128 - 1).max(0) * interior[i] as i128;
        if extent < 0 {
            return Err(format!("dim {i}: padding gives a negative extent {extent}"));
        }
        if extent > i64::MAX as i128 {
            return Err(format!("dim {i}: padding gives an extent too large to represent ({extent})"));
        }
        dims.push(extent as usize);
    }
    Ok(vec![TensorType::new(x.dtype, dims)])
}

pub(super) fn reverse(cx: &InferCx) -> R {
    let x = &cx.operands[0];
    check_dims("dims", cx.attrs.ints("dims"), x.rank())?;
    Ok(vec![x.clone()])
}

pub(super) fn reduce(cx: &InferCx) -> R {
    let x = &cx.operands[0];
    if !x.dtype.is_numeric() {
        return Err(format!("operand must be numeric, found {x}"));
    }
    let dims = check_dims("dims", cx.attrs.ints("dims"), x.rank())?;
    let kept = (0..x.rank()).filter(|d| !dims.contains(d)).map(|d| x.dims()[d]).collect::<Vec<_>>();
    Ok(vec![TensorType { dtype: x.dtype, shape: Shape(kept) }])
}
