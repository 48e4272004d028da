//! Index-map ops, `reduce` and `iota`: kernels over the result's index space whose loads
//! do the index arithmetic (domain variable `i` is result dim `i`).

use super::graph::GOp;
use super::{KernelBuilder, Lowerer};
use crate::kernel::{Affine, DimIndex, Expr, ExprId, ReduceKind, Scalar, VarId};
use crate::CodegenError;
use xlac_ir::OpKind;

type R = Result<(KernelBuilder, ExprId), CodegenError>;

/// The kernel of index-map op (or `reduce`, `iota`) `op` and its root expression.
pub(super) fn lower(lw: &mut Lowerer, op: &GOp) -> R {
    let out = lw.g.types[op.result].clone();
    let dims = out.dims().to_vec();
    let name = format!("{}_{}", op.kind.name(), lw.g.names[op.result]);
    let mut kb = KernelBuilder::new(name, dims.clone());
    let x = op.operands.first().copied();
    let x_dims = x.map(|x| lw.g.types[x].dims().to_vec()).unwrap_or_default();
    let var = |i: usize| DimIndex::affine(Affine::var(i as VarId, 1, 0));
    let root = match op.kind {
        OpKind::Iota => {
            let d = op.attrs.int_or("dim", 0) as VarId;
            kb.k.push(Expr::Index(d), out.dtype)
        }
        OpKind::Reshape => {
            // Same row-major data: a copy over the flat index space.
            kb = KernelBuilder::new(kb.k.name.clone(), vec![out.shape.num_elements()]);
            let n = out.shape.num_elements();
            lw.load(&mut kb, x.unwrap(), vec![n], vec![var(0)], None)
        }
        OpKind::BroadcastInDim => {
            let bd = op.attrs.ints("dims");
            let index = (0..x_dims.len())
                .map(|i| if x_dims[i] == 1 { DimIndex::affine(Affine::constant(0)) } else { var(bd[i] as usize) })
                .collect();
            lw.load(&mut kb, x.unwrap(), x_dims, index, None)
        }
        OpKind::Transpose => {
            let perm = op.attrs.ints("perm");
            let mut index = vec![var(0); x_dims.len()];
            for (i, &p) in perm.iter().enumerate() {
                index[p as usize] = var(i);
            }
            lw.load(&mut kb, x.unwrap(), x_dims, index, None)
        }
        OpKind::Slice => {
            let start = op.attrs.ints("start");
            let strides = op.attrs.ints_opt("strides");
            let index = (0..x_dims.len())
                .map(|i| {
                    let s = strides.map_or(1, |s| s[i]);
                    DimIndex::affine(Affine::var(i as VarId, s, start[i]))
                })
                .collect();
            lw.load(&mut kb, x.unwrap(), x_dims, index, None)
        }
        OpKind::Reverse => {
            let rev = op.attrs.ints("dims");
            let index = (0..x_dims.len())
                .map(|i| {
                    if rev.contains(&(i as i64)) {
                        DimIndex::affine(Affine::var(i as VarId, -1, x_dims[i] as i64 - 1))
                    } else {
                        var(i)
                    }
                })
                .collect();
            lw.load(&mut kb, x.unwrap(), x_dims, index, None)
        }
        OpKind::Pad => pad(lw, &mut kb, op, &x_dims),
        OpKind::Concatenate => concatenate(lw, &mut kb, op, &dims),
        OpKind::Reduce => reduce(lw, &mut kb, op, &x_dims)?,
        kind => return Err(CodegenError::Unsupported(format!("op `{}` in kernel lowering", kind.name()))),
    };
    Ok((kb, root))
}

fn pad(lw: &mut Lowerer, kb: &mut KernelBuilder, op: &GOp, x_dims: &[usize]) -> ExprId {
    let (low, interior) = (op.attrs.ints("low"), op.attrs.ints_opt("interior"));
    let value = lw.load(kb, op.operands[1], vec![1], vec![DimIndex::affine(Affine::constant(0))], None);
    let index = (0..x_dims.len())
        .map(|i| DimIndex { affine: Affine::var(i as VarId, 1, -low[i]), div: interior.map_or(0, |v| v[i]) + 1 })
        .collect();
    lw.load(kb, op.operands[0], x_dims.to_vec(), index, Some(value))
}

fn concatenate(lw: &mut Lowerer, kb: &mut KernelBuilder, op: &GOp, dims: &[usize]) -> ExprId {
    let dim = op.attrs.int_or("dim", 0) as usize;
    // Pieces are chained from the last: each falls back to the pieces after it.
    let mut offsets = Vec::with_capacity(op.operands.len());
    let mut at = 0i64;
    for &v in &op.operands {
        offsets.push(at);
        at += lw.g.types[v].dims()[dim] as i64;
    }
    let dtype = lw.g.types[op.result].dtype;
    let mut acc = kb.k.constant(Scalar::zero(dtype));
    for (&v, &off) in op.operands.iter().zip(&offsets).rev() {
        let x_dims = lw.g.types[v].dims().to_vec();
        let index = (0..dims.len())
            .map(|i| DimIndex::affine(Affine::var(i as VarId, 1, if i == dim { -off } else { 0 })))
            .collect();
        acc = lw.load(kb, v, x_dims, index, Some(acc));
    }
    acc
}

fn reduce(lw: &mut Lowerer, kb: &mut KernelBuilder, op: &GOp, x_dims: &[usize]) -> Result<ExprId, CodegenError> {
    let kind = reduce_kind(op.attrs)?;
    let rdims = op.attrs.ints("dims");
    let first = kb.k.fresh_vars(rdims.len());
    let mut vars = Vec::new();
    let (mut kept, mut index) = (0, Vec::new());
    for (d, &n) in x_dims.iter().enumerate() {
        let v = if rdims.contains(&(d as i64)) {
            let v = first + vars.len() as VarId;
            vars.push((v, n));
            v
        } else {
            kept += 1;
            kept - 1
        };
        index.push(DimIndex::affine(Affine::var(v, 1, 0)));
    }
    let dtype = lw.g.types[op.result].dtype;
    let body = lw.load(kb, op.operands[0], x_dims.to_vec(), index, None);
    if vars.is_empty() {
        return Ok(body);
    }
    Ok(kb.k.push(Expr::Reduce { kind, vars, body }, dtype))
}

/// The fold of a `reduce` op's `kind` attribute.
pub(super) fn reduce_kind(attrs: &xlac_ir::Attrs) -> Result<ReduceKind, CodegenError> {
    Ok(match attrs.enum_or("kind", "sum") {
        "sum" => ReduceKind::Sum,
        "prod" => ReduceKind::Prod,
        "max" => ReduceKind::Max,
        "min" => ReduceKind::Min,
        other => return Err(CodegenError::Invalid(format!("reduce kind={other}"))),
    })
}
