//! Ops on [`Val`]s: uniform operands take the scalar path; otherwise the op is emitted on
//! vectors natively where Cranelift has a form for it, and lane by lane (through the
//! scalar semantics) where it does not.

use super::emit::{Emitter, Val};
use super::scalar::{float_cc, int_cc};
use crate::kernel::{CmpDir, Scalar};
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{ConstantData, Endianness, InstBuilder, MemFlagsData, Type, Value};
use xlac_ir::{DType, OpKind};

impl Emitter<'_, '_> {
    /// Reinterprets vector `x` as type `ty` (lane count unchanged).
    pub(crate) fn bitcast(&mut self, ty: Type, x: Value) -> Value {
        if self.fb.func.dfg.value_type(x) == ty {
            return x;
        }
        let flags = MemFlagsData::new().with_endianness(Endianness::Little);
        self.fb.ins().bitcast(ty, flags, x)
    }

    /// A vector constant of `d` in every lane.
    fn splat_const(&mut self, d: DType, x: f64) -> Value {
        let s = self.scalar_const(Scalar::from_f64(d, x));
        let ty = self.vec_ty(d);
        self.fb.ins().splat(ty, s)
    }

    /// A float vector of `d` with only the sign bit set in every lane (`invert`: every
    /// bit but the sign). `fneg`/`fabs` as one `xor`/`and` with it: Cranelift's own
    /// lowering builds the mask in registers, two more instructions per use.
    fn sign_mask(&mut self, d: DType, invert: bool) -> Value {
        let (bits, width) = if d == DType::F64 { (1u64 << 63, 8) } else { (1u64 << 31, 4) };
        let bits = if invert { !bits } else { bits };
        let bytes: Vec<u8> = (0..16 / width).flat_map(|_| bits.to_le_bytes()[..width].to_vec()).collect();
        let c = self.fb.func.dfg.constants.insert(ConstantData::from(bytes));
        let ty = self.vec_ty(d);
        self.fb.ins().vconst(ty, c)
    }

    /// Applies a scalar op lane by lane.
    fn per_lane(&mut self, args: &[(Val, DType)], out: DType, f: &mut dyn FnMut(&mut Self, &[Value]) -> Value) -> Val {
        let lanes: Vec<Vec<Value>> = args.iter().map(|&(v, d)| self.lanes_of(v, d)).collect();
        let results: Vec<Value> = (0..self.lanes() as usize)
            .map(|j| {
                let lane_args: Vec<Value> = lanes.iter().map(|l| l[j]).collect();
                f(self, &lane_args)
            })
            .collect();
        Val::V(self.build_vec(&results, out))
    }

    /// Unary op `op` on `x` of type `d`.
    pub(crate) fn unary(&mut self, op: OpKind, d: DType, x: Val) -> Val {
        let Val::V(v) = x else {
            let Val::S(s) = x else { unreachable!() };
            return Val::S(self.unary_scalar(op, d, s));
        };
        let float = d.is_float();
        let native = match op {
            OpKind::Neg if float => {
                let m = self.sign_mask(d, false);
                Some(self.ins().bxor(v, m))
            }
            OpKind::Neg if d != DType::Bool => Some(self.ins().ineg(v)),
            OpKind::Abs if float => {
                let m = self.sign_mask(d, true);
                Some(self.ins().band(v, m))
            }
            OpKind::Not => Some(self.ins().bnot(v)),
            OpKind::Sqrt => Some(self.ins().sqrt(v)),
            OpKind::Rsqrt => {
                let s = self.ins().sqrt(v);
                let one = self.splat_const(d, 1.0);
                Some(self.ins().fdiv(one, s))
            }
            OpKind::Floor => Some(self.ins().floor(v)),
            OpKind::Ceil => Some(self.ins().ceil(v)),
            OpKind::Round => Some(self.ins().nearest(v)),
            op if super::helpers::math_fn(op).is_some() => Some(self.math(op, v)),
            _ => None,
        };
        match native {
            Some(r) => Val::V(r),
            None => self.per_lane(&[(x, d)], d, &mut |s, a| s.unary_scalar(op, d, a[0])),
        }
    }

