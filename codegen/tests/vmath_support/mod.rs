//! Shared by `tests/vmath.rs` and `examples/vmath_sweep.rs`: JIT-compiled array kernels
//! applying `vmath::emit_math`/`emit_pow`, reference functions in `f64` (and a
//! double-double `erf`), and ulp measurement.

#![allow(dead_code)]

pub mod reference;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, AbiParam, BlockArg, InstBuilder, MemFlagsData, Type, Value};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};
use xlac_codegen::vmath::{emit_math, emit_pow, MathFn};

/// Every unary function.
pub const ALL: [MathFn; 10] = [
    MathFn::Exp,
    MathFn::Log,
    MathFn::Log1p,
    MathFn::Tanh,
    MathFn::Logistic,
    MathFn::Erf,
    MathFn::Sin,
    MathFn::Cos,
    MathFn::Sqrt,
    MathFn::Rsqrt,
];

/// Whether the host has FMA (so `fma = true` code can run).
pub fn host_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        true
    }
}

/// `fma` settings worth testing on this host.
pub fn fma_modes() -> Vec<bool> {
    if host_fma() {
        vec![false, true]
    } else {
        vec![false]
    }
}

/// What one compiled kernel computes per element.
#[derive(Clone, Copy)]
pub enum Op {
    /// `dst[i] = f(src[i])`.
    Unary(MathFn),
    /// `dst[i] = pow(src[i], src2[i])`.
    Pow,
}

/// A JIT-compiled loop `(src, src2, dst, n)` over vectors (or scalars) of type `ty`;
/// `n` counts elements and must be a multiple of the lane count.
pub struct Kernel {
    _module: JITModule,
    ptr: *const u8,
    /// Elements per iteration.
    pub lanes: usize,
}

fn new_module() -> JITModule {
    let mut flags = settings::builder();
    flags.set("opt_level", "speed").unwrap();
    let isa = cranelift_native::builder().unwrap().finish(settings::Flags::new(flags)).unwrap();
    JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()))
}

impl Kernel {
    /// Compiles `op` on `ty` (`F32X4`, `F32`, `F64X2` or `F64`).
    pub fn new(op: Op, ty: Type, fma: bool) -> Kernel {
        let mut module = new_module();
        let ptr_ty = module.target_config().pointer_type();
        let mut ctx = module.make_context();
        for _ in 0..4 {
            ctx.func.signature.params.push(AbiParam::new(ptr_ty));
        }
        let mut fbc = FunctionBuilderContext::new();
        let mut fb = FunctionBuilder::new(&mut ctx.func, &mut fbc);
        let entry = fb.create_block();
        let header = fb.create_block();
        let body = fb.create_block();
        let exit = fb.create_block();
        fb.append_block_params_for_function_params(entry);
        fb.append_block_param(header, ptr_ty);
        fb.switch_to_block(entry);
        let p = fb.block_params(entry).to_vec();
        let zero = fb.ins().iconst(ptr_ty, 0);
        fb.ins().jump(header, &[BlockArg::Value(zero)]);
        fb.switch_to_block(header);
        let i = fb.block_params(header)[0];
        let more = fb.ins().icmp(IntCC::UnsignedLessThan, i, p[3]);
        fb.ins().brif(more, body, &[], exit, &[]);
        fb.switch_to_block(body);
        let elem = ty.lane_type().bytes() as i64;
        let off = fb.ins().imul_imm_s(i, elem);
        let load = |fb: &mut FunctionBuilder, base: Value| {
            let a = fb.ins().iadd(base, off);
            fb.ins().load(ty, MemFlagsData::trusted(), a, 0)
        };
        let x = load(&mut fb, p[0]);
        let r = match op {
            Op::Unary(f) => emit_math(&mut fb, f, x, fma),
            Op::Pow => {
                let y = load(&mut fb, p[1]);
                emit_pow(&mut fb, x, y, fma)
            }
        };
        let a = fb.ins().iadd(p[2], off);
        fb.ins().store(MemFlagsData::trusted(), r, a, 0);
        let lanes = ty.lane_count() as i64;
        let next = fb.ins().iadd_imm_s(i, lanes);
        fb.ins().jump(header, &[BlockArg::Value(next)]);
        fb.switch_to_block(exit);
        fb.ins().return_(&[]);
        fb.seal_all_blocks();
        fb.finalize(module.target_config());
        let id = module.declare_function("k", Linkage::Local, &ctx.func.signature).unwrap();
        module.define_function(id, &mut ctx).unwrap();
        module.finalize_definitions().unwrap();
        let ptr = module.get_finalized_function(id);
        Kernel { _module: module, ptr, lanes: ty.lane_count() as usize }
    }

