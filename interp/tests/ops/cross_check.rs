//! Cross-checks on pseudo-random data: convolution against a separately written naive
//! 2-d convolution that materializes the dilated, padded input; nhwc against nchw; and
//! dot_general against a naive batched matmul.

use super::common::*;
use xlac_ir::{AttrValue, Attrs, OpKind, Tensor, TensorData};

struct Conv2d {
    strides: [usize; 2],
    padding: [(i64, i64); 2],
    lhs_dilation: [usize; 2],
    rhs_dilation: [usize; 2],
    groups: usize,
}

impl Conv2d {
    fn attrs(&self, layout: &'static str) -> Attrs {
        let ints = |v: [usize; 2]| AttrValue::Ints(v.iter().map(|&x| x as i64).collect());
        Attrs::new(OpKind::Convolution)
            .with("strides", ints(self.strides))
            .with("padding", AttrValue::IntPairs(self.padding.to_vec()))
            .with("lhs_dilation", ints(self.lhs_dilation))
            .with("rhs_dilation", ints(self.rhs_dilation))
            .with("feature_groups", AttrValue::Int(self.groups as i64))
            .with("layout", AttrValue::Enum(layout))
    }
}

fn data(t: &Tensor) -> &[f32] {
    match &t.data {
        TensorData::F32(v) => v,
        _ => panic!("f32 expected"),
    }
}

/// One spatial dim of the input, dilated and padded: `Some(i)` reads input index `i`.
fn dilate_pad(n: usize, dilation: usize, (lo, hi): (i64, i64)) -> Vec<Option<usize>> {
    let dilated = (n as i64 - 1) * dilation as i64 + 1;
    (0..dilated + lo + hi)
        .map(|p| {
            let src = p - lo;
            (src >= 0 && src < dilated && src % dilation as i64 == 0).then(|| (src / dilation as i64) as usize)
        })
        .collect()
}

/// nchw input [n, c, h, w], kernel [o, c/groups, kh, kw].
fn naive_conv(x: &Tensor, k: &Tensor, p: &Conv2d) -> Tensor {
    let [n, c, h, w] = x.shape.dims().try_into().unwrap();
    let [o, cg, kh, kw] = k.shape.dims().try_into().unwrap();
    let rows = dilate_pad(h, p.lhs_dilation[0], p.padding[0]);
    let cols = dilate_pad(w, p.lhs_dilation[1], p.padding[1]);
    let span = |taps: usize, d: usize| (taps - 1) * d + 1;
    let oh = (rows.len() - span(kh, p.rhs_dilation[0])) / p.strides[0] + 1;
    let ow = (cols.len() - span(kw, p.rhs_dilation[1])) / p.strides[1] + 1;
    let (xv, kv) = (data(x), data(k));
    let mut out = Vec::new();
    for b in 0..n {
        for f in 0..o {
            let group = f / (o / p.groups);
            for i in 0..oh {
                for j in 0..ow {
                    let mut sum = 0.0f64;
                    for ci in 0..cg {
                        let ch = group * cg + ci;
                        for a in 0..kh {
                            for bb in 0..kw {
                                let r = rows[i * p.strides[0] + a * p.rhs_dilation[0]];
                                let s = cols[j * p.strides[1] + bb * p.rhs_dilation[1]];
                                if let (Some(r), Some(s)) = (r, s) {
                                    let xval = xv[((b * c + ch) * h + r) * w + s] as f64;
                                    sum += xval * kv[((f * cg + ci) * kh + a) * kw + bb] as f64;
                                }
                            }
                        }
                    }
                    out.push(sum as f32);
                }
            }
        }
    }
    f32s(&[n, o, oh, ow], &out)
}

fn transpose(t: &Tensor, perm: &[i64]) -> Tensor {
    run_op(
        OpKind::Transpose,
        Attrs::new(OpKind::Transpose).with("perm", AttrValue::Ints(perm.to_vec())),
        std::slice::from_ref(t),
        None,
    )
}

#[test]
fn convolution_matches_naive_and_nhwc_matches_nchw() {
    let configs = [
        Conv2d { strides: [1, 1], padding: [(0, 0), (0, 0)], lhs_dilation: [1, 1], rhs_dilation: [1, 1], groups: 1 },
        Conv2d { strides: [2, 3], padding: [(1, 2), (2, 0)], lhs_dilation: [1, 1], rhs_dilation: [1, 1], groups: 1 },
        Conv2d { strides: [1, 2], padding: [(-1, 1), (0, -2)], lhs_dilation: [1, 1], rhs_dilation: [2, 1], groups: 2 },
        Conv2d { strides: [2, 1], padding: [(1, 1), (1, 1)], lhs_dilation: [2, 3], rhs_dilation: [1, 2], groups: 1 },
        Conv2d { strides: [1, 1], padding: [(1, 1), (1, 1)], lhs_dilation: [1, 1], rhs_dilation: [1, 1], groups: 4 },
    ];
    for (i, p) in configs.iter().enumerate() {
        let x = small_ints(&[2, 4, 6, 7], i as u64);
        let k = small_ints(&[4, 4 / p.groups, 3, 2], 100 + i as u64);
        let nchw = run_op(OpKind::Convolution, p.attrs("nchw"), &[x.clone(), k.clone()], None);
        assert_eq!(nchw, naive_conv(&x, &k, p), "config {i}: nchw differs from the naive convolution");
        let nhwc = run_op(
            OpKind::Convolution,
            p.attrs("nhwc"),
            &[transpose(&x, &[0, 2, 3, 1]), transpose(&k, &[2, 3, 1, 0])],
            None,
        );
        assert_eq!(transpose(&nhwc, &[0, 3, 1, 2]), nchw, "config {i}: nhwc differs from nchw");
    }
}

#[test]
fn dot_general_matches_naive_batched_matmul() {
    // lhs [k, b, m], rhs [n, k, b]: batch (1, 2), contract (0, 1) -> result [b, m, n].
    let (b, m, n, k) = (3, 4, 5, 6);
    let lhs = small_ints(&[k, b, m], 7);
    let rhs = small_ints(&[n, k, b], 8);
    let attrs = Attrs::new(OpKind::DotGeneral)
        .with("lhs_batch", AttrValue::Ints(vec![1]))
        .with("rhs_batch", AttrValue::Ints(vec![2]))
        .with("lhs_contract", AttrValue::Ints(vec![0]))
        .with("rhs_contract", AttrValue::Ints(vec![1]));
    let got = run_op(OpKind::DotGeneral, attrs, &[lhs.clone(), rhs.clone()], None);
    let (l, r) = (data(&lhs), data(&rhs));
    let mut want = Vec::new();
    for bi in 0..b {
        for mi in 0..m {
            for ni in 0..n {
                let sum: f32 = (0..k).map(|ki| l[(ki * b + bi) * m + mi] * r[(ni * k + ki) * b + bi]).sum();
                want.push(sum);
            }
        }
    }
    assert_eq!(got, f32s(&[b, m, n], &want));
}
