//! The numeric element types and the per-type semantics of arithmetic.
//!
//! [`Num`] is implemented for `f32`, `f64`, `i32` and `i64`; each method is the op
//! table's semantics for that type (integers wrap, division by zero is defined, max/min
//! propagate NaN). The dispatch macros turn a [`TensorData`] into the typed vector a
//! generic kernel works on.

use crate::InterpError;
use xlac_ir::TensorData;

/// One numeric element type. `Acc` is the type reductions and contractions accumulate
/// in: `f64` for both float types (so the oracle is at least as accurate as any
/// compiled kernel), the type itself for integers (which wrap).
pub(crate) trait Num: Copy + PartialOrd {
    /// Accumulator type.
    type Acc: Num;
    /// Additive identity.
    const ZERO: Self;
    /// Multiplicative identity.
    const ONE: Self;
    /// Identity of `max`: -inf or MIN.
    const LOWEST: Self;
    /// Identity of `min`: +inf or MAX.
    const HIGHEST: Self;
    /// Widens to the accumulator (exact).
    fn to_acc(self) -> Self::Acc;
    /// Narrows an accumulator (rounds to nearest for floats).
    fn from_acc(acc: Self::Acc) -> Self;
    /// Wrapping for integers.
    fn add(self, rhs: Self) -> Self;
    /// Wrapping for integers.
    fn sub(self, rhs: Self) -> Self;
    /// Wrapping for integers.
    fn mul(self, rhs: Self) -> Self;
    /// Integers truncate; `x / 0 = -1`, `MIN / -1 = MIN`.
    fn div(self, rhs: Self) -> Self;
    /// C `fmod` for floats; integers: `x % 0 = x`, `MIN % -1 = 0`.
    fn rem(self, rhs: Self) -> Self;
    /// `powf` for floats; integers see [`int_pow`].
    fn pow(self, rhs: Self) -> Self;
    /// The larger operand; NaN if either is NaN.
    fn max(self, rhs: Self) -> Self;
    /// The smaller operand; NaN if either is NaN.
    fn min(self, rhs: Self) -> Self;
    /// Negation (integers wrap).
    fn neg(self) -> Self;
    /// Absolute value (integers wrap: `abs(MIN) = MIN`).
    fn abs(self) -> Self;
    /// -1, 0 or 1; floats keep NaN and the sign of zero.
    fn sign(self) -> Self;
}

macro_rules! impl_float {
    ($t:ty) => {
        impl Num for $t {
            type Acc = f64;
            const ZERO: $t = 0.0;
            const ONE: $t = 1.0;
            const LOWEST: $t = <$t>::NEG_INFINITY;
            const HIGHEST: $t = <$t>::INFINITY;
            fn to_acc(self) -> f64 {
                self as f64
            }
            fn from_acc(acc: f64) -> $t {
                acc as $t
            }
            fn add(self, rhs: $t) -> $t {
                self + rhs
            }
            fn sub(self, rhs: $t) -> $t {
                self - rhs
            }
            fn mul(self, rhs: $t) -> $t {
                self * rhs
            }
            fn div(self, rhs: $t) -> $t {
                self / rhs
            }
            fn rem(self, rhs: $t) -> $t {
                self % rhs
            }
            fn pow(self, rhs: $t) -> $t {
                self.powf(rhs)
            }
            fn max(self, rhs: $t) -> $t {
                if self.is_nan() || rhs.is_nan() {
                    <$t>::NAN
                } else if self >= rhs {
                    self
                } else {
                    rhs
                }
            }
            fn min(self, rhs: $t) -> $t {
                if self.is_nan() || rhs.is_nan() {
                    <$t>::NAN
                } else if self <= rhs {
                    self
                } else {
                    rhs
                }
            }
            fn neg(self) -> $t {
                -self
            }
            fn abs(self) -> $t {
                self.abs()
            }
            fn sign(self) -> $t {
                if self.is_nan() || self == 0.0 {
                    self
                } else {
                    self.signum()
                }
            }
        }
    };
}

macro_rules! impl_int {
    ($t:ty) => {
        impl Num for $t {
            type Acc = $t;
            const ZERO: $t = 0;
            const ONE: $t = 1;
            const LOWEST: $t = <$t>::MIN;
            const HIGHEST: $t = <$t>::MAX;
            fn to_acc(self) -> $t {
                self
            }
            fn from_acc(acc: $t) -> $t {
                acc
            }
            fn add(self, rhs: $t) -> $t {
                self.wrapping_add(rhs)
            }
            fn sub(self, rhs: $t) -> $t {
                self.wrapping_sub(rhs)
            }
            fn mul(self, rhs: $t) -> $t {
                self.wrapping_mul(rhs)
            }
            fn div(self, rhs: $t) -> $t {
                if rhs == 0 {
                    -1
                } else {
                    self.wrapping_div(rhs)
                }
            }
            fn rem(self, rhs: $t) -> $t {
                if rhs == 0 {
                    self
                } else {
                    self.wrapping_rem(rhs)
                }
            }
            fn pow(self, rhs: $t) -> $t {
                // Wrapping arithmetic modulo 2^64 truncates to the same result modulo 2^32.
                int_pow(self as i64, rhs as i64) as $t
            }
            fn max(self, rhs: $t) -> $t {
                Ord::max(self, rhs)
            }
            fn min(self, rhs: $t) -> $t {
                Ord::min(self, rhs)
            }
            fn neg(self) -> $t {
                self.wrapping_neg()
            }
            fn abs(self) -> $t {
                self.wrapping_abs()
            }
            fn sign(self) -> $t {
                self.signum()
            }
        }
    };
}

