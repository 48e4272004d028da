//! A tiny executor for compiled programs (kernels called directly; library calls by
//! naive reference loops) and the differential check against the interpreter.
#![allow(dead_code)]

use xlac_codegen::{compile_module, CodegenOptions};
use xlac_ir::{AttrValue, Attrs, DType, FunctionBuilder, Module, OpKind, Tensor, TensorData, TensorType, Value};
use xlac_runtime::program::{BufferKind, ElemType, LibraryCall, PoolKind, Program, Step};

/// Storage for one buffer, 8-byte aligned, with `pad` bytes of slack.
fn storage(bytes: usize) -> Vec<u64> {
    vec![0xCDCD_CDCD_CDCD_CDCDu64; bytes.div_ceil(8) + 8]
}

fn read(p: *const u8, elem: ElemType, i: usize) -> f64 {
    // SAFETY: callers pass in-bounds element indices of live buffers.
    unsafe {
        match elem {
            ElemType::F32 => (p as *const f32).add(i).read_unaligned() as f64,
            ElemType::F64 => (p as *const f64).add(i).read_unaligned(),
            ElemType::I32 => (p as *const i32).add(i).read_unaligned() as f64,
            ElemType::I64 => (p as *const i64).add(i).read_unaligned() as f64,
            ElemType::Bool => *p.add(i) as f64,
        }
    }
}

fn read_i(p: *const u8, elem: ElemType, i: usize) -> i64 {
    // SAFETY: as in `read`.
    unsafe {
        match elem {
            ElemType::I32 => (p as *const i32).add(i).read_unaligned() as i64,
            ElemType::I64 => (p as *const i64).add(i).read_unaligned(),
            _ => read(p, elem, i) as i64,
        }
    }
}

fn write(p: *mut u8, elem: ElemType, i: usize, x: f64, xi: i64) {
    // SAFETY: as in `read`.
    unsafe {
        match elem {
            ElemType::F32 => (p as *mut f32).add(i).write_unaligned(x as f32),
            ElemType::F64 => (p as *mut f64).add(i).write_unaligned(x),
            ElemType::I32 => (p as *mut i32).add(i).write_unaligned(xi as i32),
            ElemType::I64 => (p as *mut i64).add(i).write_unaligned(xi),
            ElemType::Bool => *p.add(i) = (xi != 0) as u8,
        }
    }
}

fn strides(d: &[usize]) -> Vec<usize> {
    xlac_ir::Shape(d.to_vec()).strides()
}

use xlac_ir::for_each_index as for_each;

