//! Building blocks for handlers: typed wrappers over [`Importer::emit`] with numpy
//! broadcasting and no-op elision.

use super::cx::{Importer, Val, R};
use std::sync::Arc;
use xlac_ir::{AttrValue, Attrs, DType, OpKind, Tensor, TensorData, TensorType};

/// The numpy broadcast of two shapes.
pub(crate) fn broadcast_shape(a: &[usize], b: &[usize]) -> R<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for (i, o) in out.iter_mut().enumerate() {
        let x = if i + a.len() >= n { a[i + a.len() - n] } else { 1 };
        let y = if i + b.len() >= n { b[i + b.len() - n] } else { 1 };
        *o = match (x, y) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return Err(format!("shapes {a:?} and {b:?} do not broadcast")),
        };
    }
    Ok(out)
}

fn ints(v: impl IntoIterator<Item = usize>) -> AttrValue {
    AttrValue::Ints(v.into_iter().map(|x| x as i64).collect())
}

/// A scalar tensor of `dtype` holding `x` (converted).
pub(crate) fn scalar_tensor(dtype: DType, x: f64) -> Tensor {
    let data = match dtype {
        DType::F32 => TensorData::F32(vec![x as f32]),
        DType::F64 => TensorData::F64(vec![x]),
        DType::I32 => TensorData::I32(vec![x as i32]),
        DType::I64 => TensorData::I64(vec![x as i64]),
        DType::Bool => TensorData::Bool(vec![x != 0.0]),
    };
    Tensor::new(Vec::new(), data).expect("one element")
}

impl Importer {
    /// The extents of `v`.
    pub(crate) fn dims(&self, v: &Val) -> Vec<usize> {
        self.ty(v).shape.0
    }

    /// The rank of `v`.
    pub(crate) fn rank(&self, v: &Val) -> usize {
        self.ty(v).rank()
    }

    /// The dtype of `v`.
    pub(crate) fn dtype(&self, v: &Val) -> DType {
        self.ty(v).dtype
    }

    /// A constant scalar.
    pub(crate) fn scalar(&self, dtype: DType, x: f64) -> Val {
        Val::Const(Arc::new(scalar_tensor(dtype, x)))
    }

    /// A constant tensor.
    pub(crate) fn constant_val(&self, t: Tensor) -> Val {
        Val::Const(Arc::new(t))
    }

    /// A constant 1-D i64 tensor.
    pub(crate) fn i64s(&self, v: Vec<i64>) -> Val {
        let n = v.len();
        self.constant_val(Tensor::new(vec![n], TensorData::I64(v)).expect("length matches"))
    }

    /// An op whose result type follows from its operands.
    pub(crate) fn op(&mut self, kind: OpKind, operands: &[Val], attrs: Attrs) -> R<Val> {
        self.emit(kind, operands, attrs, None)
    }

    /// An op with no attributes.
    pub(crate) fn plain(&mut self, kind: OpKind, operands: &[Val]) -> R<Val> {
        self.emit(kind, operands, Attrs::new(kind), None)
    }

    /// `reshape` to `dims` (nothing if the shape already is `dims`).
    pub(crate) fn reshape(&mut self, x: &Val, dims: &[usize]) -> R<Val> {
        let ty = self.ty(x);
        if ty.dims() == dims {
            return Ok(x.clone());
        }
        let to = TensorType::new(ty.dtype, dims.to_vec());
        self.emit(OpKind::Reshape, std::slice::from_ref(x), Attrs::new(OpKind::Reshape), Some(to))
    }

    /// `transpose` by `perm` (nothing for the identity).
    pub(crate) fn transpose(&mut self, x: &Val, perm: &[usize]) -> R<Val> {
        if perm.iter().enumerate().all(|(i, &p)| i == p) {
            return Ok(x.clone());
        }
        let attrs = Attrs::new(OpKind::Transpose).with("perm", ints(perm.iter().copied()));
        self.op(OpKind::Transpose, std::slice::from_ref(x), attrs)
    }

