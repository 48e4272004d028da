//! Library calls: dot_general (strided and transposed operands), convolution, pooling
//! and gather, run through the harness's reference loops against the interpreter.

mod common;
use common::*;
use xlac_ir::{AttrValue, DType, OpKind};

fn dot(lb: &[i64], rb: &[i64], lc: &[i64], rc: &[i64]) -> Vec<(&'static str, AttrValue)> {
    vec![("lhs_batch", ints(lb)), ("rhs_batch", ints(rb)), ("lhs_contract", ints(lc)), ("rhs_contract", ints(rc))]
}

#[test]
fn dot_general_layouts() {
    type Case = (&'static [usize], &'static [usize], [&'static [i64]; 4]);
    let cases: &[Case] = &[
        (&[3, 5], &[5, 4], [&[], &[], &[1], &[0]]),
        (&[5, 3], &[5, 4], [&[], &[], &[0], &[0]]),
        (&[3, 5], &[4, 5], [&[], &[], &[1], &[1]]),
        (&[2, 3, 5], &[2, 5, 4], [&[0], &[0], &[2], &[1]]),
        (&[3, 2, 5], &[5, 4, 2], [&[1], &[2], &[2], &[0]]),
        (&[2, 3, 4, 5], &[4, 5, 6], [&[], &[], &[2, 3], &[0, 1]]),
        (&[2, 3, 4, 5], &[5, 4, 6], [&[], &[], &[2, 3], &[1, 0]]),
        (&[3, 4, 2], &[2, 6], [&[], &[], &[2], &[0]]),
        (&[4, 2, 3], &[2, 6], [&[], &[], &[1], &[0]]),
        (&[3, 0], &[0, 4], [&[], &[], &[1], &[0]]),
        (&[7], &[7], [&[], &[], &[0], &[0]]),
    ];
    for d in [DType::F32, DType::F64, DType::I32, DType::I64] {
        for (ld, rd, [lb, rb, lc, rc]) in cases {
            let ps = [t(d, ld), t(d, rd)];
            let m = module(&ps, |b, p| vec![op(b, OpKind::DotGeneral, &[p[0], p[1]], &dot(lb, rb, lc, rc), None)]);
            check_tol(&m, &inputs(&ps), 1e-5);
        }
    }
}

#[test]
fn convolution_layouts() {
    for layout in ["nchw", "nhwc"] {
        let (x, k) =
            if layout == "nchw" { ([2usize, 4, 7, 6], [6usize, 2, 3, 2]) } else { ([2, 7, 6, 4], [3, 2, 2, 6]) };
        let attrs = vec![
            ("strides", ints(&[2, 1])),
            ("padding", AttrValue::IntPairs(vec![(1, 1), (0, -1)])),
            ("rhs_dilation", ints(&[1, 2])),
            ("lhs_dilation", ints(&[1, 1])),
            ("feature_groups", AttrValue::Int(2)),
            ("layout", AttrValue::Enum(if layout == "nchw" { "nchw" } else { "nhwc" })),
        ];
        for d in [DType::F32, DType::F64] {
            let ps = [t(d, &x), t(d, &k)];
            let m = module(&ps, |b, p| vec![op(b, OpKind::Convolution, &[p[0], p[1]], &attrs, None)]);
            check_tol(&m, &inputs(&ps), 1e-5);
        }
    }
}

#[test]
fn pooling_and_gather() {
    for kind in ["sum", "max", "min"] {
        for d in [DType::F32, DType::I32] {
            let ps = [t(d, &[2, 7, 6])];
            let attrs = vec![
                ("kind", AttrValue::Enum(kind)),
                ("window", ints(&[1, 3, 2])),
                ("strides", ints(&[1, 2, 2])),
                ("padding", AttrValue::IntPairs(vec![(0, 0), (1, 1), (0, 1)])),
            ];
            let m = module(&ps, |b, p| vec![op(b, OpKind::ReduceWindow, &[p[0]], &attrs, None)]);
            check(&m, &inputs(&ps));
        }
    }
    for idx in [DType::I32, DType::I64] {
        let ps = [t(DType::F32, &[3, 5, 2]), t(idx, &[2, 2])];
        let m = module(&ps, |b, p| vec![op(b, OpKind::Gather, &[p[0], p[1]], &[("axis", AttrValue::Int(1))], None)]);
        check(&m, &inputs(&ps));
    }
}