fn library(call: &LibraryCall, ptr: &dyn Fn(usize) -> *mut u8) {
    match call {
        LibraryCall::Gemm(g) => {
            let (l, r, o) = (ptr(g.lhs), ptr(g.rhs), ptr(g.out));
            let float = matches!(g.elem, ElemType::F32 | ElemType::F64);
            for b in 0..g.batch {
                for m in 0..g.m {
                    for n in 0..g.n {
                        let (mut acc, mut acci) = (0f64, 0i64);
                        for k in 0..g.k {
                            let li = b as isize * g.lhs_strides[0]
                                + m as isize * g.lhs_strides[1]
                                + k as isize * g.lhs_strides[2];
                            let ri = b as isize * g.rhs_strides[0]
                                + k as isize * g.rhs_strides[1]
                                + n as isize * g.rhs_strides[2];
                            if float {
                                acc += read(l, g.elem, li as usize) * read(r, g.elem, ri as usize);
                            } else {
                                acci = acci.wrapping_add(read_i(l, g.elem, li as usize).wrapping_mul(read_i(
                                    r,
                                    g.elem,
                                    ri as usize,
                                )));
                            }
                        }
                        write(o, g.elem, (b * g.m + m) * g.n + n, acc, acci);
                    }
                }
            }
        }
        LibraryCall::Gather(g) => {
            let (x, idx, o) = (ptr(g.x), ptr(g.indices), ptr(g.out));
            for a in 0..g.outer {
                for i in 0..g.num_indices {
                    let j = read_i(idx, g.index_elem, i).clamp(0, g.axis_len as i64 - 1) as usize;
                    let src = (a * g.axis_len + j) * g.inner * g.elem_size;
                    let dst = (a * g.num_indices + i) * g.inner * g.elem_size;
                    // SAFETY: in-bounds copies of `inner` elements.
                    unsafe { std::ptr::copy_nonoverlapping(x.add(src), o.add(dst), g.inner * g.elem_size) };
                }
            }
        }
        LibraryCall::Pool(p) => {
            let (x, o) = (ptr(p.input), ptr(p.out));
            let xs = strides(&p.in_dims);
            let mut k = 0;
            for_each(&p.out_dims, |r| {
                let (mut acc, mut acci) = match p.kind {
                    PoolKind::Sum => (0.0, 0i64),
                    PoolKind::Max => {
                        (f64::NEG_INFINITY, if p.elem == ElemType::I32 { i32::MIN as i64 } else { i64::MIN })
                    }
                    PoolKind::Min => (f64::INFINITY, if p.elem == ElemType::I32 { i32::MAX as i64 } else { i64::MAX }),
                };
                for_each(&p.window, |w| {
                    let mut off = 0;
                    for i in 0..r.len() {
                        let at = (r[i] * p.strides[i] + w[i] * p.dilation[i]) as i64 - p.padding[i].0;
                        if at < 0 || at >= p.in_dims[i] as i64 {
                            return;
                        }
                        off += at as usize * xs[i];
                    }
                    let (v, vi) = (read(x, p.elem, off), read_i(x, p.elem, off));
                    match p.kind {
                        PoolKind::Sum => (acc, acci) = (acc + v, acci.wrapping_add(vi)),
                        PoolKind::Max => (acc, acci) = (if v.is_nan() || v > acc { v } else { acc }, acci.max(vi)),
                        PoolKind::Min => (acc, acci) = (if v.is_nan() || v < acc { v } else { acc }, acci.min(vi)),
                    }
                });
                write(o, p.elem, k, acc, acci);
                k += 1;
            });
        }
        LibraryCall::Conv(c) => conv(c, ptr),
    }
}

fn conv(c: &xlac_runtime::program::ConvCall, ptr: &dyn Fn(usize) -> *mut u8) {
    let (x, w, o) = (ptr(c.input), ptr(c.kernel), ptr(c.out));
    let sp = c.in_spatial.len();
    let cg = c.c / c.groups;
    let og = c.o / c.groups;
    let (mut xd, mut wd, mut od) = (vec![c.n], vec![], vec![c.n]);
    if c.nhwc {
        xd.extend(&c.in_spatial);
        xd.push(c.c);
        wd.extend(&c.k_spatial);
        wd.extend([cg, c.o]);
        od.extend(&c.out_spatial);
        od.push(c.o);
    } else {
        xd.push(c.c);
        xd.extend(&c.in_spatial);
        wd.extend([c.o, cg]);
        wd.extend(&c.k_spatial);
        od.push(c.o);
        od.extend(&c.out_spatial);
    }
    let (xs, ws) = (strides(&xd), strides(&wd));
    let xsp = |i: usize| if c.nhwc { xs[1 + i] } else { xs[2 + i] };
    let wsp = |i: usize| if c.nhwc { ws[i] } else { ws[2 + i] };
    let (xc, wi, wo) = if c.nhwc { (xs[sp + 1], ws[sp], ws[sp + 1]) } else { (xs[1], ws[1], ws[0]) };
    let mut k = 0;
    for_each(&od, |r| {
        let (n, f) = if c.nhwc { (r[0], r[sp + 1]) } else { (r[0], r[1]) };
        let ys: Vec<usize> = if c.nhwc { r[1..=sp].to_vec() } else { r[2..].to_vec() };
        let mut acc = 0.0;
        for_each(&c.k_spatial, |t| {
            let mut xoff = n * xs[0];
            let mut woff = f * wo;
            for i in 0..sp {
                let dil = c.lhs_dilation[i] as i64;
                let ext = (c.in_spatial[i] as i64 - 1) * dil + 1;
                let at = (ys[i] * c.strides[i] + t[i] * c.rhs_dilation[i]) as i64 - c.padding[i].0;
                if at < 0 || at >= ext || at % dil != 0 {
                    return;
                }
                xoff += (at / dil) as usize * xsp(i);
                woff += t[i] * wsp(i);
            }
            let first = (f / og) * cg;
            for ci in 0..cg {
                acc += read(x, c.elem, xoff + (first + ci) * xc) * read(w, c.elem, woff + ci * wi);
            }
        });
        write(o, c.elem, k, acc, 0);
        k += 1;
    });
}

