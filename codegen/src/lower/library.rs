//! Ops run by the runtime's library kernels: `dot_general` (GEMM with element strides),
//! `convolution`, `reduce_window` (pooling) and `gather`.

use super::graph::{GOp, Vid};
use super::{elem_type, KernelBuilder, LoweredStep, Lowerer};
use crate::kernel::{Affine, DimIndex, ReduceKind, Scalar, VarId};
use crate::CodegenError;
use xlac_ir::ops::{ConvLayout, WindowParams};
use xlac_runtime::program::{BufferId, ConvCall, GatherCall, GemmCall, LibraryCall, PoolCall, PoolKind};

/// Merges `dims` (in this order) of a row-major array of extents `shape` into one
/// strided dimension: `(extent, stride)`, or `None` when they are not equally spaced.
fn merge(shape: &[usize], dims: &[usize]) -> Option<(usize, isize)> {
    let strides = xlac_ir::Shape(shape.to_vec()).strides();
    let live: Vec<usize> = dims.iter().copied().filter(|&d| shape[d] != 1).collect();
    let extent = dims.iter().map(|&d| shape[d]).product();
    for w in live.windows(2) {
        if strides[w[0]] != strides[w[1]] * shape[w[1]] {
            return None;
        }
    }
    Some((extent, live.last().map_or(0, |&d| strides[d] as isize)))
}

/// The operand's batch, row and contraction dims merged (or `None`).
fn merged3(shape: &[usize], a: &[usize], b: &[usize], c: &[usize]) -> Option<[(usize, isize); 3]> {
    Some([merge(shape, a)?, merge(shape, b)?, merge(shape, c)?])
}

fn as_usize(v: &[i64]) -> Vec<usize> {
    v.iter().map(|&d| d as usize).collect()
}

/// Copies `v` transposed by `perm` (result dim `i` is dim `perm[i]`) into a temporary.
fn transpose_temp(lw: &mut Lowerer, v: Vid, perm: &[usize]) -> BufferId {
    let ty = lw.g.types[v].clone();
    let dims: Vec<usize> = perm.iter().map(|&p| ty.dims()[p]).collect();
    let mut kb = KernelBuilder::new(format!("transpose_{}", lw.g.names[v]), dims);
    kb.k.origin = vec!["transpose"];
    let mut index = vec![DimIndex::affine(Affine::constant(0)); perm.len()];
    for (i, &p) in perm.iter().enumerate() {
        index[p] = DimIndex::affine(Affine::var(i as VarId, 1, 0));
    }
    let e = lw.load(&mut kb, v, ty.dims().to_vec(), index, None);
    let out = lw.temp_buffer(ty.size_bytes());
    lw.finish_kernel(kb, e, out);
    out
}

/// Fills the result of `op` with `c` (for contractions over nothing).
fn fill(lw: &mut Lowerer, op: &GOp, c: Scalar) -> BufferId {
    let out = lw.result_buffer(op.result);
    let n = lw.g.types[op.result].shape.num_elements();
    let mut kb = KernelBuilder::new(format!("fill_{}", lw.g.names[op.result]), vec![n]);
    kb.k.origin = vec!["fill"];
    let e = kb.k.constant(c);
    lw.finish_kernel(kb, e, out);
    out
}

pub(super) fn dot_general(lw: &mut Lowerer, op: &GOp) -> Result<(), CodegenError> {
    let (l, r) = (op.operands[0], op.operands[1]);
    let (lt, rt, ot) = (lw.g.types[l].clone(), lw.g.types[r].clone(), lw.g.types[op.result].clone());
    let (lb, rb) = (as_usize(op.attrs.ints("lhs_batch")), as_usize(op.attrs.ints("rhs_batch")));
    let (lc, rc) = (as_usize(op.attrs.ints("lhs_contract")), as_usize(op.attrs.ints("rhs_contract")));
    let free = |rank: usize, b: &[usize], c: &[usize]| (0..rank).filter(|d| !b.contains(d) && !c.contains(d)).collect();
    let (lf, rf): (Vec<usize>, Vec<usize>) = (free(lt.rank(), &lb, &lc), free(rt.rank(), &rb, &rc));
    let k: usize = lc.iter().map(|&d| lt.dims()[d]).product();
    if ot.shape.num_elements() == 0 {
        lw.result_buffer(op.result);
        return Ok(());
    }
    if k == 0 {
        fill(lw, op, Scalar::zero(ot.dtype));
        return Ok(());
    }
    let (lhs, [(batch, lbs), (m, lms), (_, lks)]) = match merged3(lt.dims(), &lb, &lf, &lc) {
        Some(s) => (lw.buffer_of(l), s),
        None => {
            let perm: Vec<usize> = lb.iter().chain(&lf).chain(&lc).copied().collect();
            let dims: Vec<usize> = perm.iter().map(|&p| lt.dims()[p]).collect();
            let n = dims.len();
            let (nb, nf) = (lb.len(), lf.len());
            let s = merged3(
                &dims,
                &(0..nb).collect::<Vec<_>>(),
                &(nb..nb + nf).collect::<Vec<_>>(),
                &(nb + nf..n).collect::<Vec<_>>(),
            );
            (transpose_temp(lw, l, &perm), s.expect("canonical order merges"))
        }
    };
    let (rhs, [(_, rbs), (_, rks), (n, rns)]) = match merged3(rt.dims(), &rb, &rc, &rf) {
        Some(s) => (lw.buffer_of(r), s),
        None => {
            let perm: Vec<usize> = rb.iter().chain(&rc).chain(&rf).copied().collect();
            let dims: Vec<usize> = perm.iter().map(|&p| rt.dims()[p]).collect();
            let nd = dims.len();
            let (nb, nc) = (rb.len(), rc.len());
            let s = merged3(
                &dims,
                &(0..nb).collect::<Vec<_>>(),
                &(nb..nb + nc).collect::<Vec<_>>(),
                &(nb + nc..nd).collect::<Vec<_>>(),
            );
            (transpose_temp(lw, r, &perm), s.expect("canonical order merges"))
        }
    };
    let out = lw.result_buffer(op.result);
    lw.steps.push(LoweredStep::Library(LibraryCall::Gemm(GemmCall {
        elem: elem_type(ot.dtype),
        lhs,
        rhs,
        out,
        batch,
        m,
        n,
        k,
        lhs_strides: [lbs, lms, lks],
        rhs_strides: [rbs, rks, rns],
    })));
    Ok(())
}

