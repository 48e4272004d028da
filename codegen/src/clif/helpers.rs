//! Calls from kernels to functions outside them: C math functions that have no inline
//! form (`fmodf`, `fmod`), imported by their C names (the JIT resolves them in the
//! process, an AOT object links them from libm), and the runtime's 8-lane array math
//! ([`xlac_runtime::vmath`], for row caches filled before a row reduction; the JIT
//! registers their addresses, an AOT object links them from `libxlac_runtime.a`).
//! Other transcendentals are inline vector math ([`crate::vmath`]).

use super::emit::{scalar_ty, Emitter};
use crate::kernel::{Expr, Kernel};
use crate::vmath::{emit_math, emit_pow, MathFn};
use crate::CodegenError;
use cranelift_codegen::ir::{types, AbiParam, FuncRef, InstBuilder, Value};
use cranelift_module::{FuncId, Linkage, Module};
use std::collections::HashMap;
use xlac_ir::{DType, OpKind};
use xlac_runtime::vmath::VecFn;

/// A C function a kernel calls.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Helper {
    /// `fmod` / `fmodf`.
    Fmod(DType),
    /// The runtime's in-place `f32` array function (`void f(float *x, size_t n)`).
    Array(VecFn),
    /// The runtime's `dst[i] = src[i] / s` over `f32` arrays.
    DivScalar,
    /// The runtime's sum, max or min of an `f32` array.
    Reduce,
    /// The runtime's `dst[i] = f((src[i] · a) ± b)` over `f32` arrays.
    Map,
}

impl Helper {
    /// The C symbol.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Helper::Fmod(DType::F32) => "fmodf",
            Helper::Fmod(_) => "fmod",
            Helper::Array(f) => f.symbol(),
            Helper::DivScalar => xlac_runtime::vmath::DIV_SCALAR_SYMBOL,
            Helper::Reduce => xlac_runtime::vmath::REDUCE_SYMBOL,
            Helper::Map => xlac_runtime::vmath::MAP_SYMBOL,
        }
    }
}

/// Every helper `k` may call.
pub(crate) fn helpers_of(k: &Kernel) -> Vec<Helper> {
    let mut out = Vec::new();
    for (_, data) in k.exprs.iter() {
        if let Expr::Binary(OpKind::Rem, ..) = data.expr {
            let h = Helper::Fmod(data.dtype);
            if data.dtype.is_float() && !out.contains(&h) {
                out.push(h);
            }
        }
    }
    out
}

/// Helpers imported into the function being built.
pub(crate) type HelperRefs = HashMap<Helper, FuncRef>;

/// Declares `h` in `module` (repeated declarations return the same id).
pub(crate) fn declare<M: Module>(module: &mut M, h: Helper) -> Result<FuncId, CodegenError> {
    let mut sig = module.make_signature();
    match h {
        Helper::Fmod(d) => {
            let ty = scalar_ty(d);
            sig.params.extend([AbiParam::new(ty), AbiParam::new(ty)]);
            sig.returns.push(AbiParam::new(ty));
        }
        Helper::Array(_) => {
            let ptr = module.target_config().pointer_type();
            sig.params.extend([AbiParam::new(ptr), AbiParam::new(types::I64)]);
        }
        Helper::DivScalar => {
            let ptr = module.target_config().pointer_type();
            sig.params.extend([AbiParam::new(ptr), AbiParam::new(ptr), AbiParam::new(types::I64)]);
            sig.params.extend([AbiParam::new(types::F32), AbiParam::new(types::I64)]);
        }
        Helper::Reduce => {
            let ptr = module.target_config().pointer_type();
            sig.params.extend([AbiParam::new(ptr), AbiParam::new(types::I64), AbiParam::new(types::I32)]);
            sig.params.extend([AbiParam::new(types::I32), AbiParam::new(types::F32), AbiParam::new(types::F32)]);
            sig.returns.push(AbiParam::new(types::F32));
        }
        Helper::Map => {
            let ptr = module.target_config().pointer_type();
            sig.params.extend([AbiParam::new(ptr), AbiParam::new(ptr), AbiParam::new(types::I64)]);
            sig.params.extend([AbiParam::new(types::I32), AbiParam::new(types::I32)]);
            sig.params.extend([AbiParam::new(types::F32), AbiParam::new(types::F32)]);
            sig.returns.push(AbiParam::new(types::F32));
        }
    }
    module
        .declare_function(h.symbol(), Linkage::Import, &sig)
        .map_err(|e| CodegenError::Cranelift { kernel: h.symbol().into(), message: e.to_string() })
}

/// The inline math function of a unary op, if it is one.
pub(crate) fn math_fn(op: OpKind) -> Option<MathFn> {
    Some(match op {
        OpKind::Exp => MathFn::Exp,
        OpKind::Log => MathFn::Log,
        OpKind::Log1p => MathFn::Log1p,
        OpKind::Tanh => MathFn::Tanh,
        OpKind::Logistic => MathFn::Logistic,
        OpKind::Erf => MathFn::Erf,
        OpKind::Sin => MathFn::Sin,
        OpKind::Cos => MathFn::Cos,
        _ => return None,
    })
}

/// The runtime array function computing unary `op`, if there is one.
pub(crate) fn array_fn(op: OpKind) -> Option<VecFn> {
    Some(match op {
        OpKind::Exp => VecFn::Exp,
        OpKind::Tanh => VecFn::Tanh,
        OpKind::Logistic => VecFn::Logistic,
        _ => return None,
    })
}

impl Emitter<'_, '_> {
    /// Calls two-argument helper `h`.
    pub(crate) fn call_helper2(&mut self, h: Helper, a: Value, b: Value) -> Value {
        let f = self.helpers[&h];
        let call = self.fb.ins().call(f, &[a, b]);
        self.fb.inst_results(call)[0]
    }

    /// Transcendental `op` of `x` (a float scalar or vector).
    pub(crate) fn math(&mut self, op: OpKind, x: Value) -> Value {
        let f = math_fn(op).expect("a transcendental op");
        emit_math(&mut self.fb, f, x, self.fma)
    }

    /// `a^b` for floats (scalars or vectors).
    pub(crate) fn fpow(&mut self, a: Value, b: Value) -> Value {
        emit_pow(&mut self.fb, a, b, self.fma)
    }
}
