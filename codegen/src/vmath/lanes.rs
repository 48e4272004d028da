//! Moving between one `F32X4` and two `F64X2` halves, for the `f32` routines that
//! compute in `f64` (`pow`, and the argument reduction of `sin`/`cos`).

use cranelift_codegen::ir::{types, ConstantData, Endianness, InstBuilder, MemFlagsData, Value};
use cranelift_frontend::FunctionBuilder;

fn le() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

/// Byte shuffle of two 16-byte vectors (any types) into an `I8X16`.
fn shuffle(fb: &mut FunctionBuilder, a: Value, b: Value, idx: [u8; 16]) -> Value {
    let a = fb.ins().bitcast(types::I8X16, le(), a);
    let b = fb.ins().bitcast(types::I8X16, le(), b);
    let imm = fb.func.dfg.immediates.push(ConstantData::from(&idx[..]));
    fb.ins().shuffle(a, b, imm)
}

/// Lanes 0-1 and lanes 2-3 of an `F32X4`, each widened exactly to an `F64X2`.
pub(crate) fn widen(fb: &mut FunctionBuilder, x: Value) -> (Value, Value) {
    let lo = fb.ins().fvpromote_low(x);
    let swapped = shuffle(fb, x, x, [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]);
    let swapped = fb.ins().bitcast(types::F32X4, le(), swapped);
    let hi = fb.ins().fvpromote_low(swapped);
    (lo, hi)
}

/// Two `F64X2` halves rounded to `f32` and joined into one `F32X4` (`lo` in lanes 0-1).
pub(crate) fn narrow(fb: &mut FunctionBuilder, lo: Value, hi: Value) -> Value {
    let a = fb.ins().fvdemote(lo);
    let b = fb.ins().fvdemote(hi);
    let j = shuffle(fb, a, b, [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
    fb.ins().bitcast(types::F32X4, le(), j)
}

/// The low 32 bits of each lane of two `I64X2` halves, joined into one `I32X4`.
pub(crate) fn narrow_int(fb: &mut FunctionBuilder, lo: Value, hi: Value) -> Value {
    let j = shuffle(fb, lo, hi, [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]);
    fb.ins().bitcast(types::I32X4, le(), j)
}
