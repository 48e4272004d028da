//! Scalar semantics of every op, exactly as the op table states them (integer division
//! by zero, NaN-propagating max/min, saturating conversions, ...). The vector lowering
//! falls back to these lane by lane for ops it has no native form of.

use super::emit::{scalar_ty, Emitter};
use crate::kernel::{CmpDir, Scalar};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, BlockArg, InstBuilder, Value};
use xlac_ir::{DType, OpKind};

/// The float condition of a comparison (IEEE: `ne` is true on NaN, the rest false).
pub(crate) fn float_cc(dir: CmpDir) -> FloatCC {
    match dir {
        CmpDir::Eq => FloatCC::Equal,
        CmpDir::Ne => FloatCC::NotEqual,
        CmpDir::Lt => FloatCC::LessThan,
        CmpDir::Le => FloatCC::LessThanOrEqual,
        CmpDir::Gt => FloatCC::GreaterThan,
        CmpDir::Ge => FloatCC::GreaterThanOrEqual,
    }
}

/// The integer condition of a comparison (`signed` false for bools).
pub(crate) fn int_cc(dir: CmpDir, signed: bool) -> IntCC {
    match (dir, signed) {
        (CmpDir::Eq, _) => IntCC::Equal,
        (CmpDir::Ne, _) => IntCC::NotEqual,
        (CmpDir::Lt, true) => IntCC::SignedLessThan,
        (CmpDir::Le, true) => IntCC::SignedLessThanOrEqual,
        (CmpDir::Gt, true) => IntCC::SignedGreaterThan,
        (CmpDir::Ge, true) => IntCC::SignedGreaterThanOrEqual,
        (CmpDir::Lt, false) => IntCC::UnsignedLessThan,
        (CmpDir::Le, false) => IntCC::UnsignedLessThanOrEqual,
        (CmpDir::Gt, false) => IntCC::UnsignedGreaterThan,
        (CmpDir::Ge, false) => IntCC::UnsignedGreaterThanOrEqual,
    }
}

impl Emitter<'_, '_> {
    /// A constant.
    pub(crate) fn scalar_const(&mut self, c: Scalar) -> Value {
        match c.dtype {
            DType::F32 => self.fb.ins().f32const(f32::from_bits(c.bits as u32)),
            DType::F64 => self.fb.ins().f64const(f64::from_bits(c.bits)),
            d => self.iconst(scalar_ty(d), c.bits as i64),
        }
    }

    /// A float constant of `d`.
    pub(crate) fn fconst(&mut self, d: DType, x: f64) -> Value {
        self.scalar_const(Scalar::from_f64(d, x))
    }

