//! `Vb`: a thin vector-builder over a `FunctionBuilder` that every vector-math routine
//! is written against, so each routine reads like arithmetic and is written once per
//! element width (`F32X4` or `F64X2`; scalars are splatted by the caller).

use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, ConstantData, InstBuilder, MemFlagsData, Type, Value};
use cranelift_frontend::FunctionBuilder;

/// A vector builder for one float vector type (`F32X4` or `F64X2`) and its integer twin.
pub(crate) struct Vb<'a, 'f> {
    pub(crate) fb: &'a mut FunctionBuilder<'f>,
    /// The float vector type.
    pub(crate) ty: Type,
    /// The integer vector type with the same lane width.
    pub(crate) ity: Type,
    /// Whether `fma` may be emitted.
    pub(crate) fma: bool,
}

impl<'a, 'f> Vb<'a, 'f> {
    /// A builder for float vector type `ty` (`F32X4` or `F64X2`).
    pub(crate) fn new(fb: &'a mut FunctionBuilder<'f>, ty: Type, fma: bool) -> Self {
        let ity = if ty == types::F64X2 { types::I64X2 } else { types::I32X4 };
        Vb { fb, ty, ity, fma }
    }

    /// A builder for another vector type on the same function (used to switch width).
    pub(crate) fn with_ty<'b>(&'b mut self, ty: Type) -> Vb<'b, 'f> {
        Vb::new(self.fb, ty, self.fma)
    }

    /// Whether lanes are `f64`.
    pub(crate) fn is_f64(&self) -> bool {
        self.ty == types::F64X2
    }

    /// Mantissa bits stored in the encoding (23 or 52).
    pub(crate) fn mant_bits(&self) -> i64 {
        if self.is_f64() {
            52
        } else {
            23
        }
    }

    /// The exponent bias (127 or 1023).
    pub(crate) fn bias(&self) -> i64 {
        if self.is_f64() {
            1023
        } else {
            127
        }
    }

    fn vconst(&mut self, ty: Type, lanes: Vec<u8>) -> Value {
        let c = self.fb.func.dfg.constants.insert(ConstantData::from(lanes));
        self.fb.ins().vconst(ty, c)
    }

    /// A float constant in every lane (rounded to the lane type).
    pub(crate) fn c(&mut self, v: f64) -> Value {
        let bytes: Vec<u8> = if self.is_f64() {
            (0..2).flat_map(|_| v.to_le_bytes()).collect()
        } else {
            (0..4).flat_map(|_| (v as f32).to_le_bytes()).collect()
        };
        self.vconst(self.ty, bytes)
    }

    /// An integer constant in every lane (truncated to the lane width).
    pub(crate) fn ci(&mut self, v: i64) -> Value {
        let bytes: Vec<u8> = if self.is_f64() {
            (0..2).flat_map(|_| v.to_le_bytes()).collect()
        } else {
            (0..4).flat_map(|_| (v as i32).to_le_bytes()).collect()
        };
        self.vconst(self.ity, bytes)
    }

    /// `a + b`.
    pub(crate) fn add(&mut self, a: Value, b: Value) -> Value {
        self.fb.ins().fadd(a, b)
    }

    /// `a - b`.
    pub(crate) fn sub(&mut self, a: Value, b: Value) -> Value {
        self.fb.ins().fsub(a, b)
    }

    /// `a * b`.
    pub(crate) fn mul(&mut self, a: Value, b: Value) -> Value {
        self.fb.ins().fmul(a, b)
    }

    /// `a / b`.
    pub(crate) fn div(&mut self, a: Value, b: Value) -> Value {
        self.fb.ins().fdiv(a, b)
    }

    /// `-a`.
    pub(crate) fn neg(&mut self, a: Value) -> Value {
        self.fb.ins().fneg(a)
    }

    /// A float vector constant with the raw bits `bits` in every lane (truncated to
    /// the lane width).
    pub(crate) fn cbits(&mut self, bits: u64) -> Value {
        let bytes: Vec<u8> = if self.is_f64() {
            (0..2).flat_map(|_| bits.to_le_bytes()).collect()
        } else {
            (0..4).flat_map(|_| (bits as u32).to_le_bytes()).collect()
        };
        self.vconst(self.ty, bytes)
    }

    /// The sign bit of a lane.
    fn sign_bit(&self) -> u64 {
        if self.is_f64() {
            1 << 63
        } else {
            1 << 31
        }
    }

    /// `|a|`: one `and` with a constant (Cranelift's `fabs` builds its mask in
    /// registers, two more instructions per use).
    pub(crate) fn abs(&mut self, a: Value) -> Value {
        let m = self.cbits(!self.sign_bit());
        self.and(a, m)
    }

    /// `-|a|`: one `or` with the sign bit.
    pub(crate) fn neg_abs(&mut self, a: Value) -> Value {
        let m = self.cbits(self.sign_bit());
        self.or(a, m)
    }

    /// `a * b + c`, fused when the target has FMA.
    pub(crate) fn mul_add(&mut self, a: Value, b: Value, c: Value) -> Value {
        if self.fma {
            self.fb.ins().fma(a, b, c)
        } else {
            let p = self.fb.ins().fmul(a, b);
            self.fb.ins().fadd(p, c)
        }
    }

    /// `c[0] + x*c[1] + x^2*c[2] + ...` by Horner's rule.
    pub(crate) fn poly(&mut self, x: Value, c: &[f64]) -> Value {
        let (last, rest) = c.split_last().expect("non-empty polynomial");
        let mut acc = self.c(*last);
        for &k in rest.iter().rev() {
            let kv = self.c(k);
            acc = self.mul_add(acc, x, kv);
        }
        acc
    }

    /// The bits of float vector `a` as the integer vector type.
    pub(crate) fn bits(&mut self, a: Value) -> Value {
        self.fb.ins().bitcast(self.ity, MemFlagsData::new(), a)
    }

    /// Integer vector `a` reinterpreted as the float vector type.
    pub(crate) fn float(&mut self, a: Value) -> Value {
        self.fb.ins().bitcast(self.ty, MemFlagsData::new(), a)
    }

    /// Integer `a + b`.
    pub(crate) fn iadd(&mut self, a: Value, b: Value) -> Value {
        self.fb.ins().iadd(a, b)
    }

    /// Integer `a - b`.
    pub(crate) fn isub(&mut self, a: Value, b: Value) -> Value {
        self.fb.ins().isub(a, b)
    }

    /// Bitwise `a & b` (any vector type).
    pub(crate) fn and(&mut self, a: Value, b: Value) -> Value {
        self.fb.ins().band(a, b)
    }

    /// Bitwise `a | b` (any vector type).
    pub(crate) fn or(&mut self, a: Value, b: Value) -> Value {
        self.fb.ins().bor(a, b)
    }

    /// Bitwise `a ^ b` (any vector type).
    pub(crate) fn xor(&mut self, a: Value, b: Value) -> Value {
        self.fb.ins().bxor(a, b)
    }

    /// Integer `a << n`.
    pub(crate) fn shl(&mut self, a: Value, n: i64) -> Value {
        self.fb.ins().ishl_imm_u(a, n)
    }

    /// Arithmetic `a >> n`.
    pub(crate) fn sshr(&mut self, a: Value, n: i64) -> Value {
        self.fb.ins().sshr_imm_u(a, n)
    }

    /// A lane mask (integer vector, all ones where true) of `a cc b`.
    pub(crate) fn cmp(&mut self, cc: FloatCC, a: Value, b: Value) -> Value {
        self.fb.ins().fcmp(cc, a, b)
    }

    /// `a cc k` against the constant `k`.
    pub(crate) fn cmpc(&mut self, cc: FloatCC, a: Value, k: f64) -> Value {
        let kv = self.c(k);
        self.cmp(cc, a, kv)
    }

    /// Per lane: `if mask { a } else { b }`; `mask` is an integer lane mask, `a`/`b`
    /// float or integer vectors of the builder's width.
    pub(crate) fn select(&mut self, mask: Value, a: Value, b: Value) -> Value {
        let ty = self.fb.func.dfg.value_type(a);
        let m = if ty == self.ty { self.float(mask) } else { mask };
        self.fb.ins().bitselect(m, a, b)
    }

    /// `min(x, hi)` that keeps a NaN `x` (one `minps`/`minpd`).
    pub(crate) fn min_keep_nan(&mut self, x: Value, hi: f64) -> Value {
        let h = self.c(hi);
        let m = self.cmp(FloatCC::LessThan, h, x);
        self.select(m, h, x)
    }

    /// `max(x, lo)` that keeps a NaN `x` (one `maxps`/`maxpd`).
    pub(crate) fn max_keep_nan(&mut self, x: Value, lo: f64) -> Value {
        let l = self.c(lo);
        let m = self.cmp(FloatCC::LessThan, x, l);
        self.select(m, l, x)
    }

    /// The sign bits of `a` (as a float vector: `-0.0` or `+0.0` per lane).
    pub(crate) fn sign_of(&mut self, a: Value) -> Value {
        let s = self.c(-0.0);
        self.and(a, s)
    }

    /// `|mag|` with the sign bits `sign` (as from [`Vb::sign_of`]) or-ed in.
    pub(crate) fn with_sign(&mut self, mag: Value, sign: Value) -> Value {
        self.or(mag, sign)
    }

    /// The integer `n` from the raw bits of `n + 1.5 * 2^mant_bits` (for `|n| < 2^(mant_bits-1)`).
    pub(crate) fn magic_int(&mut self, tb: Value) -> Value {
        let magic_bits = if self.is_f64() { (1.5f64 * 2f64.powi(52)).to_bits() as i64 } else { 0x4b40_0000 };
        let m = self.ci(magic_bits);
        self.isub(tb, m)
    }

    /// `2^n` as a float for an integer vector `n` in the normal exponent range.
    pub(crate) fn pow2i(&mut self, n: Value) -> Value {
        self.pow2i_plus(n, 0)
    }

    /// `2^(n + k)` for an integer vector `n` with `n + k` in the normal exponent range.
    pub(crate) fn pow2i_plus(&mut self, n: Value, k: i64) -> Value {
        let b = self.ci(self.bias() + k);
        let e = self.iadd(n, b);
        let e = self.shl(e, self.mant_bits());
        self.float(e)
    }

    /// `a * 2^n` for integer `n` when the result is a normal number: `n` added to the
    /// exponent field of `a` (two integer instructions, exact).
    pub(crate) fn scale_normal(&mut self, a: Value, n: Value) -> Value {
        let e = self.shl(n, self.mant_bits());
        let bits = self.bits(a);
        let r = self.iadd(bits, e);
        self.float(r)
    }

    /// `a * 2^n` for integer `n` in `[-2*bias+2, 2*bias]`, in two steps so that the
    /// result overflows to infinity or rounds to a denormal (or zero) exactly once.
    pub(crate) fn ldexp(&mut self, a: Value, n: Value) -> Value {
        let n1 = self.sshr(n, 1);
        let n2 = self.isub(n, n1);
        let s1 = self.pow2i(n1);
        let s2 = self.pow2i(n2);
        let t = self.mul(a, s1);
        self.mul(t, s2)
    }
}
