//! Checks a [`Program`] once, at load: every buffer a step touches exists, every library
//! call stays inside its buffers, every write goes to a temp or an output. After this,
//! running the program cannot touch memory out of bounds (generated kernels aside,
//! which are trusted to respect their buffers).

use crate::error::ProgramError;
use crate::kernels::MAX_RANK;
use crate::program::{
    BufferId, BufferKind, ConvCall, ElemType, GatherCall, GemmCall, LibraryCall, PoolCall, Program, Step,
};

type Res = Result<(), String>;

/// Checks `p`; see the module docs.
pub(crate) fn validate(p: &Program) -> Result<(), ProgramError> {
    for id in 0..p.buffers.len() {
        check_buffer(p, id).map_err(|reason| ProgramError::BadBuffer { id, reason })?;
    }
    for (step, s) in p.steps.iter().enumerate() {
        let ids: Vec<BufferId> = match s {
            Step::Kernel { args, .. } => args.clone(),
            Step::Library(call) => library_buffers(call).to_vec(),
            Step::Fused { call, epilogue } => library_buffers(call).iter().chain(&epilogue.args).copied().collect(),
        };
        for id in ids {
            if id >= p.buffers.len() {
                let what = format!("step {step}");
                return Err(ProgramError::NoSuchBuffer { what, id, count: p.buffers.len() });
            }
        }
        match s {
            Step::Library(call) => check_library(p, call),
            Step::Fused { call, epilogue } => check_library(p, call).and_then(|()| check_epilogue(call, epilogue)),
            Step::Kernel { .. } => Ok(()),
        }
        .map_err(|reason| ProgramError::BadStep { step, reason })?;
    }
    for (index, &(out, id)) in p.output_copies.iter().enumerate() {
        let bad = |reason: String| ProgramError::BadOutputCopy { index, reason };
        let spec = p.outputs.get(out).ok_or_else(|| bad(format!("no output {out}")))?;
        let b = p.buffers.get(id).ok_or_else(|| bad(format!("no buffer {id}")))?;
        if b.size_bytes != spec.size_bytes() {
            return Err(bad(format!("buffer {id} has {} bytes, output {out} {}", b.size_bytes, spec.size_bytes())));
        }
    }
    Ok(())
}

fn check_buffer(p: &Program, id: BufferId) -> Res {
    let b = &p.buffers[id];
    let expect = |what: &str, i: usize, specs: &[crate::program::TensorSpec]| match specs.get(i) {
        None => Err(format!("{what} {i} does not exist")),
        Some(s) if s.size_bytes() != b.size_bytes => {
            Err(format!("{} bytes, but {what} {i} `{}` has {}", b.size_bytes, s.name, s.size_bytes()))
        }
        Some(_) => Ok(()),
    };
    match &b.kind {
        BufferKind::Input(i) => expect("input", *i, &p.inputs),
        BufferKind::Output(i) => expect("output", *i, &p.outputs),
        BufferKind::Temp { offset } if offset % 8 != 0 => Err(format!("temp offset {offset} is not 8-byte aligned")),
        BufferKind::Temp { offset } if offset.checked_add(b.size_bytes).is_none_or(|end| end > p.arena_bytes) => {
            Err(format!("temp {offset}+{} exceeds the arena ({} bytes)", b.size_bytes, p.arena_bytes))
        }
        BufferKind::Const(data) if data.len() != b.size_bytes => {
            Err(format!("constant has {} bytes, declared {}", data.len(), b.size_bytes))
        }
        _ => Ok(()),
    }
}

fn check_epilogue(call: &LibraryCall, e: &crate::program::Epilogue) -> Res {
    let (rows, row_len) = call.output_rows().ok_or("only a GEMM or convolution takes an epilogue")?;
    match e.row_align(rows, row_len) {
        Some(_) => Ok(()),
        None => Err(format!(
            "epilogue `{}` has {} outer iterations, which do not split {rows} rows of {row_len}",
            e.name, e.outer
        )),
    }
}

