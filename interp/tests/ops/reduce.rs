//! Cases for `reduce` and `reduce_window`.

use super::common::*;
use xlac_ir::OpKind::*;

fn reduce(name: &str, kind: &'static str, dims: &[i64], x: xlac_ir::Tensor, want: xlac_ir::Tensor) -> Case {
    case(Reduce, &format!("{kind} {name}")).enm("kind", kind).ints("dims", dims).input(x).expect(want)
}

pub fn reduce_cases() -> Vec<Case> {
    let x23 = || f32s(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let nan = f32::NAN;
    vec![
        reduce("rows", "sum", &[1], x23(), f32s(&[2], &[6.0, 15.0])),
        reduce("columns", "sum", &[0], x23(), f32s(&[3], &[5.0, 7.0, 9.0])),
        reduce("everything", "sum", &[0, 1], x23(), f32s(&[], &[21.0])),
        reduce("no dims copies", "sum", &[], x23(), x23()),
        // sum over i, k of (6i + 2j + k) = 8j + 14.
        reduce("dims 0 and 2 of 3-d", "sum", &[0, 2], f32_range(&[2, 3, 2]), f32s(&[3], &[14.0, 22.0, 30.0])),
        reduce("f32 accumulates in f64", "sum", &[0], f32s(&[3], &[1e8, 1.0, -1e8]), f32s(&[], &[1.0])),
        reduce("i64 wraps", "sum", &[0], i64s(&[2], &[i64::MAX, 1]), i64s(&[], &[i64::MIN])),
        reduce("i32 rows", "prod", &[1], i32s(&[2, 3], &[1, 2, 3, 4, 5, 6]), i32s(&[2], &[6, 120])),
        reduce("i32 wraps", "prod", &[0], i32s(&[2], &[65536, 65536]), i32s(&[], &[0])),
        reduce("f64", "prod", &[0], f64s(&[3], &[0.5, -4.0, 3.0]), f64s(&[], &[-6.0])),
        reduce("NaN propagates", "max", &[1], f32s(&[2, 3], &[1.0, nan, 3.0, 4.0, 5.0, 6.0]), f32s(&[2], &[nan, 6.0])),
        reduce("NaN propagates", "min", &[0], f64s(&[3], &[1.0, f64::NAN, -3.0]), f64s(&[], &[f64::NAN])),
        reduce("i64 columns", "min", &[0], i64s(&[2, 2], &[3, -1, 2, 5]), i64s(&[2], &[2, -1])),
        reduce("i32 over the middle dim", "max", &[1], i32s(&[2, 2, 1], &[1, 4, -3, -7]), i32s(&[2, 1], &[4, -3])),
        reduce("empty dim gives 0", "sum", &[0], f32s(&[0, 3], &[]), f32s(&[3], &[0.0; 3])),
        reduce("empty dim gives -inf", "max", &[1], f32s(&[2, 0], &[]), f32s(&[2], &[f32::NEG_INFINITY; 2])),
        reduce("empty dim gives MAX", "min", &[0], i32s(&[0], &[]), i32s(&[], &[i32::MAX])),
        reduce("empty dim gives 1", "prod", &[0], f64s(&[0], &[]), f64s(&[], &[1.0])),
        reduce("empty dim gives MIN", "max", &[0], i64s(&[0], &[]), i64s(&[], &[i64::MIN])),
        reduce("empty dim gives +inf", "min", &[0], f64s(&[0], &[]), f64s(&[], &[f64::INFINITY])),
        reduce("kept empty dim", "sum", &[1], f32s(&[0, 2], &[]), f32s(&[0], &[])),
    ]
}

fn pool(name: &str, kind: &'static str, window: &[i64], x: xlac_ir::Tensor) -> CaseBuilder {
    case(ReduceWindow, &format!("{kind} {name}")).enm("kind", kind).ints("window", window).input(x)
}

pub fn reduce_window_cases() -> Vec<Case> {
    vec![
        pool("1-d strided", "max", &[2], f32s(&[5], &[1.0, 3.0, 2.0, 5.0, 4.0]))
            .ints("strides", &[2])
            .expect(f32s(&[2], &[3.0, 5.0])),
        pool("1-d strided with padding", "max", &[3], f32s(&[4], &[1.0, 3.0, 2.0, 5.0]))
            .ints("strides", &[2])
            .pairs("padding", &[(1, 1)])
            .expect(f32s(&[2], &[3.0, 5.0])),
        pool("2-d with padding", "sum", &[2, 2], f32s(&[2, 2], &[1.0, 2.0, 3.0, 4.0]))
            .pairs("padding", &[(1, 1), (1, 1)])
            .expect(f32s(&[3, 3], &[1.0, 3.0, 2.0, 4.0, 10.0, 6.0, 3.0, 7.0, 4.0])),
        pool("padding is +inf", "min", &[2], f32s(&[3], &[-1.0, -5.0, 2.0]))
            .pairs("padding", &[(1, 0)])
            .expect(f32s(&[3], &[-1.0, -5.0, -5.0])),
        pool("all-padding windows give -inf", "max", &[1], f64s(&[1], &[-3.0]))
            .pairs("padding", &[(1, 1)])
            .expect(f64s(&[3], &[f64::NEG_INFINITY, -3.0, f64::NEG_INFINITY])),
        pool("dilated", "sum", &[2], i64s(&[5], &[1, 2, 3, 4, 5]))
            .ints("dilation", &[2])
            .expect(i64s(&[3], &[4, 6, 8])),
        pool("2-d strides [1,2]", "sum", &[2, 2], i32s(&[2, 4], &[1, 2, 3, 4, 5, 6, 7, 8]))
            .ints("strides", &[1, 2])
            .expect(i32s(&[1, 2], &[14, 22])),
        pool("negative padding crops", "sum", &[1], i32s(&[4], &[1, 2, 3, 4]))
            .pairs("padding", &[(-1, -1)])
            .expect(i32s(&[2], &[2, 3])),
        pool("extreme stride", "sum", &[1], i32s(&[3], &[4, 5, 6]))
            .ints("strides", &[i64::MAX])
            .expect(i32s(&[1], &[4])),
        pool("extreme dilation and padding", "max", &[2], i32s(&[1], &[4]))
            .ints("dilation", &[i64::MAX])
            .pairs("padding", &[(0, i64::MAX)])
            .expect(i32s(&[1], &[4])),
        pool("NaN propagates", "max", &[2], f32s(&[3], &[f32::NAN, 1.0, 2.0])).expect(f32s(&[2], &[f32::NAN, 2.0])),
        pool("window larger than input", "sum", &[1], f32s(&[0], &[])).expect(f32s(&[0], &[])),
        pool("empty input, padded", "sum", &[1], f32s(&[0], &[]))
            .pairs("padding", &[(1, 0)])
            .expect(f32s(&[1], &[0.0])),
        pool("f32 accumulates in f64", "sum", &[3], f32s(&[3], &[1e8, 1.0, -1e8])).expect(f32s(&[1], &[1.0])),
    ]
}

pub fn cases() -> Vec<Case> {
    [reduce_cases(), reduce_window_cases()].concat()
}
