//! Calls from kernels to C math functions that have no inline form (`fmodf`, `fmod`).
//! They are imported by their C names, so the JIT resolves them in the process and an
//! AOT object links them from libm. Transcendentals are inline vector math
//! ([`crate::vmath`]).

use super::emit::{scalar_ty, Emitter};
use crate::kernel::{Expr, Kernel};
use crate::vmath::{emit_math, emit_pow, MathFn};
use crate::CodegenError;
use cranelift_codegen::ir::{AbiParam, FuncRef, InstBuilder, Value};
use cranelift_module::{FuncId, Linkage, Module};
use std::collections::HashMap;
use xlac_ir::{DType, OpKind};

/// A C function a kernel calls.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Helper {
    /// `fmod` / `fmodf`.
    Fmod(DType),
}

impl Helper {
    /// The C symbol.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Helper::Fmod(DType::F32) => "fmodf",
            Helper::Fmod(_) => "fmod",
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
    let Helper::Fmod(d) = h;
    let mut sig = module.make_signature();
    let ty = scalar_ty(d);
    sig.params.extend([AbiParam::new(ty), AbiParam::new(ty)]);
    sig.returns.push(AbiParam::new(ty));
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