fn library_buffers(call: &LibraryCall) -> [BufferId; 3] {
    match call {
        LibraryCall::Gemm(c) => [c.lhs, c.rhs, c.out],
        LibraryCall::Conv(c) => [c.input, c.kernel, c.out],
        LibraryCall::Pool(c) => [c.input, c.input, c.out],
        LibraryCall::Gather(c) => [c.x, c.indices, c.out],
    }
}

fn check_library(p: &Program, call: &LibraryCall) -> Res {
    let [a, b, out] = library_buffers(call);
    check_output(p, out, &[a, b])?;
    match call {
        LibraryCall::Gemm(c) => check_gemm(p, c),
        LibraryCall::Conv(c) => check_conv(p, c),
        LibraryCall::Pool(c) => check_pool(p, c),
        LibraryCall::Gather(c) => check_gather(p, c),
    }
}

/// The written buffer is a temp or an output and overlaps no operand.
fn check_output(p: &Program, out: BufferId, operands: &[BufferId]) -> Res {
    let range = |id: BufferId| match p.buffers[id].kind {
        BufferKind::Temp { offset } => Some(offset..offset + p.buffers[id].size_bytes),
        _ => None,
    };
    match p.buffers[out].kind {
        BufferKind::Temp { .. } | BufferKind::Output(_) => {}
        ref k => return Err(format!("writes buffer {out}, which is read-only ({k:?})")),
    }
    for &id in operands {
        let overlap = match (range(out), range(id)) {
            (Some(o), Some(i)) => o.start < i.end && i.start < o.end,
            _ => false,
        };
        if id == out || overlap {
            return Err(format!("output buffer {out} overlaps operand buffer {id}"));
        }
    }
    Ok(())
}

/// Buffer `id` holds at least `elems` elements of `size` bytes.
fn fits(p: &Program, id: BufferId, elems: usize, size: usize, what: &str) -> Res {
    let need = elems.checked_mul(size).ok_or_else(|| format!("{what}: size overflows"))?;
    let have = p.buffers[id].size_bytes;
    if need > have {
        return Err(format!("{what}: needs {need} bytes, buffer {id} has {have}"));
    }
    Ok(())
}

/// Every element a strided `[d0, d1, d2]` access reaches lies in buffer `id`.
fn fits_strided(p: &Program, id: BufferId, dims: [usize; 3], strides: [isize; 3], size: usize, what: &str) -> Res {
    if dims.contains(&0) {
        return Ok(());
    }
    let (mut lo, mut hi) = (0i128, 0i128);
    for (d, s) in dims.iter().zip(strides) {
        let reach = (*d as i128 - 1) * s as i128;
        if reach < 0 {
            lo += reach
        } else {
            hi += reach
        }
    }
    if lo < 0 {
        return Err(format!("{what}: negative strides {strides:?} reach before the buffer start"));
    }
    if (hi + 1) * size as i128 > p.buffers[id].size_bytes as i128 {
        return Err(format!("{what}: strides {strides:?} over {dims:?} reach past buffer {id}"));
    }
    Ok(())
}

fn check_gemm(p: &Program, c: &GemmCall) -> Res {
    if c.elem == ElemType::Bool {
        return Err("gemm of bool".into());
    }
    let es = c.elem.size();
    fits_strided(p, c.lhs, [c.batch, c.m, c.k], c.lhs_strides, es, "gemm lhs")?;
    fits_strided(p, c.rhs, [c.batch, c.k, c.n], c.rhs_strides, es, "gemm rhs")?;
    let elems = c.batch.checked_mul(c.m).and_then(|x| x.checked_mul(c.n)).ok_or("gemm out overflows")?;
    fits(p, c.out, elems, es, "gemm out")
}