    /// Runs on `src` (and `src2` for `pow`), writing `dst`; lengths equal, a multiple of
    /// the lane count.
    pub fn run<T: Copy>(&self, src: &[T], src2: &[T], dst: &mut [T]) {
        assert_eq!(src.len(), dst.len());
        assert!(src2.is_empty() || src2.len() == src.len());
        assert_eq!(src.len() % self.lanes, 0);
        let f: extern "C" fn(*const T, *const T, *mut T, usize) = unsafe { std::mem::transmute(self.ptr) };
        let s2 = if src2.is_empty() { src.as_ptr() } else { src2.as_ptr() };
        f(src.as_ptr(), s2, dst.as_mut_ptr(), src.len());
    }
}

/// Pads `v` with copies of its first element to a multiple of `lanes`.
pub fn pad<T: Copy>(mut v: Vec<T>, lanes: usize) -> Vec<T> {
    while !v.len().is_multiple_of(lanes) {
        v.push(v[0]);
    }
    v
}

/// The vector type of `f32` or `f64` lanes.
pub fn vec_ty(f64_lanes: bool) -> Type {
    if f64_lanes {
        types::F64X2
    } else {
        types::F32X4
    }
}

/// Error of `got` against the exact `want`, in ulps of the `f32` result: 0 when both
/// are NaN or both the same infinity, `inf` when only one is NaN or infinite.
pub fn ulp_err_f32(got: f32, want: f64) -> f64 {
    let wr = want as f32;
    if want.is_nan() || got.is_nan() {
        return if want.is_nan() && got.is_nan() { 0.0 } else { f64::INFINITY };
    }
    if wr.is_infinite() || got.is_infinite() {
        return if wr == got { 0.0 } else { f64::INFINITY };
    }
    if want == 0.0 && got == 0.0 && want.is_sign_negative() != got.is_sign_negative() {
        return f64::INFINITY;
    }
    let a = want.abs().max(f32::MIN_POSITIVE as f64);
    let ulp = 2f64.powi(a.log2().floor() as i32 - 23);
    (got as f64 - want).abs() / ulp
}

/// Error of `got` against `want` (itself an `f64` reference), in ulps of `f64`.
pub fn ulp_err_f64(got: f64, want: f64) -> f64 {
    if want.is_nan() || got.is_nan() {
        return if want.is_nan() && got.is_nan() { 0.0 } else { f64::INFINITY };
    }
    if want.is_infinite() || got.is_infinite() {
        return if want == got { 0.0 } else { f64::INFINITY };
    }
    if want == 0.0 && got == 0.0 && want.is_sign_negative() != got.is_sign_negative() {
        return f64::INFINITY;
    }
    let e = want.abs().max(f64::MIN_POSITIVE).log2().floor() as i64 - 52;
    let ulp = if e >= -1022 { f64::from_bits(((e + 1023) as u64) << 52) } else { f64::from_bits(1u64 << (e + 1074)) };
    (got - want).abs() / ulp
}

/// The worst error seen: value and the input(s) it occurred at.
#[derive(Clone, Copy, Debug, Default)]
pub struct Worst {
    /// Max ulp error.
    pub ulp: f64,
    /// Input (bits as `f64`).
    pub x: f64,
    /// Second input (`pow`).
    pub y: f64,
    /// The computed value there.
    pub got: f64,
    /// The reference value there.
    pub want: f64,
}

impl Worst {
    /// Records one error.
    pub fn note(&mut self, ulp: f64, x: f64, y: f64, got: f64, want: f64) {
        if ulp > self.ulp || (ulp.is_nan() && !self.ulp.is_nan()) {
            *self = Worst { ulp, x, y, got, want };
        }
    }
}

/// A tiny deterministic generator (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
    }
}