/// Runs `p` on `inputs`; every kernel is called in up to three chunks of its outer loop.
pub fn run(p: &Program, inputs: &[Tensor]) -> Vec<Tensor> {
    let mut arena = storage(p.arena_bytes + 64);
    let arena_base = arena.as_mut_ptr() as *mut u8;
    let mut owned: Vec<Vec<u64>> = Vec::new();
    let mut ptrs: Vec<*mut u8> = Vec::new();
    for b in &p.buffers {
        let ptr = match &b.kind {
            BufferKind::Temp { offset } => {
                assert!(offset + b.size_bytes <= p.arena_bytes || b.size_bytes == 0, "temp outside the arena");
                // SAFETY: within the arena allocation.
                unsafe { arena_base.add(*offset) }
            }
            kind => {
                let mut s = storage(b.size_bytes);
                let bytes = match kind {
                    BufferKind::Input(i) => inputs[*i].data.to_le_bytes(),
                    BufferKind::Const(c) => c.to_vec(),
                    _ => Vec::new(),
                };
                assert!(bytes.is_empty() || bytes.len() == b.size_bytes, "buffer size mismatch");
                let ptr = s.as_mut_ptr() as *mut u8;
                // SAFETY: the storage holds at least `bytes.len()` bytes.
                unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr, bytes.len()) };
                owned.push(s);
                ptr
            }
        };
        ptrs.push(ptr);
    }
    for step in &p.steps {
        match step {
            Step::Kernel { func, args, outer, .. } => {
                let a: Vec<*mut u8> = args.iter().map(|&b| ptrs[b]).collect();
                let cuts = [0, outer / 3, outer / 3 + (outer - outer / 3) / 2, *outer];
                for w in cuts.windows(2) {
                    // SAFETY: the arguments are the program's buffers for this step.
                    unsafe { func(a.as_ptr(), w[0], w[1]) };
                }
            }
            Step::Library(call) => library(call, &|b| ptrs[b]),
            Step::Fused { call, epilogue } => {
                library(call, &|b| ptrs[b]);
                let a: Vec<*mut u8> = epilogue.args.iter().map(|&b| ptrs[b]).collect();
                // SAFETY: the arguments are the program's buffers for this step.
                unsafe { (epilogue.func)(a.as_ptr(), 0, epilogue.outer) };
            }
        }
    }
    let mut outs: Vec<Option<*mut u8>> = vec![None; p.outputs.len()];
    for (i, b) in p.buffers.iter().enumerate() {
        if let BufferKind::Output(o) = b.kind {
            outs[o] = Some(ptrs[i]);
        }
    }
    for &(o, b) in &p.output_copies {
        outs[o] = Some(ptrs[b]);
    }
    p.outputs
        .iter()
        .zip(outs)
        .map(|(spec, ptr)| {
            let n = spec.size_bytes();
            let ptr = ptr.expect("every output is written or copied");
            // SAFETY: the buffer holds the output's bytes.
            let bytes = unsafe { std::slice::from_raw_parts(ptr, n) };
            let dtype = match spec.elem {
                ElemType::F32 => DType::F32,
                ElemType::F64 => DType::F64,
                ElemType::I32 => DType::I32,
                ElemType::I64 => DType::I64,
                ElemType::Bool => DType::Bool,
            };
            Tensor::new(spec.dims.clone(), TensorData::from_le_bytes(dtype, bytes).unwrap()).unwrap()
        })
        .collect()
}

fn close(a: f64, b: f64, rtol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= rtol * (1.0 + b.abs())
}