impl_float!(f32);
impl_float!(f64);
impl_int!(i32);
impl_int!(i64);

/// `base^exp` with wrapping multiplication, by repeated squaring. Negative exponents
/// give 0, except for base 1 (1) and base -1 (1 for even, -1 for odd exponents).
pub(crate) fn int_pow(base: i64, exp: i64) -> i64 {
    if exp < 0 {
        return match base {
            1 => 1,
            -1 if exp % 2 == 0 => 1,
            -1 => -1,
            _ => 0,
        };
    }
    let (mut result, mut square, mut e) = (1i64, base, exp as u64);
    while e > 0 {
        if e & 1 == 1 {
            result = result.wrapping_mul(square);
        }
        square = square.wrapping_mul(square);
        e >>= 1;
    }
    result
}

/// The error for an operand dtype the op does not accept (the type rules exclude it,
/// so this is reached only for unverified ops).
pub(crate) fn unsupported(op: &str, data: &TensorData) -> InterpError {
    InterpError::InvalidOp { op: op.to_string(), message: format!("operand dtype {} is not supported", data.dtype()) }
}

/// The error for operands that should share a dtype but do not.
pub(crate) fn mismatch(op: &str, a: &TensorData, b: &TensorData) -> InterpError {
    InterpError::InvalidOp {
        op: op.to_string(),
        message: format!("operands must have one dtype, found {} and {}", a.dtype(), b.dtype()),
    }
}

/// Binds `$v` to the typed vector of a numeric [`TensorData`] and wraps the value of
/// `$body` (a `Vec` of the same element type) back into the same variant. Bool operands
/// return an error from the enclosing function.
macro_rules! map_numeric {
    ($op:expr, $data:expr, $v:ident => $body:expr) => {
        match $data {
            xlac_ir::TensorData::F32($v) => xlac_ir::TensorData::F32($body),
            xlac_ir::TensorData::F64($v) => xlac_ir::TensorData::F64($body),
            xlac_ir::TensorData::I32($v) => xlac_ir::TensorData::I32($body),
            xlac_ir::TensorData::I64($v) => xlac_ir::TensorData::I64($body),
            other => return Err($crate::num::unsupported($op, other)),
        }
    };
}

/// Like [`map_numeric!`] for two operands of one numeric dtype.
macro_rules! map_numeric2 {
    ($op:expr, $a:expr, $b:expr, $x:ident, $y:ident => $body:expr) => {
        match ($a, $b) {
            (xlac_ir::TensorData::F32($x), xlac_ir::TensorData::F32($y)) => xlac_ir::TensorData::F32($body),
            (xlac_ir::TensorData::F64($x), xlac_ir::TensorData::F64($y)) => xlac_ir::TensorData::F64($body),
            (xlac_ir::TensorData::I32($x), xlac_ir::TensorData::I32($y)) => xlac_ir::TensorData::I32($body),
            (xlac_ir::TensorData::I64($x), xlac_ir::TensorData::I64($y)) => xlac_ir::TensorData::I64($body),
            (a, b) if a.dtype() == b.dtype() => return Err($crate::num::unsupported($op, a)),
            (a, b) => return Err($crate::num::mismatch($op, a, b)),
        }
    };
}

/// Like [`map_numeric!`] for every dtype including bool (element-moving ops).
macro_rules! map_any {
    ($data:expr, $v:ident => $body:expr) => {
        match $data {
            xlac_ir::TensorData::F32($v) => xlac_ir::TensorData::F32($body),
            xlac_ir::TensorData::F64($v) => xlac_ir::TensorData::F64($body),
            xlac_ir::TensorData::I32($v) => xlac_ir::TensorData::I32($body),
            xlac_ir::TensorData::I64($v) => xlac_ir::TensorData::I64($body),
            xlac_ir::TensorData::Bool($v) => xlac_ir::TensorData::Bool($body),
        }
    };
}

/// Like [`map_any!`] for two operands of one dtype; differing dtypes return an error
/// from the enclosing function.
macro_rules! map_any2 {
    ($op:expr, $a:expr, $b:expr, $x:ident, $y:ident => $body:expr) => {
        match ($a, $b) {
            (xlac_ir::TensorData::F32($x), xlac_ir::TensorData::F32($y)) => xlac_ir::TensorData::F32($body),
            (xlac_ir::TensorData::F64($x), xlac_ir::TensorData::F64($y)) => xlac_ir::TensorData::F64($body),
            (xlac_ir::TensorData::I32($x), xlac_ir::TensorData::I32($y)) => xlac_ir::TensorData::I32($body),
            (xlac_ir::TensorData::I64($x), xlac_ir::TensorData::I64($y)) => xlac_ir::TensorData::I64($body),
            (xlac_ir::TensorData::Bool($x), xlac_ir::TensorData::Bool($y)) => xlac_ir::TensorData::Bool($body),
            (a, b) => return Err($crate::num::mismatch($op, a, b)),
        }
    };
}

pub(crate) use {map_any, map_any2, map_numeric, map_numeric2};