    /// Binary op `op` on operands of type `d`.
    pub(crate) fn binary(&mut self, op: OpKind, d: DType, a: Val, b: Val) -> Val {
        if let (Val::S(x), Val::S(y)) = (a, b) {
            return Val::S(self.binary_scalar(op, d, x, y));
        }
        let float = d.is_float();
        let wide_int = d == DType::I64;
        if float && op == OpKind::Pow {
            let (x, y) = (self.splat_val(a, d), self.splat_val(b, d));
            return Val::V(self.fpow(x, y));
        }
        if matches!(op, OpKind::Div | OpKind::Rem | OpKind::Pow) && !(float && op == OpKind::Div) {
            return self.per_lane(&[(a, d), (b, d)], d, &mut |s, v| s.binary_scalar(op, d, v[0], v[1]));
        }
        let (x, y) = (self.splat_val(a, d), self.splat_val(b, d));
        let r = match op {
            OpKind::Add if float => self.ins().fadd(x, y),
            OpKind::Add => self.ins().iadd(x, y),
            OpKind::Sub if float => self.ins().fsub(x, y),
            OpKind::Sub => self.ins().isub(x, y),
            OpKind::Mul if float => self.ins().fmul(x, y),
            OpKind::Mul if !wide_int => self.ins().imul(x, y),
            OpKind::Div => self.ins().fdiv(x, y),
            OpKind::Max | OpKind::Min if float => self.vec_float_minmax(op == OpKind::Max, d, x, y),
            OpKind::Max if !wide_int => self.ins().smax(x, y),
            OpKind::Min if !wide_int => self.ins().smin(x, y),
            OpKind::And => self.ins().band(x, y),
            OpKind::Or => self.ins().bor(x, y),
            OpKind::Xor => self.ins().bxor(x, y),
            _ => return self.per_lane(&[(a, d), (b, d)], d, &mut |s, v| s.binary_scalar(op, d, v[0], v[1])),
        };
        Val::V(r)
    }

    /// NaN-propagating max/min of float vectors (`a` on ties, like the scalar form).
    fn vec_float_minmax(&mut self, max: bool, d: DType, a: Value, b: Value) -> Value {
        let ty = self.vec_ty(d);
        let cc = if max { FloatCC::GreaterThanOrEqual } else { FloatCC::LessThanOrEqual };
        let keep_a = self.fb.ins().fcmp(cc, a, b);
        let keep_a = self.bitcast(ty, keep_a);
        let r = self.fb.ins().bitselect(keep_a, a, b);
        let uno = self.fb.ins().fcmp(FloatCC::Unordered, a, b);
        let uno = self.bitcast(ty, uno);
        let nan = self.fb.ins().fadd(a, b);
        self.fb.ins().bitselect(uno, nan, r)
    }

    /// Comparison of operands of type `d`; the result is bool.
    pub(crate) fn compare(&mut self, dir: CmpDir, d: DType, a: Val, b: Val) -> Val {
        if let (Val::S(x), Val::S(y)) = (a, b) {
            return Val::S(self.compare_scalar(dir, d, x, y));
        }
        if d == DType::Bool {
            return self.per_lane(&[(a, d), (b, d)], DType::Bool, &mut |s, v| s.compare_scalar(dir, d, v[0], v[1]));
        }
        let (x, y) = (self.splat_val(a, d), self.splat_val(b, d));
        let r = if d.is_float() {
            self.fb.ins().fcmp(float_cc(dir), x, y)
        } else {
            self.fb.ins().icmp(int_cc(dir, true), x, y)
        };
        let mask = self.vec_ty(DType::Bool);
        Val::V(self.bitcast(mask, r))
    }

    /// `p ? t : f` with branches of type `d`.
    pub(crate) fn select(&mut self, d: DType, p: Val, t: Val, f: Val) -> Val {
        match (p, t, f) {
            (Val::S(c), Val::S(x), Val::S(y)) => Val::S(self.fb.ins().select(c, x, y)),
            (Val::S(c), _, _) => {
                let (x, y) = (self.splat_val(t, d), self.splat_val(f, d));
                Val::V(self.fb.ins().select(c, x, y))
            }
            (Val::V(m), _, _) => {
                let (x, y) = (self.splat_val(t, d), self.splat_val(f, d));
                let ty = self.vec_ty(d);
                let m = self.bitcast(ty, m);
                Val::V(self.fb.ins().bitselect(m, x, y))
            }
        }
    }

    /// Conversion from `from` to `to`.
    pub(crate) fn convert(&mut self, from: DType, to: DType, x: Val) -> Val {
        let Val::V(v) = x else {
            let Val::S(s) = x else { unreachable!() };
            return Val::S(self.convert_scalar(from, to, s));
        };
        let to_ty = self.vec_ty(to);
        let native = match (from, to) {
            (DType::I32, DType::F32) => Some(self.fb.ins().fcvt_from_sint(to_ty, v)),
            (DType::F32, DType::I32) => Some(self.fb.ins().fcvt_to_sint_sat(to_ty, v)),
            (DType::Bool, DType::I32 | DType::I64) => {
                let one = self.splat_const(to, 1.0);
                let m = self.bitcast(to_ty, v);
                Some(self.fb.ins().band(m, one))
            }
            (DType::Bool, DType::F32 | DType::F64) => {
                let one = self.splat_const(to, 1.0);
                let m = self.bitcast(to_ty, v);
                Some(self.fb.ins().band(m, one))
            }
            (DType::F32 | DType::F64, DType::Bool) => {
                let zero = self.splat_const(from, 0.0);
                let c = self.fb.ins().fcmp(FloatCC::NotEqual, v, zero);
                Some(self.bitcast(to_ty, c))
            }
            _ => None,
        };
        match native {
            Some(r) => Val::V(r),
            None => self.per_lane(&[(x, from)], to, &mut |s, a| s.convert_scalar(from, to, a[0])),
        }
    }
}
