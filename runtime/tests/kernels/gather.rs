//! gather: indices clamped into range, i32 and i64 indices, several element sizes.

use crate::common::*;
use xlac_runtime::program::{GatherCall, LibraryCall};
use xlac_runtime::{ElemType, HostTensor};

fn check(elem: ElemType, index_elem: ElemType, outer: usize, axis_len: usize, inner: usize, idx: &[i64]) {
    let x: Vec<f64> = (0..outer * axis_len * inner).map(|i| i as f64 + 1.0).collect();
    let call = GatherCall {
        elem_size: elem.size(),
        index_elem,
        x: 0,
        indices: 1,
        out: 2,
        outer,
        axis_len,
        inner,
        num_indices: idx.len(),
    };
    let out_dims = vec![outer, idx.len(), inner];
    let ins = [(elem, vec![outer, axis_len, inner]), (index_elem, vec![idx.len()])];
    let p = one_step(&ins, (elem, out_dims), LibraryCall::Gather(call));
    let indices = match index_elem {
        ElemType::I32 => HostTensor::from_slice(&[idx.len()], &idx.iter().map(|&i| i as i32).collect::<Vec<_>>()),
        _ => HostTensor::from_slice(&[idx.len()], idx),
    };
    let got = run_both(&p, &[float_tensor(elem, &ins[0].1, &x), indices.unwrap()]);
    let mut want = vec![];
    for a in 0..outer {
        for &i in idx {
            let j = if axis_len == 0 { None } else { Some(i.clamp(0, axis_len as i64 - 1) as usize) };
            for b in 0..inner {
                want.push(j.map_or(0.0, |j| x[(a * axis_len + j) * inner + b]));
            }
        }
    }
    assert_close(&values(&got), &want, 0.0, &format!("{elem:?} {index_elem:?}"));
}

#[test]
fn clamps_indices() {
    let idx = [-3, 0, 4, 7, 2, i64::MIN, i64::MAX];
    check(ElemType::F32, ElemType::I64, 2, 5, 3, &idx);
    check(ElemType::F64, ElemType::I32, 3, 5, 1, &[-1, 0, 4, 5, 100]);
    check(ElemType::I64, ElemType::I64, 1, 1, 4, &[0, 3, -9]);
}

#[test]
fn large_and_empty() {
    let idx: Vec<i64> = (0..3000).map(|i| (i * 7919) % 1100 - 50).collect();
    check(ElemType::F32, ElemType::I32, 2, 1000, 16, &idx);
    check(ElemType::F32, ElemType::I64, 2, 0, 3, &[0, 1]);
    check(ElemType::F32, ElemType::I64, 2, 4, 3, &[]);
}
