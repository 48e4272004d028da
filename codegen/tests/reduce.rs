//! `reduce` over inner, outer and several dims, of every numeric dtype and kind.

mod common;
use common::*;
use xlac_ir::{AttrValue, DType, OpKind};

fn reduce_case(d: DType, dims: &[usize], rdims: &[i64], kind: &'static str) {
    let ps = [t(d, dims)];
    let m = module(&ps, |b, p| {
        vec![op(b, OpKind::Reduce, &[p[0]], &[("kind", AttrValue::Enum(kind)), ("dims", ints(rdims))], None)]
    });
    let mut ins = inputs(&ps);
    if kind == "prod" {
        // Keep products finite and exact-ish: values near 1.
        ins[0] = match d {
            DType::F32 | DType::F64 => {
                let v: Vec<f64> = (0..ins[0].data.len()).map(|i| 1.0 + ins[0].data.get_f64(i) / 5000.0).collect();
                let data = if d == DType::F32 {
                    xlac_ir::TensorData::F32(v.iter().map(|&x| x as f32).collect())
                } else {
                    xlac_ir::TensorData::F64(v)
                };
                xlac_ir::Tensor::new(dims.to_vec(), data).unwrap()
            }
            _ => ins[0].clone(),
        };
    }
    check_tol(&m, &ins, if d == DType::F32 { 2e-5 } else { 1e-9 });
}

#[test]
fn reduce_all_kinds_and_axes() {
    let shapes: &[(&[usize], &[i64])] = &[
        (&[7], &[0]),
        (&[3, 17], &[1]),
        (&[3, 17], &[0]),
        (&[5, 3, 9], &[0, 2]),
        (&[2, 3, 33], &[1, 2]),
        (&[4, 5, 6], &[0, 1, 2]),
        (&[6, 5], &[]),
        (&[1, 40], &[1]),
        (&[3, 0], &[1]),
        (&[0, 3], &[1]),
        (&[2, 1, 3], &[1]),
        // Rows long enough for the runtime's 8-lane fold (f32 on AVX2 hosts).
        (&[3, 1001], &[1]),
        (&[2, 3, 70], &[2]),
        (&[64], &[0]),
    ];
    for d in [DType::F32, DType::F64, DType::I32, DType::I64] {
        for kind in ["sum", "prod", "max", "min"] {
            for &(dims, rdims) in shapes {
                reduce_case(d, dims, rdims, kind);
            }
        }
    }
}

#[test]
fn reduce_propagates_nan() {
    let x = xlac_ir::Tensor::new(
        vec![2, 9],
        xlac_ir::TensorData::F32((0..18).map(|i| if i == 11 { f32::NAN } else { i as f32 }).collect()),
    )
    .unwrap();
    for kind in ["max", "min", "sum"] {
        for rd in [0i64, 1] {
            let ps = [t(DType::F32, &[2, 9])];
            let m = module(&ps, |b, p| {
                vec![op(b, OpKind::Reduce, &[p[0]], &[("kind", AttrValue::Enum(kind)), ("dims", ints(&[rd]))], None)]
            });
            check(&m, std::slice::from_ref(&x));
        }
    }
}

#[test]
fn softmax_like_chain() {
    check_fn(&[t(DType::F32, &[3, 21])], |b, p| {
        let mx = op(b, OpKind::Reduce, &[p[0]], &[("kind", AttrValue::Enum("max")), ("dims", ints(&[1]))], None);
        let bm = op(b, OpKind::BroadcastInDim, &[mx], &[("dims", ints(&[0]))], Some(t(DType::F32, &[3, 21])));
        let s = op(b, OpKind::Sub, &[p[0], bm], &[], None);
        let e = op(b, OpKind::Exp, &[s], &[], None);
        let sum = op(b, OpKind::Reduce, &[e], &[("kind", AttrValue::Enum("sum")), ("dims", ints(&[1]))], None);
        let bs = op(b, OpKind::BroadcastInDim, &[sum], &[("dims", ints(&[0]))], Some(t(DType::F32, &[3, 21])));
        vec![op(b, OpKind::Div, &[e, bs], &[], None)]
    });
}

/// Float max/min reductions fold vectors with `maxps`/`minps` and collect NaN lanes
/// apart: a NaN at any position of a row (the unrolled loop, the single-vector loop,
/// the scalar tail) makes the row's result NaN; the row without one is exact; infinities
/// are ordinary values. Rows of 130 `f32` are folded by the runtime's 8-lane call on
/// AVX2 hosts (sums too).
#[test]
fn max_min_see_a_nan_at_every_position() {
    for (d, rows, cols) in [(DType::F32, 38, 37), (DType::F64, 38, 37), (DType::F32, 131, 130), (DType::F64, 131, 130)]
    {
        let v: Vec<f64> = (0..rows * cols)
            .map(|i| {
                let (r, c) = (i / cols, i % cols);
                match (r, c) {
                    (r, c) if r == c => f64::NAN,
                    (_, 5) => f64::INFINITY,
                    (_, 9) => f64::NEG_INFINITY,
                    _ => ((i * 7919) % 201) as f64 - 100.0,
                }
            })
            .collect();
        let data = match d {
            DType::F32 => xlac_ir::TensorData::F32(v.iter().map(|&x| x as f32).collect()),
            _ => xlac_ir::TensorData::F64(v),
        };
        let x = xlac_ir::Tensor::new(vec![rows, cols], data).unwrap();
        for kind in ["max", "min", "sum"] {
            let ps = [t(d, &[rows, cols])];
            let m = module(&ps, |b, p| {
                vec![op(b, OpKind::Reduce, &[p[0]], &[("kind", AttrValue::Enum(kind)), ("dims", ints(&[1]))], None)]
            });
            check(&m, std::slice::from_ref(&x));
        }
    }
}
