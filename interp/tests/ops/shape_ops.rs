//! Cases for `constant`, `iota` and the index-map ops.

use super::common::*;
use std::sync::Arc;
use xlac_ir::{AttrValue, DType, Literal, OpKind::*, TensorData};

fn constant(name: &str, lit: Literal, want: xlac_ir::Tensor) -> Case {
    let declared = want.ty();
    case(Constant, name).attr("value", AttrValue::Literal(lit)).declared(declared).expect(want)
}

pub fn source_cases() -> Vec<Case> {
    let weight = f64s(&[2], &[0.25, -1.0]);
    vec![
        constant("f32 splat", Literal::Splat(TensorData::F32(vec![2.5])), f32s(&[2, 2], &[2.5; 4])),
        constant("bool scalar splat", Literal::Splat(TensorData::Bool(vec![true])), bools(&[], &[true])),
        constant("splat over an empty shape", Literal::Splat(TensorData::I64(vec![7])), i64s(&[0, 3], &[])),
        constant("i32 dense", Literal::Dense(TensorData::I32(vec![1, 2, 3, 4])), i32s(&[2, 2], &[1, 2, 3, 4])),
        constant("weight", Literal::Weight { key: "w".into(), data: Arc::new(weight.clone()) }, weight),
        case(Iota, "i32 along dim 1")
            .int("dim", 1)
            .declared(ty(DType::I32, &[2, 3]))
            .expect(i32s(&[2, 3], &[0, 1, 2, 0, 1, 2])),
        case(Iota, "f32 along dim 0")
            .int("dim", 0)
            .declared(ty(DType::F32, &[3, 2]))
            .expect(f32s(&[3, 2], &[0.0, 0.0, 1.0, 1.0, 2.0, 2.0])),
        case(Iota, "f64 1-d").int("dim", 0).declared(ty(DType::F64, &[3])).expect(f64s(&[3], &[0.0, 1.0, 2.0])),
        case(Iota, "i64 empty").int("dim", 0).declared(ty(DType::I64, &[2, 0])).expect(i64s(&[2, 0], &[])),
    ]
}

pub fn broadcast_reshape_transpose_cases() -> Vec<Case> {
    let x23 = || f32s(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    // result[i, j, k] = x[j, k, i] for perm [2, 0, 1] of x = 0..24 in [2, 3, 4].
    let mut perm201 = Vec::new();
    for i in 0..4 {
        for j in 0..2 {
            for k in 0..3 {
                perm201.push((j * 12 + k * 4 + i) as f32);
            }
        }
    }
    vec![
        case(BroadcastInDim, "row vector to rows")
            .input(f32s(&[3], &[1.0, 2.0, 3.0]))
            .ints("dims", &[1])
            .declared(ty(DType::F32, &[2, 3]))
            .expect(f32s(&[2, 3], &[1.0, 2.0, 3.0, 1.0, 2.0, 3.0])),
        case(BroadcastInDim, "size-1 dim repeats")
            .input(i32s(&[2, 1], &[7, 8]))
            .ints("dims", &[0, 1])
            .declared(ty(DType::I32, &[2, 3]))
            .expect(i32s(&[2, 3], &[7, 7, 7, 8, 8, 8])),
        case(BroadcastInDim, "size-1 into a new middle dim")
            .input(f64s(&[1, 2], &[1.0, 2.0]))
            .ints("dims", &[0, 2])
            .declared(ty(DType::F64, &[3, 2, 2]))
            .expect(f64s(&[3, 2, 2], &[1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0])),
        case(BroadcastInDim, "bool scalar")
            .input(bools(&[], &[true]))
            .ints("dims", &[])
            .declared(ty(DType::Bool, &[2, 2]))
            .expect(bools(&[2, 2], &[true; 4])),
        case(BroadcastInDim, "to an empty result")
            .input(f32s(&[1], &[1.0]))
            .ints("dims", &[1])
            .declared(ty(DType::F32, &[0, 1]))
            .expect(f32s(&[0, 1], &[])),
        case(Reshape, "2x3 to 3x2")
            .input(x23())
            .declared(ty(DType::F32, &[3, 2]))
            .expect(f32s(&[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])),
        case(Reshape, "to a scalar").input(i64s(&[1, 1], &[9])).declared(ty(DType::I64, &[])).expect(i64s(&[], &[9])),
        case(Reshape, "empty").input(i32s(&[0, 2], &[])).declared(ty(DType::I32, &[2, 0])).expect(i32s(&[2, 0], &[])),
        case(Transpose, "2-d")
            .input(x23())
            .ints("perm", &[1, 0])
            .expect(f32s(&[3, 2], &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0])),
        case(Transpose, "3-d perm [2,0,1]")
            .input(f32_range(&[2, 3, 4]))
            .ints("perm", &[2, 0, 1])
            .expect(f32s(&[4, 2, 3], &perm201)),
        case(Transpose, "identity on bool")
            .input(bools(&[2], &[true, false]))
            .ints("perm", &[0])
            .expect(bools(&[2], &[true, false])),
        case(Transpose, "empty").input(i32s(&[0, 2], &[])).ints("perm", &[1, 0]).expect(i32s(&[2, 0], &[])),
    ]
}

