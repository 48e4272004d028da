//! GEMM: every stride pattern (transposed operands, broadcast batch), degenerate sizes
//! (k = 0, m or n = 1), every dtype, sizes that split over threads.

use crate::common::*;
use xlac_runtime::program::{GemmCall, LibraryCall};
use xlac_runtime::ElemType;

/// How an operand `[batch, rows, cols]` is stored: returns (storage extents, strides).
fn layout(batch: usize, rows: usize, cols: usize, transposed: bool, broadcast: bool) -> (Vec<usize>, [isize; 3]) {
    let (r, c) = (rows as isize, cols as isize);
    let batch_stride = if broadcast { 0 } else { r * c };
    let stored_batch = if broadcast { 1 } else { batch };
    if transposed {
        (vec![stored_batch, cols, rows], [batch_stride, 1, r])
    } else {
        (vec![stored_batch, rows, cols], [batch_stride, c, 1])
    }
}

fn reference(batch: usize, m: usize, n: usize, k: usize, l: (&[f64], [isize; 3]), r: (&[f64], [isize; 3])) -> Vec<f64> {
    let mut out = vec![0.0; batch * m * n];
    for b in 0..batch {
        for i in 0..m {
            for j in 0..n {
                let mut acc = 0.0;
                for p in 0..k {
                    let li = b as isize * l.1[0] + i as isize * l.1[1] + p as isize * l.1[2];
                    let ri = b as isize * r.1[0] + p as isize * r.1[1] + j as isize * r.1[2];
                    acc += l.0[li as usize] * r.0[ri as usize];
                }
                out[(b * m + i) * n + j] = acc;
            }
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn check(
    elem: ElemType,
    batch: usize,
    m: usize,
    n: usize,
    k: usize,
    lt: bool,
    rt: bool,
    lb: bool,
    rb: bool,
    seed: u64,
) {
    let mut rng = Rng::new(seed);
    let (ldims, ls) = layout(batch, m, k, lt, lb);
    let (rdims, rs) = layout(batch, k, n, rt, rb);
    let is_int = matches!(elem, ElemType::I32 | ElemType::I64);
    let gen = |rng: &mut Rng, len: usize| -> Vec<f64> {
        if is_int {
            rng.ints(len, 9).into_iter().map(|x| x as f64).collect()
        } else {
            rng.vec(len)
        }
    };
    let lhs = gen(&mut rng, ldims.iter().product());
    let rhs = gen(&mut rng, rdims.iter().product());
    let want = reference(batch, m, n, k, (&lhs, ls), (&rhs, rs));
    let call = GemmCall { elem, lhs: 0, rhs: 1, out: 2, batch, m, n, k, lhs_strides: ls, rhs_strides: rs };
    let p =
        one_step(&[(elem, ldims.clone()), (elem, rdims.clone())], (elem, vec![batch, m, n]), LibraryCall::Gemm(call));
    let got = run_both(&p, &[float_tensor(elem, &ldims, &lhs), float_tensor(elem, &rdims, &rhs)]);
    let tol = if elem == ElemType::F32 { 1e-5 * (k as f64 + 1.0) } else { 1e-12 * (k as f64 + 1.0) };
    let what = format!("{elem:?} b{batch} m{m} n{n} k{k} lt{lt} rt{rt} lb{lb} rb{rb}");
    assert_close(&values(&got), &want, tol, &what);
}

const SHAPES: [(usize, usize, usize, usize); 8] =
    [(1, 1, 1, 1), (1, 1, 7, 5), (2, 9, 1, 4), (3, 5, 6, 0), (1, 33, 17, 65), (2, 4, 3, 1), (1, 0, 3, 2), (2, 3, 0, 2)];

#[test]
fn every_stride_pattern_small() {
    let mut seed = 1;
    for elem in [ElemType::F32, ElemType::F64, ElemType::I32, ElemType::I64] {
        for &(batch, m, n, k) in &SHAPES {
            for pattern in 0..16 {
                let bits = |i: u32| pattern >> i & 1 == 1;
                seed += 1;
                check(elem, batch, m, n, k, bits(0), bits(1), bits(2), bits(3), seed);
            }
        }
    }
}

#[test]
fn large_products_split_over_threads() {
    // Above the parallel threshold: split by columns (n >= m), by rows (m > n), by batch.
    check(ElemType::F32, 1, 130, 170, 300, false, false, false, false, 7);
    check(ElemType::F32, 1, 250, 40, 300, true, false, false, false, 8);
    check(ElemType::F64, 5, 64, 64, 128, false, true, false, true, 9);
    check(ElemType::F32, 2, 200, 100, 120, true, true, false, false, 10);
    check(ElemType::I32, 1, 130, 140, 120, false, true, false, false, 11);
}

#[test]
fn integer_products_wrap() {
    let elem = ElemType::I32;
    let call = GemmCall {
        elem,
        lhs: 0,
        rhs: 1,
        out: 2,
        batch: 1,
        m: 1,
        n: 1,
        k: 2,
        lhs_strides: [0, 2, 1],
        rhs_strides: [0, 1, 1],
    };
    let p = one_step(&[(elem, vec![1, 2]), (elem, vec![2, 1])], (elem, vec![1, 1, 1]), LibraryCall::Gemm(call));
    let lhs = xlac_runtime::HostTensor::from_slice(&[1, 2], &[i32::MAX, 1]).unwrap();
    let rhs = xlac_runtime::HostTensor::from_slice(&[2, 1], &[2, 2]).unwrap();
    let got = run_both(&p, &[lhs, rhs]);
    assert_eq!(got.to_vec::<i32>().unwrap(), vec![i32::MAX.wrapping_mul(2).wrapping_add(2)]);
}