fn check_conv(p: &Program, c: &ConvCall) -> Res {
    if !matches!(c.elem, ElemType::F32 | ElemType::F64) {
        return Err(format!("conv of {:?}", c.elem));
    }
    let r = c.in_spatial.len();
    let lens = [c.k_spatial.len(), c.out_spatial.len(), c.strides.len(), c.padding.len()];
    if lens.iter().chain([c.lhs_dilation.len(), c.rhs_dilation.len()].iter()).any(|&l| l != r) || r > MAX_RANK {
        return Err(format!("conv: spatial vectors must all have rank {r} (≤ {MAX_RANK})"));
    }
    if c.groups == 0 || !c.c.is_multiple_of(c.groups) || !c.o.is_multiple_of(c.groups) {
        return Err(format!("conv: {} groups do not divide {} input / {} output channels", c.groups, c.c, c.o));
    }
    if [&c.strides, &c.lhs_dilation, &c.rhs_dilation].iter().any(|v| v.contains(&0)) {
        return Err("conv: zero stride or dilation".into());
    }
    for d in 0..r {
        let (i, k) = (c.in_spatial[d] as i64, c.k_spatial[d] as i64);
        let span = (i - 1) * c.lhs_dilation[d] as i64 + 1 + c.padding[d].0 + c.padding[d].1
            - ((k - 1) * c.rhs_dilation[d] as i64 + 1);
        let want = if span < 0 { 0 } else { span / c.strides[d] as i64 + 1 };
        if i > 0 && k > 0 && want != c.out_spatial[d] as i64 {
            return Err(format!("conv: spatial dim {d} should have {want} outputs, not {}", c.out_spatial[d]));
        }
    }
    let es = c.elem.size();
    let prod = |v: &[usize]| v.iter().try_fold(1usize, |a, &x| a.checked_mul(x)).ok_or("conv: size overflows");
    let (pi, pk, po) = (prod(&c.in_spatial)?, prod(&c.k_spatial)?, prod(&c.out_spatial)?);
    let mul =
        |a: usize, b: usize, x: usize| a.checked_mul(b).and_then(|v| v.checked_mul(x)).ok_or("conv: size overflows");
    fits(p, c.input, mul(c.n, c.c, pi)?, es, "conv input")?;
    fits(p, c.kernel, mul(c.o, c.c / c.groups, pk)?, es, "conv kernel")?;
    fits(p, c.out, mul(c.n, c.o, po)?, es, "conv out")
}

fn check_pool(p: &Program, c: &PoolCall) -> Res {
    let r = c.in_dims.len();
    let lens = [c.out_dims.len(), c.window.len(), c.strides.len(), c.padding.len(), c.dilation.len()];
    if lens.iter().any(|&l| l != r) || r > MAX_RANK {
        return Err(format!("pool: vectors must all have rank {r} (≤ {MAX_RANK})"));
    }
    if c.strides.contains(&0) || c.dilation.contains(&0) {
        return Err("pool: zero stride or dilation".into());
    }
    let es = c.elem.size();
    fits(p, c.input, c.in_dims.iter().product(), es, "pool input")?;
    fits(p, c.out, c.out_dims.iter().product(), es, "pool out")
}

fn check_gather(p: &Program, c: &GatherCall) -> Res {
    if !matches!(c.index_elem, ElemType::I32 | ElemType::I64) {
        return Err(format!("gather: index type {:?}", c.index_elem));
    }
    let mul =
        |a: usize, b: usize, x: usize| a.checked_mul(b).and_then(|v| v.checked_mul(x)).ok_or("gather: size overflows");
    fits(p, c.x, mul(c.outer, c.axis_len, c.inner)?, c.elem_size, "gather x")?;
    fits(p, c.indices, c.num_indices, c.index_elem.size(), "gather indices")?;
    fits(p, c.out, mul(c.outer, c.num_indices, c.inner)?, c.elem_size, "gather out")
}