    /// `convert` to `dtype` (nothing if it already is).
    pub(crate) fn convert(&mut self, x: &Val, dtype: DType) -> R<Val> {
        let ty = self.ty(x);
        if ty.dtype == dtype {
            return Ok(x.clone());
        }
        self.emit(OpKind::Convert, std::slice::from_ref(x), Attrs::new(OpKind::Convert), Some(ty.with_dtype(dtype)))
    }

    /// `broadcast_in_dim` of `x` to `dims`, operand dim `i` going to `map[i]`.
    pub(crate) fn broadcast_in_dim(&mut self, x: &Val, dims: &[usize], map: &[usize]) -> R<Val> {
        let ty = self.ty(x);
        if ty.dims() == dims {
            return Ok(x.clone());
        }
        let attrs = Attrs::new(OpKind::BroadcastInDim).with("dims", ints(map.iter().copied()));
        let to = TensorType::new(ty.dtype, dims.to_vec());
        self.emit(OpKind::BroadcastInDim, std::slice::from_ref(x), attrs, Some(to))
    }

    /// numpy-style broadcast of `x` to `dims` (trailing dims aligned).
    pub(crate) fn broadcast_to(&mut self, x: &Val, dims: &[usize]) -> R<Val> {
        let r = self.rank(x);
        if r > dims.len() {
            return Err(format!("cannot broadcast rank {r} to {dims:?}"));
        }
        let off = dims.len() - r;
        self.broadcast_in_dim(x, dims, &(off..dims.len()).collect::<Vec<_>>())
    }

    /// Broadcasts all of `vals` to their common numpy shape.
    pub(crate) fn broadcast_all(&mut self, vals: &[Val]) -> R<Vec<Val>> {
        let mut shape: Vec<usize> = Vec::new();
        for v in vals {
            shape = broadcast_shape(&shape, &self.dims(v))?;
        }
        vals.iter().map(|v| self.broadcast_to(v, &shape)).collect()
    }

    /// An elementwise binary op with numpy broadcasting.
    pub(crate) fn binary(&mut self, kind: OpKind, a: &Val, b: &Val) -> R<Val> {
        let v = self.broadcast_all(&[a.clone(), b.clone()])?;
        self.plain(kind, &v)
    }

    /// `compare` with direction `dir`, with numpy broadcasting.
    pub(crate) fn compare(&mut self, dir: &'static str, a: &Val, b: &Val) -> R<Val> {
        let v = self.broadcast_all(&[a.clone(), b.clone()])?;
        let attrs = Attrs::new(OpKind::Compare).with("dir", AttrValue::Enum(dir));
        self.op(OpKind::Compare, &v, attrs)
    }

    /// `select` with numpy broadcasting of all three operands.
    pub(crate) fn select(&mut self, p: &Val, a: &Val, b: &Val) -> R<Val> {
        let v = self.broadcast_all(&[p.clone(), a.clone(), b.clone()])?;
        self.plain(OpKind::Select, &v)
    }

    /// `x <kind> scalar` for a scalar of `x`'s dtype.
    pub(crate) fn with_scalar(&mut self, kind: OpKind, x: &Val, s: f64) -> R<Val> {
        let c = self.scalar(self.dtype(x), s);
        self.binary(kind, x, &c)
    }

    /// `scalar <kind> x` for a scalar of `x`'s dtype.
    pub(crate) fn scalar_with(&mut self, kind: OpKind, s: f64, x: &Val) -> R<Val> {
        let c = self.scalar(self.dtype(x), s);
        self.binary(kind, &c, x)
    }

    /// `reduce` of `kind` over `axes`; with `keep`, reduced dims stay as extent 1.
    pub(crate) fn reduce(&mut self, kind: &'static str, x: &Val, axes: &[usize], keep: bool) -> R<Val> {
        let dims = self.dims(x);
        let mut axes = axes.to_vec();
        axes.sort_unstable();
        axes.dedup();
        let r = if axes.is_empty() {
            x.clone()
        } else {
            let attrs =
                Attrs::new(OpKind::Reduce).with("kind", AttrValue::Enum(kind)).with("dims", ints(axes.iter().copied()));
            self.op(OpKind::Reduce, std::slice::from_ref(x), attrs)?
        };
        if keep {
            let kept: Vec<usize> =
                dims.iter().enumerate().map(|(i, &d)| if axes.contains(&i) { 1 } else { d }).collect();
            self.reshape(&r, &kept)
        } else {
            Ok(r)
        }
    }

