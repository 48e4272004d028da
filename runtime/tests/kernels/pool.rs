//! reduce_window against a reference loop: every kind, dtype, rank 1-4, strides,
//! padding (also negative), dilation.

use crate::common::*;
use xlac_runtime::program::{LibraryCall, PoolCall, PoolKind};
use xlac_runtime::ElemType;

struct Win {
    dims: Vec<usize>,
    window: Vec<usize>,
    strides: Vec<usize>,
    padding: Vec<(i64, i64)>,
    dilation: Vec<usize>,
}

impl Win {
    fn out_dims(&self) -> Vec<usize> {
        (0..self.dims.len())
            .map(|d| {
                let dw = (self.window[d] as i64 - 1) * self.dilation[d] as i64 + 1;
                let span = self.dims[d] as i64 + self.padding[d].0 + self.padding[d].1 - dw;
                if span < 0 {
                    0
                } else {
                    (span / self.strides[d] as i64 + 1) as usize
                }
            })
            .collect()
    }
}

fn reference(w: &Win, kind: PoolKind, x: &[f64], is_float: bool) -> Vec<f64> {
    let id = match kind {
        PoolKind::Sum => 0.0,
        PoolKind::Max => {
            if is_float {
                f64::NEG_INFINITY
            } else {
                -1e300
            }
        }
        PoolKind::Min => {
            if is_float {
                f64::INFINITY
            } else {
                1e300
            }
        }
    };
    indices(&w.out_dims())
        .iter()
        .map(|o| {
            let mut acc = id;
            'w: for k in indices(&w.window) {
                let mut pos = vec![];
                for d in 0..o.len() {
                    let q = (o[d] * w.strides[d] + k[d] * w.dilation[d]) as i64 - w.padding[d].0;
                    if q < 0 || q >= w.dims[d] as i64 {
                        continue 'w;
                    }
                    pos.push(q as usize);
                }
                let v = x[offset(&pos, &w.dims)];
                acc = match kind {
                    PoolKind::Sum => acc + v,
                    PoolKind::Max => acc.max(v),
                    PoolKind::Min => acc.min(v),
                };
            }
            acc
        })
        .collect()
}

fn check(w: &Win, seed: u64) {
    let mut rng = Rng::new(seed);
    let n: usize = w.dims.iter().product();
    for elem in [ElemType::F32, ElemType::F64, ElemType::I32, ElemType::I64, ElemType::Bool] {
        let x: Vec<f64> = match elem {
            ElemType::F32 | ElemType::F64 => rng.vec(n),
            ElemType::Bool => rng.ints(n, 1).into_iter().map(|v| v.abs() as f64).collect(),
            _ => rng.ints(n, 1000).into_iter().map(|v| v as f64).collect(),
        };
        for kind in [PoolKind::Sum, PoolKind::Max, PoolKind::Min] {
            let call = PoolCall {
                elem,
                kind,
                input: 0,
                out: 1,
                in_dims: w.dims.clone(),
                out_dims: w.out_dims(),
                window: w.window.clone(),
                strides: w.strides.clone(),
                padding: w.padding.clone(),
                dilation: w.dilation.clone(),
            };
            let p = one_step(&[(elem, w.dims.clone())], (elem, w.out_dims()), LibraryCall::Pool(call));
            let got = values(&run_both(&p, &[float_tensor(elem, &w.dims, &x)]));
            let is_float = matches!(elem, ElemType::F32 | ElemType::F64);
            let mut want = reference(w, kind, &x, is_float);
            if !is_float {
                let (lo, hi) = match elem {
                    ElemType::I32 => (i32::MIN as f64, i32::MAX as f64),
                    ElemType::Bool => (0.0, 1.0),
                    _ => (i64::MIN as f64, i64::MAX as f64),
                };
                want.iter_mut().for_each(|v| *v = v.clamp(lo, hi));
            }
            let tol = if elem == ElemType::F32 { 1e-6 } else { 1e-12 };
            assert_close(&got, &want, tol, &format!("{elem:?} {kind:?}"));
        }
    }
}

fn win(dims: &[usize], window: &[usize], strides: &[usize], padding: &[(i64, i64)], dilation: &[usize]) -> Win {
    Win {
        dims: dims.to_vec(),
        window: window.to_vec(),
        strides: strides.to_vec(),
        padding: padding.to_vec(),
        dilation: dilation.to_vec(),
    }
}

#[test]
fn max_pool_2d_padded() {
    check(&win(&[9, 8], &[3, 3], &[2, 2], &[(1, 1), (1, 0)], &[1, 1]), 1);
}

#[test]
fn dilated_strided_1d_and_negative_padding() {
    check(&win(&[17], &[3], &[2], &[(2, 1)], &[3]), 2);
    check(&win(&[12, 7], &[2, 3], &[3, 1], &[(-2, 1), (0, -1)], &[1, 2]), 3);
}

#[test]
fn nchw_4d_and_large() {
    check(&win(&[2, 3, 8, 9], &[1, 1, 2, 2], &[1, 1, 2, 2], &[(0, 0), (0, 0), (0, 0), (0, 1)], &[1, 1, 1, 1]), 4);
    check(&win(&[4, 64, 66], &[1, 3, 3], &[1, 1, 1], &[(0, 0), (1, 1), (1, 1)], &[1, 1, 1]), 5);
}

#[test]
fn windows_entirely_in_padding_give_identity() {
    check(&win(&[3], &[2], &[1], &[(3, 3)], &[1]), 6);
    check(&win(&[], &[], &[], &[], &[]), 7);
}