/// Compiles and runs `m`, and compares every result with the interpreter's.
pub fn check_tol(m: &Module, inputs: &[Tensor], rtol: f64) {
    xlac_ir::verify_module(m).unwrap_or_else(|e| panic!("invalid test module: {e:?}"));
    let expected = xlac_interp::run_entry(m, inputs).expect("interpreter");
    let (program, code) = compile_module(m, &CodegenOptions::default()).expect("compile");
    let got = run(&program, inputs);
    drop(code);
    assert_eq!(got.len(), expected.len());
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g.shape, e.shape, "result {i} shape");
        assert_eq!(g.dtype(), e.dtype(), "result {i} dtype");
        for j in 0..e.data.len() {
            let (x, y) = (g.data.get_f64(j), e.data.get_f64(j));
            let ok = if e.dtype().is_float() { close(x, y, rtol) } else { g.data.get_i64(j) == e.data.get_i64(j) };
            assert!(
                ok,
                "result {i} element {j}: got {x}, expected {y}\nlowered:\n{}",
                xlac_codegen::lower_module(m).unwrap()
            );
        }
    }
}

/// [`check_tol`] with a tight tolerance.
pub fn check(m: &Module, inputs: &[Tensor]) {
    check_tol(m, inputs, 1e-6);
}

/// Deterministic test data of type `ty`: mixed signs, some larger magnitudes.
pub fn data(ty: &TensorType, seed: u64) -> Tensor {
    let n = ty.shape.num_elements();
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (s >> 33) as i64
    };
    let vals: Vec<i64> = (0..n).map(|_| next() % 2001 - 1000).collect();
    let data = match ty.dtype {
        DType::F32 => TensorData::F32(vals.iter().map(|&v| v as f32 / 97.0).collect()),
        DType::F64 => TensorData::F64(vals.iter().map(|&v| v as f64 / 97.0).collect()),
        DType::I32 => TensorData::I32(vals.iter().map(|&v| (v % 41) as i32).collect()),
        DType::I64 => TensorData::I64(vals.iter().map(|&v| v % 41).collect()),
        DType::Bool => TensorData::Bool(vals.iter().map(|&v| v % 2 == 0).collect()),
    };
    Tensor::new(ty.shape.clone(), data).unwrap()
}

/// A module of one function built by `f` from parameters of `params` types.
pub fn module(params: &[TensorType], f: impl FnOnce(&mut FunctionBuilder, &[Value]) -> Vec<Value>) -> Module {
    let mut b = FunctionBuilder::new("main");
    let ps: Vec<Value> = params.iter().enumerate().map(|(i, t)| b.param(&format!("p{i}"), t.clone())).collect();
    let rets = f(&mut b, &ps);
    Module { weights_file: None, functions: vec![b.finish(&rets)] }
}

/// Appends op `kind` with attributes `attrs` (name, value) and an optional declared type.
pub fn op(
    b: &mut FunctionBuilder,
    kind: OpKind,
    xs: &[Value],
    attrs: &[(&str, AttrValue)],
    ty: Option<TensorType>,
) -> Value {
    let mut a = Attrs::new(kind);
    for (n, v) in attrs {
        a.set(n, v.clone()).unwrap();
    }
    b.op(kind, xs, a, ty).unwrap_or_else(|e| panic!("{}: {e}", kind.name()))
}

/// A tensor type.
pub fn t(d: DType, dims: &[usize]) -> TensorType {
    TensorType::new(d, dims.to_vec())
}

/// Inputs for `params` from [`data`].
pub fn inputs(params: &[TensorType]) -> Vec<Tensor> {
    params.iter().enumerate().map(|(i, t)| data(t, i as u64 + 1)).collect()
}

/// Builds, runs and checks a module of params `params` whose body is `f`.
pub fn check_fn(params: &[TensorType], f: impl FnOnce(&mut FunctionBuilder, &[Value]) -> Vec<Value>) {
    let m = module(params, f);
    check(&m, &inputs(params));
}

/// Integer list attribute.
pub fn ints(v: &[i64]) -> AttrValue {
    AttrValue::Ints(v.to_vec())
}
