//! Cases for `dot_general` and `convolution`.

use super::common::*;
use xlac_ir::OpKind::*;
use xlac_ir::Tensor;

fn dot(name: &str, lhs: Tensor, rhs: Tensor, batch: (&[i64], &[i64]), contract: (&[i64], &[i64])) -> CaseBuilder {
    case(DotGeneral, name)
        .input(lhs)
        .input(rhs)
        .ints("lhs_batch", batch.0)
        .ints("rhs_batch", batch.1)
        .ints("lhs_contract", contract.0)
        .ints("rhs_contract", contract.1)
}

pub fn dot_cases() -> Vec<Case> {
    let a = || f32s(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let a_t = || f32s(&[3, 2], &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    let b = || f32s(&[3, 2], &[7.0, 8.0, 9.0, 10.0, 11.0, 12.0]);
    let ab = || f32s(&[2, 2], &[58.0, 64.0, 139.0, 154.0]);
    vec![
        dot("matmul", a(), b(), (&[], &[]), (&[1], &[0])).expect(ab()),
        dot("transposed lhs contracting dim", a_t(), b(), (&[], &[]), (&[0], &[0])).expect(ab()),
        // (b^T a^T) = (ab)^T: lhs free dim comes first.
        dot("operands swapped", b(), a(), (&[], &[]), (&[0], &[1])).expect(f32s(&[2, 2], &[58.0, 139.0, 64.0, 154.0])),
        dot(
            "batched matmul",
            f32s(&[2, 2, 2], &[1.0, 2.0, 3.0, 4.0, 1.0, 0.0, 0.0, 1.0]),
            f32s(&[2, 2, 2], &[5.0, 6.0, 7.0, 8.0, 2.0, 3.0, 4.0, 5.0]),
            (&[0], &[0]),
            (&[2], &[1]),
        )
        .expect(f32s(&[2, 2, 2], &[19.0, 22.0, 43.0, 50.0, 2.0, 3.0, 4.0, 5.0])),
        // r[b] = sum_k x[k, b] * y[b, k]
        dot(
            "batch dim not leading, no free dims",
            f64s(&[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            f64s(&[2, 3], &[1.0, 1.0, 1.0, 2.0, 2.0, 2.0]),
            (&[1], &[0]),
            (&[0], &[1]),
        )
        .expect(f64s(&[2], &[9.0, 24.0])),
        // sum_ij a[i,j] * b[j,i] = 5 + 14 + 18 + 32
        dot(
            "two contracting dims in crossed order",
            i32s(&[2, 2], &[1, 2, 3, 4]),
            i32s(&[2, 2], &[5, 6, 7, 8]),
            (&[], &[]),
            (&[0, 1], &[1, 0]),
        )
        .expect(i32s(&[], &[69])),
        dot("outer product", i64s(&[2], &[1, 2]), i64s(&[3], &[3, 4, 5]), (&[], &[]), (&[], &[]))
            .expect(i64s(&[2, 3], &[3, 4, 5, 6, 8, 10])),
        dot("i32 wraps", i32s(&[1], &[65536]), i32s(&[1], &[65536]), (&[], &[]), (&[0], &[0])).expect(i32s(&[], &[0])),
        dot("empty contracting dim gives zeros", f32s(&[2, 0], &[]), f32s(&[0, 3], &[]), (&[], &[]), (&[1], &[0]))
            .expect(f32s(&[2, 3], &[0.0; 6])),
        dot("empty free dim", f32s(&[0, 2], &[]), f32s(&[2, 3], &[0.0; 6]), (&[], &[]), (&[1], &[0]))
            .expect(f32s(&[0, 3], &[])),
        dot("f32 accumulates in f64", f32s(&[3], &[1e8, 1.0, -1e8]), f32s(&[3], &[1.0; 3]), (&[], &[]), (&[0], &[0]))
            .expect(f32s(&[], &[1.0])),
        dot(
            "batch and both free dims, batch last in rhs",
            f32s(&[2, 1, 2], &[1.0, 2.0, 3.0, 4.0]),
            f32s(&[2, 3, 2], &[1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 0.0, 0.0, 2.0, 1.0, -1.0]),
            (&[2], &[2]),
            (&[0], &[0]),
        )
        // result[b, i, j] = sum_k lhs[k, i, b] * rhs[k, j, b]
        // b=0: lhs[:,0,0] = [1, 3]; rhs[:,j,0] = [1,2],[0,0],[1,1] -> 7, 0, 4
        // b=1: lhs[:,0,1] = [2, 4]; rhs[:,j,1] = [0,0],[1,2],[1,-1] -> 0, 10, -2
        .expect(f32s(&[2, 1, 3], &[7.0, 0.0, 4.0, 0.0, 10.0, -2.0])),
    ]
}

fn conv(name: &str, x: Tensor, k: Tensor) -> CaseBuilder {
    case(Convolution, name).input(x).input(k)
}

pub fn conv_cases() -> Vec<Case> {
    let x33 = || f32s(&[1, 1, 3, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
    let x5 = || f32s(&[1, 1, 5], &[1.0, 2.0, 3.0, 4.0, 5.0]);
    vec![
        conv("2-d nchw", x33(), f32s(&[1, 1, 2, 2], &[1.0, 2.0, 3.0, 4.0]))
            .expect(f32s(&[1, 1, 2, 2], &[37.0, 47.0, 67.0, 77.0])),
        conv("2-d strided and padded", x33(), f32s(&[1, 1, 2, 2], &[1.0; 4]))
            .ints("strides", &[2, 2])
            .pairs("padding", &[(1, 1), (1, 1)])
            .expect(f32s(&[1, 1, 2, 2], &[1.0, 5.0, 11.0, 28.0])),
        conv("negative padding crops", x5(), f32s(&[1, 1, 1], &[1.0]))
            .pairs("padding", &[(-1, -1)])
            .expect(f32s(&[1, 1, 3], &[2.0, 3.0, 4.0])),
        conv("rhs (kernel) dilation", x5(), f32s(&[1, 1, 2], &[1.0, 10.0]))
            .ints("rhs_dilation", &[2])
            .expect(f32s(&[1, 1, 3], &[31.0, 42.0, 53.0])),
        conv("lhs (input) dilation", f32s(&[1, 1, 3], &[1.0, 2.0, 3.0]), f32s(&[1, 1, 2], &[1.0, 10.0]))
            .ints("lhs_dilation", &[2])
            .expect(f32s(&[1, 1, 4], &[1.0, 20.0, 2.0, 30.0])),
        conv("lhs dilation with padding", f32s(&[1, 1, 2], &[1.0, 2.0]), f32s(&[1, 1, 2], &[1.0, 10.0]))
            .ints("lhs_dilation", &[2])
            .pairs("padding", &[(1, 1)])
            // padded dilated input: [0, 1, 0, 2, 0]
            .expect(f32s(&[1, 1, 4], &[10.0, 1.0, 20.0, 2.0])),
        conv("extreme lhs dilation, cropped", f32s(&[1, 1, 2], &[1.0, 2.0]), f32s(&[1, 1, 1], &[3.0]))
            .ints("lhs_dilation", &[i64::MAX])
            .pairs("padding", &[(-i64::MAX, 0)])
            .expect(f32s(&[1, 1, 1], &[6.0])),
        conv("extreme stride and rhs dilation", f32s(&[1, 1, 2], &[1.0, 2.0]), f32s(&[1, 1, 2], &[3.0, 5.0]))
            .ints("strides", &[i64::MAX])
            .ints("rhs_dilation", &[i64::MAX])
            .pairs("padding", &[(0, i64::MAX)])
            .expect(f32s(&[1, 1, 1], &[3.0])),
        conv("channels in and out", f32s(&[1, 2, 2], &[1.0, 2.0, 3.0, 4.0]), f32s(&[2, 2, 1], &[1.0, 1.0, 1.0, -1.0]))
            .expect(f32s(&[1, 2, 2], &[4.0, 6.0, -2.0, -2.0])),
        conv(
            "two groups",
            f32s(&[1, 4, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]),
            f32s(&[2, 2, 1], &[1.0, 1.0, 1.0, -1.0]),
        )
        .int("feature_groups", 2)
        .expect(f32s(&[1, 2, 2], &[4.0, 6.0, -2.0, -2.0])),
        conv(
            "two groups of two outputs",
            f32s(&[1, 4, 1], &[1.0, 2.0, 3.0, 4.0]),
            f32s(&[4, 2, 1], &[1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, -1.0]),
        )
        .int("feature_groups", 2)
        // group 0 sees [1, 2]: o0 = 1, o1 = 2; group 1 sees [3, 4]: o2 = 7, o3 = -1.
        .expect(f32s(&[1, 4, 1], &[1.0, 2.0, 7.0, -1.0])),
        conv("depthwise", f32s(&[1, 2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), f32s(&[2, 1, 2], &[1.0, 1.0, 1.0, -1.0]))
            .int("feature_groups", 2)
            .expect(f32s(&[1, 2, 2], &[3.0, 5.0, -1.0, -1.0])),
        conv(
            "2-d nhwc",
            f32s(&[1, 3, 3, 1], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
            f32s(&[2, 2, 1, 1], &[1.0, 2.0, 3.0, 4.0]),
        )
        .enm("layout", "nhwc")
        .expect(f32s(&[1, 2, 2, 1], &[37.0, 47.0, 67.0, 77.0])),
        conv(
            "1-d nhwc with channels",
            f32s(&[1, 2, 2], &[1.0, 3.0, 2.0, 4.0]),
            f32s(&[1, 2, 2], &[1.0, 1.0, 1.0, -1.0]),
        )
        .enm("layout", "nhwc")
        .expect(f32s(&[1, 2, 2], &[4.0, -2.0, 6.0, -2.0])),
        conv("f64 batch of two", f64s(&[2, 1, 2], &[1.0, 2.0, 3.0, 4.0]), f64s(&[1, 1, 2], &[0.5, 0.25]))
            .expect(f64s(&[2, 1, 1], &[1.0, 2.5])),
        conv("3-d", f32_range(&[1, 1, 2, 2, 2]), f32s(&[1, 1, 2, 2, 2], &[1.0; 8]))
            .expect(f32s(&[1, 1, 1, 1, 1], &[28.0])),
        conv("empty batch", f32s(&[0, 1, 3], &[]), f32s(&[1, 1, 2], &[1.0, 1.0])).expect(f32s(&[0, 1, 2], &[])),
        conv("window larger than input", f32s(&[1, 1, 1], &[1.0]), f32s(&[1, 1, 2], &[1.0, 1.0]))
            .expect(f32s(&[1, 1, 0], &[])),
        conv("f32 accumulates in f64", f32s(&[1, 3, 1], &[1e8, 1.0, -1e8]), f32s(&[1, 3, 1], &[1.0; 3]))
            .expect(f32s(&[1, 1, 1], &[1.0])),
    ]
}

pub fn cases() -> Vec<Case> {
    [dot_cases(), conv_cases()].concat()
}