    /// Unary op `op` on scalar `x` of type `d`.
    pub(crate) fn unary_scalar(&mut self, op: OpKind, d: DType, x: Value) -> Value {
        match (op, d.is_float()) {
            (OpKind::Neg, true) => self.ins().fneg(x),
            (OpKind::Neg, false) => self.ins().ineg(x),
            (OpKind::Abs, true) => self.ins().fabs(x),
            (OpKind::Abs, false) => {
                let n = self.ins().ineg(x);
                let neg = self.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0);
                self.ins().select(neg, n, x)
            }
            (OpKind::Sign, true) => {
                let one = self.fconst(d, 1.0);
                let s = self.ins().fcopysign(one, x);
                let zero = self.fconst(d, 0.0);
                let nonzero = self.ins().fcmp(FloatCC::OrderedNotEqual, x, zero);
                self.ins().select(nonzero, s, x)
            }
            (OpKind::Sign, false) => {
                let ty = scalar_ty(d);
                let pos = self.ins().icmp_imm_s(IntCC::SignedGreaterThan, x, 0);
                let neg = self.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0);
                let (p, n) = (self.ins().uextend(ty, pos), self.ins().uextend(ty, neg));
                self.ins().isub(p, n)
            }
            (OpKind::Not, _) if d == DType::Bool => self.ins().bxor_imm_s(x, 1),
            (OpKind::Not, _) => self.ins().bnot(x),
            (OpKind::Sqrt, _) => self.ins().sqrt(x),
            (OpKind::Rsqrt, _) => {
                let s = self.ins().sqrt(x);
                let one = self.fconst(d, 1.0);
                self.ins().fdiv(one, s)
            }
            (OpKind::Floor, _) => self.ins().floor(x),
            (OpKind::Ceil, _) => self.ins().ceil(x),
            (OpKind::Round, _) => self.ins().nearest(x),
            _ => self.math(op, x),
        }
    }

    /// Binary op `op` on scalars of type `d`.
    pub(crate) fn binary_scalar(&mut self, op: OpKind, d: DType, a: Value, b: Value) -> Value {
        let float = d.is_float();
        match op {
            OpKind::Add if float => self.ins().fadd(a, b),
            OpKind::Add => self.ins().iadd(a, b),
            OpKind::Sub if float => self.ins().fsub(a, b),
            OpKind::Sub => self.ins().isub(a, b),
            OpKind::Mul if float => self.ins().fmul(a, b),
            OpKind::Mul => self.ins().imul(a, b),
            OpKind::Div if float => self.ins().fdiv(a, b),
            OpKind::Div => self.int_div(d, a, b),
            OpKind::Rem if float => self.call_helper2(super::helpers::Helper::Fmod(d), a, b),
            OpKind::Rem => self.int_rem(d, a, b),
            OpKind::Pow if float => self.fpow(a, b),
            OpKind::Pow => self.int_pow(d, a, b),
            OpKind::Max | OpKind::Min if float => self.float_minmax(op == OpKind::Max, a, b),
            OpKind::Max => self.ins().smax(a, b),
            OpKind::Min => self.ins().smin(a, b),
            OpKind::And => self.ins().band(a, b),
            OpKind::Or => self.ins().bor(a, b),
            _ => self.ins().bxor(a, b),
        }
    }

    /// Max or min that returns NaN when either operand is NaN, else `a` on ties.
    fn float_minmax(&mut self, max: bool, a: Value, b: Value) -> Value {
        let cc = if max { FloatCC::GreaterThanOrEqual } else { FloatCC::LessThanOrEqual };
        let keep_a = self.fb.ins().fcmp(cc, a, b);
        let r = self.fb.ins().select(keep_a, a, b);
        let uno = self.fb.ins().fcmp(FloatCC::Unordered, a, b);
        let nan = self.fb.ins().fadd(a, b);
        self.fb.ins().select(uno, nan, r)
    }

    /// The divisor with the trapping cases (0, and -1 with a MIN dividend) replaced by 1.
    fn safe_divisor(&mut self, d: DType, a: Value, b: Value) -> (Value, Value, Value) {
        let ty = scalar_ty(d);
        let min = if d == DType::I32 { i32::MIN as i64 } else { i64::MIN };
        let zero = self.fb.ins().icmp_imm_s(IntCC::Equal, b, 0);
        let minus_one = self.fb.ins().icmp_imm_s(IntCC::Equal, b, -1);
        let min_c = self.iconst(ty, min);
        let is_min = self.fb.ins().icmp(IntCC::Equal, a, min_c);
        let overflow = self.fb.ins().band(minus_one, is_min);
        let bad = self.fb.ins().bor(zero, overflow);
        let one = self.iconst(ty, 1);
        (self.fb.ins().select(bad, one, b), zero, minus_one)
    }

    /// Truncating division; `x / 0 = -1`, `MIN / -1 = MIN`.
    fn int_div(&mut self, d: DType, a: Value, b: Value) -> Value {
        let (safe, zero, _) = self.safe_divisor(d, a, b);
        let q = self.fb.ins().sdiv(a, safe);
        let minus_one = self.iconst(scalar_ty(d), -1);
        self.fb.ins().select(zero, minus_one, q)
    }

    /// Remainder with the dividend's sign; `x % 0 = x`, `MIN % -1 = 0`.
    fn int_rem(&mut self, d: DType, a: Value, b: Value) -> Value {
        let (safe, zero, _) = self.safe_divisor(d, a, b);
        let r = self.fb.ins().srem(a, safe);
        self.fb.ins().select(zero, a, r)
    }

    /// Integer power by squaring (wrapping); negative exponents give 0, except for
    /// bases 1 and -1.
    fn int_pow(&mut self, d: DType, a: Value, b: Value) -> Value {
        let (base, exp) = if d == DType::I32 {
            (self.fb.ins().sextend(types::I64, a), self.fb.ins().sextend(types::I64, b))
        } else {
            (a, b)
        };
        let header = self.fb.create_block();
        let body = self.fb.create_block();
        let exit = self.fb.create_block();
        for _ in 0..3 {
            self.fb.append_block_param(header, types::I64);
        }
        let res_param = self.fb.append_block_param(exit, types::I64);
        let one = self.iconst(types::I64, 1);
        self.fb.ins().jump(header, &[BlockArg::Value(one), BlockArg::Value(base), BlockArg::Value(exp)]);
        self.fb.switch_to_block(header);
        let [r, sq, e] = self.fb.block_params(header)[..] else { unreachable!() };
        let more = self.fb.ins().icmp_imm_s(IntCC::SignedGreaterThan, e, 0);
        self.fb.ins().brif(more, body, &[], exit, &[BlockArg::Value(r)]);
        self.fb.switch_to_block(body);
        let low = self.fb.ins().band_imm_s(e, 1);
        let prod = self.fb.ins().imul(r, sq);
        let r2 = self.fb.ins().select(low, prod, r);
        let sq2 = self.fb.ins().imul(sq, sq);
        let e2 = self.fb.ins().ushr_imm_s(e, 1);
        self.fb.ins().jump(header, &[BlockArg::Value(r2), BlockArg::Value(sq2), BlockArg::Value(e2)]);
        self.fb.switch_to_block(exit);
        // Negative exponents: 1 for base 1, +-1 for base -1 (by parity), else 0.
        let odd = self.fb.ins().band_imm_s(exp, 1);
        let minus_one = self.iconst(types::I64, -1);
        let zero = self.iconst(types::I64, 0);
        let pm = self.fb.ins().select(odd, minus_one, one);
        let base_m1 = self.fb.ins().icmp_imm_s(IntCC::Equal, base, -1);
        let base_1 = self.fb.ins().icmp_imm_s(IntCC::Equal, base, 1);
        let t = self.fb.ins().select(base_m1, pm, zero);
        let neg_val = self.fb.ins().select(base_1, one, t);
        let neg = self.fb.ins().icmp_imm_s(IntCC::SignedLessThan, exp, 0);
        let out = self.fb.ins().select(neg, neg_val, res_param);
        if d == DType::I32 {
            self.fb.ins().ireduce(types::I32, out)
        } else {
            out
        }
    }

    /// Comparison of scalars of type `d`; the result is an `I8` 0/1.
    pub(crate) fn compare_scalar(&mut self, dir: CmpDir, d: DType, a: Value, b: Value) -> Value {
        if d.is_float() {
            self.fb.ins().fcmp(float_cc(dir), a, b)
        } else {
            self.fb.ins().icmp(int_cc(dir, d != DType::Bool), a, b)
        }
    }

    /// Conversion with the IR's `convert` semantics.
    pub(crate) fn convert_scalar(&mut self, from: DType, to: DType, x: Value) -> Value {
        use DType::*;
        let ty = scalar_ty(to);
        match (from, to) {
            _ if from == to => x,
            (F32, F64) => self.ins().fpromote(ty, x),
            (F64, F32) => self.ins().fdemote(ty, x),
            (I32 | I64, F32 | F64) => self.ins().fcvt_from_sint(ty, x),
            (F32 | F64, I32 | I64) => self.ins().fcvt_to_sint_sat(ty, x),
            (I32, I64) => self.ins().sextend(ty, x),
            (I64, I32) => self.ins().ireduce(ty, x),
            (Bool, I32 | I64) => self.ins().uextend(ty, x),
            (Bool, F32 | F64) => {
                let i = self.ins().uextend(types::I32, x);
                self.ins().fcvt_from_sint(ty, i)
            }
            (F32 | F64, Bool) => {
                let zero = self.fconst(from, 0.0);
                self.ins().fcmp(FloatCC::NotEqual, x, zero)
            }
            _ => self.ins().icmp_imm_s(IntCC::NotEqual, x, 0),
        }
    }
}