    /// `slice` with per-dim `start`, `limit` and `strides`.
    pub(crate) fn slice(&mut self, x: &Val, start: &[usize], limit: &[usize], strides: &[usize]) -> R<Val> {
        let dims = self.dims(x);
        if start.iter().all(|&s| s == 0) && limit == dims.as_slice() && strides.iter().all(|&s| s == 1) {
            return Ok(x.clone());
        }
        let attrs = Attrs::new(OpKind::Slice)
            .with("start", ints(start.iter().copied()))
            .with("limit", ints(limit.iter().copied()))
            .with("strides", ints(strides.iter().copied()));
        self.op(OpKind::Slice, std::slice::from_ref(x), attrs)
    }

    /// The slice `[start, limit)` of `x` along `axis`.
    pub(crate) fn slice_axis(&mut self, x: &Val, axis: usize, start: usize, limit: usize) -> R<Val> {
        let dims = self.dims(x);
        let mut s = vec![0; dims.len()];
        let mut l = dims.clone();
        s[axis] = start;
        l[axis] = limit;
        self.slice(x, &s, &l, &vec![1; dims.len()])
    }

    /// `concatenate` along `axis` (the operand itself if there is one).
    pub(crate) fn concat(&mut self, xs: &[Val], axis: usize) -> R<Val> {
        if xs.len() == 1 {
            return Ok(xs[0].clone());
        }
        let attrs = Attrs::new(OpKind::Concatenate).with("dim", AttrValue::Int(axis as i64));
        self.op(OpKind::Concatenate, xs, attrs)
    }

    /// `dot_general` with the given batch and contracting dims.
    pub(crate) fn dot(
        &mut self,
        a: &Val,
        b: &Val,
        batch: (&[usize], &[usize]),
        contract: (&[usize], &[usize]),
    ) -> R<Val> {
        let attrs = Attrs::new(OpKind::DotGeneral)
            .with("lhs_batch", ints(batch.0.iter().copied()))
            .with("rhs_batch", ints(batch.1.iter().copied()))
            .with("lhs_contract", ints(contract.0.iter().copied()))
            .with("rhs_contract", ints(contract.1.iter().copied()));
        self.op(OpKind::DotGeneral, &[a.clone(), b.clone()], attrs)
    }

    /// `pad` with a scalar `value` of `x`'s dtype.
    pub(crate) fn pad(&mut self, x: &Val, low: &[i64], high: &[i64], value: &Val) -> R<Val> {
        if low.iter().chain(high).all(|&p| p == 0) {
            return Ok(x.clone());
        }
        let attrs = Attrs::new(OpKind::Pad)
            .with("low", AttrValue::Ints(low.to_vec()))
            .with("high", AttrValue::Ints(high.to_vec()));
        self.op(OpKind::Pad, &[x.clone(), value.clone()], attrs)
    }

    /// An `iota` along `dim` of the given type.
    pub(crate) fn iota(&mut self, ty: TensorType, dim: usize) -> R<Val> {
        let attrs = Attrs::new(OpKind::Iota).with("dim", AttrValue::Int(dim as i64));
        self.emit(OpKind::Iota, &[], attrs, Some(ty))
    }

    /// `reverse` along `dims`.
    pub(crate) fn reverse(&mut self, x: &Val, dims: &[usize]) -> R<Val> {
        if dims.is_empty() {
            return Ok(x.clone());
        }
        let attrs = Attrs::new(OpKind::Reverse).with("dims", ints(dims.iter().copied()));
        self.op(OpKind::Reverse, std::slice::from_ref(x), attrs)
    }
}