pub(super) fn convolution(lw: &mut Lowerer, op: &GOp) -> Result<(), CodegenError> {
    let (x, w) = (op.operands[0], op.operands[1]);
    let (xt, wt, ot) = (lw.g.types[x].clone(), lw.g.types[w].clone(), lw.g.types[op.result].clone());
    let rank = xt.rank();
    let l = ConvLayout::of(op.attrs, rank);
    let nhwc = l.kernel_out != 0;
    let sp = l.spatial.len();
    let p = WindowParams::read(op.attrs, sp, Some("lhs_dilation"), "rhs_dilation").map_err(CodegenError::Invalid)?;
    if ot.shape.num_elements() == 0 {
        lw.result_buffer(op.result);
        return Ok(());
    }
    if xt.shape.num_elements() == 0 || wt.shape.num_elements() == 0 {
        fill(lw, op, Scalar::zero(ot.dtype));
        return Ok(());
    }
    let ks = l.kernel_spatial();
    let call = ConvCall {
        elem: elem_type(ot.dtype),
        input: lw.buffer_of(x),
        kernel: lw.buffer_of(w),
        out: lw.result_buffer(op.result),
        nhwc,
        n: xt.dims()[l.batch],
        c: xt.dims()[l.feature],
        o: wt.dims()[l.kernel_out],
        in_spatial: l.spatial.iter().map(|&d| xt.dims()[d]).collect(),
        k_spatial: ks.iter().map(|&d| wt.dims()[d]).collect(),
        out_spatial: l.spatial.iter().map(|&d| ot.dims()[d]).collect(),
        strides: p.strides,
        padding: p.padding,
        lhs_dilation: p.base_dilation,
        rhs_dilation: p.window_dilation,
        groups: op.attrs.int_or("feature_groups", 1) as usize,
    };
    lw.steps.push(LoweredStep::Library(LibraryCall::Conv(call)));
    Ok(())
}

pub(super) fn reduce_window(lw: &mut Lowerer, op: &GOp) -> Result<(), CodegenError> {
    let x = op.operands[0];
    let (xt, ot) = (lw.g.types[x].clone(), lw.g.types[op.result].clone());
    let (kind, rk) = match op.attrs.enum_or("kind", "sum") {
        "sum" => (PoolKind::Sum, ReduceKind::Sum),
        "max" => (PoolKind::Max, ReduceKind::Max),
        _ => (PoolKind::Min, ReduceKind::Min),
    };
    let p = WindowParams::read(op.attrs, xt.rank(), None, "dilation").map_err(CodegenError::Invalid)?;
    if ot.shape.num_elements() == 0 {
        lw.result_buffer(op.result);
        return Ok(());
    }
    if xt.shape.num_elements() == 0 {
        fill(lw, op, rk.identity(ot.dtype));
        return Ok(());
    }
    let call = PoolCall {
        elem: elem_type(ot.dtype),
        kind,
        input: lw.buffer_of(x),
        out: lw.result_buffer(op.result),
        in_dims: xt.dims().to_vec(),
        out_dims: ot.dims().to_vec(),
        window: as_usize(op.attrs.ints("window")),
        strides: p.strides,
        padding: p.padding,
        dilation: p.window_dilation,
    };
    lw.steps.push(LoweredStep::Library(LibraryCall::Pool(call)));
    Ok(())
}

pub(super) fn gather(lw: &mut Lowerer, op: &GOp) -> Result<(), CodegenError> {
    let (x, idx) = (op.operands[0], op.operands[1]);
    let (xt, it, ot) = (lw.g.types[x].clone(), lw.g.types[idx].clone(), lw.g.types[op.result].clone());
    let axis = op.attrs.int_or("axis", 0) as usize;
    if ot.shape.num_elements() == 0 {
        lw.result_buffer(op.result);
        return Ok(());
    }
    let call = GatherCall {
        elem_size: xt.dtype.size_bytes(),
        index_elem: elem_type(it.dtype),
        x: lw.buffer_of(x),
        indices: lw.buffer_of(idx),
        out: lw.result_buffer(op.result),
        outer: xt.dims()[..axis].iter().product(),
        axis_len: xt.dims()[axis],
        inner: xt.dims()[axis + 1..].iter().product(),
        num_indices: it.shape.num_elements(),
    };
    lw.steps.push(LoweredStep::Library(LibraryCall::Gather(call)));
    Ok(())
}