pub fn slice_concat_cases() -> Vec<Case> {
    vec![
        case(Slice, "1-d strided")
            .input(f32_range(&[5]))
            .ints("start", &[1])
            .ints("limit", &[5])
            .ints("strides", &[2])
            .expect(f32s(&[2], &[1.0, 3.0])),
        case(Slice, "2-d strided")
            .input(f32_range(&[3, 4]))
            .ints("start", &[0, 1])
            .ints("limit", &[3, 4])
            .ints("strides", &[2, 2])
            .expect(f32s(&[2, 2], &[1.0, 3.0, 9.0, 11.0])),
        case(Slice, "default strides, not a multiple")
            .input(i64s(&[4], &[10, 11, 12, 13]))
            .ints("start", &[1])
            .ints("limit", &[4])
            .ints("strides", &[2])
            .expect(i64s(&[2], &[11, 13])),
        case(Slice, "no strides attribute")
            .input(i32s(&[2, 2], &[1, 2, 3, 4]))
            .ints("start", &[1, 0])
            .ints("limit", &[2, 2])
            .expect(i32s(&[1, 2], &[3, 4])),
        case(Slice, "empty").input(f32_range(&[3])).ints("start", &[2]).ints("limit", &[2]).expect(f32s(&[0], &[])),
        case(Concatenate, "dim 0")
            .input(f32s(&[1, 2], &[1.0, 2.0]))
            .input(f32s(&[2, 2], &[3.0, 4.0, 5.0, 6.0]))
            .int("dim", 0)
            .expect(f32s(&[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])),
        case(Concatenate, "dim 1 with an empty operand")
            .input(i32s(&[2, 1], &[1, 2]))
            .input(i32s(&[2, 0], &[]))
            .input(i32s(&[2, 2], &[3, 4, 5, 6]))
            .int("dim", 1)
            .expect(i32s(&[2, 3], &[1, 3, 4, 2, 5, 6])),
        case(Concatenate, "single bool operand")
            .input(bools(&[2], &[true, false]))
            .int("dim", 0)
            .expect(bools(&[2], &[true, false])),
        case(Concatenate, "middle dim of 3-d")
            .input(i64s(&[2, 1, 1], &[1, 2]))
            .input(i64s(&[2, 1, 1], &[3, 4]))
            .int("dim", 1)
            .expect(i64s(&[2, 2, 1], &[1, 3, 2, 4])),
    ]
}

fn pad(
    name: &str,
    x: xlac_ir::Tensor,
    value: xlac_ir::Tensor,
    lhi: (&[i64], &[i64]),
    interior: Option<&[i64]>,
) -> CaseBuilder {
    let b = case(Pad, name).input(x).input(value).ints("low", lhi.0).ints("high", lhi.1);
    match interior {
        Some(i) => b.ints("interior", i),
        None => b,
    }
}

pub fn pad_reverse_cases() -> Vec<Case> {
    let x3 = || f32s(&[3], &[1.0, 2.0, 3.0]);
    let zero = || f32s(&[], &[0.0]);
    let p = -1.0;
    vec![
        pad("low and high", x3(), zero(), (&[1], &[2]), None).expect(f32s(&[6], &[0.0, 1.0, 2.0, 3.0, 0.0, 0.0])),
        pad("interior", x3(), zero(), (&[0], &[0]), Some(&[1])).expect(f32s(&[5], &[1.0, 0.0, 2.0, 0.0, 3.0])),
        pad("negative low crops", x3(), zero(), (&[-1], &[1]), None).expect(f32s(&[3], &[2.0, 3.0, 0.0])),
        pad("negative low and high with interior", x3(), zero(), (&[-1], &[-1]), Some(&[1]))
            .expect(f32s(&[3], &[0.0, 2.0, 0.0])),
        pad("crop everything", x3(), zero(), (&[-2], &[-1]), None).expect(f32s(&[0], &[])),
        pad("2-d mixed", f32s(&[2, 2], &[1.0, 2.0, 3.0, 4.0]), f32s(&[], &[p]), (&[1, 0], &[0, 1]), Some(&[0, 1]))
            .expect(f32s(&[3, 4], &[p, p, p, p, 1.0, p, 2.0, p, 3.0, p, 4.0, p])),
        pad("empty operand", i32s(&[0], &[]), i32s(&[], &[9]), (&[2], &[1]), Some(&[3])).expect(i32s(&[3], &[9, 9, 9])),
        pad("extreme low and high", i64s(&[2], &[1, 2]), i64s(&[], &[0]), (&[i64::MIN], &[i64::MAX]), None)
            .expect(i64s(&[1], &[0])),
        pad("extreme interior, cropped", i64s(&[2], &[1, 2]), i64s(&[], &[0]), (&[-i64::MAX], &[0]), Some(&[i64::MAX]))
            .expect(i64s(&[2], &[0, 2])),
        pad("bool", bools(&[1], &[true]), bools(&[], &[false]), (&[1], &[0]), None).expect(bools(&[2], &[false, true])),
        case(Reverse, "one dim")
            .input(f32s(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
            .ints("dims", &[1])
            .expect(f32s(&[2, 3], &[3.0, 2.0, 1.0, 6.0, 5.0, 4.0])),
        case(Reverse, "both dims")
            .input(i32s(&[2, 3], &[1, 2, 3, 4, 5, 6]))
            .ints("dims", &[0, 1])
            .expect(i32s(&[2, 3], &[6, 5, 4, 3, 2, 1])),
        case(Reverse, "no dims").input(i64s(&[2], &[1, 2])).ints("dims", &[]).expect(i64s(&[2], &[1, 2])),
        case(Reverse, "empty").input(f32s(&[0, 2], &[])).ints("dims", &[0]).expect(f32s(&[0, 2], &[])),
    ]
}

pub fn cases() -> Vec<Case> {
    [source_cases(), broadcast_reshape_transpose_cases(), slice_concat_cases(), pad_reverse_cases()].concat()
}
