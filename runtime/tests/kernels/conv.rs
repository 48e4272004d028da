//! Convolution against a direct 7-deep reference loop: grouped, depthwise, strided,
//! padded, cropped, both dilations, 1-d/2-d/3-d, pointwise, channels-last equal to
//! channels-first after transposition.

use crate::common::*;
use xlac_runtime::program::{ConvCall, LibraryCall};
use xlac_runtime::ElemType;

#[derive(Clone)]
struct Case {
    n: usize,
    c: usize,
    o: usize,
    groups: usize,
    input: Vec<usize>,
    kernel: Vec<usize>,
    strides: Vec<usize>,
    padding: Vec<(i64, i64)>,
    ld: Vec<usize>,
    rd: Vec<usize>,
}

impl Case {
    fn new(n: usize, c: usize, o: usize, groups: usize, input: &[usize], kernel: &[usize]) -> Case {
        let r = input.len();
        Case {
            n,
            c,
            o,
            groups,
            input: input.to_vec(),
            kernel: kernel.to_vec(),
            strides: vec![1; r],
            padding: vec![(0, 0); r],
            ld: vec![1; r],
            rd: vec![1; r],
        }
    }
    fn strides(mut self, s: &[usize]) -> Case {
        self.strides = s.to_vec();
        self
    }
    fn padding(mut self, p: &[(i64, i64)]) -> Case {
        self.padding = p.to_vec();
        self
    }
    fn dilation(mut self, ld: &[usize], rd: &[usize]) -> Case {
        (self.ld, self.rd) = (ld.to_vec(), rd.to_vec());
        self
    }
    fn out_spatial(&self) -> Vec<usize> {
        (0..self.input.len())
            .map(|d| {
                let di = (self.input[d] as i64 - 1) * self.ld[d] as i64 + 1;
                let dk = (self.kernel[d] as i64 - 1) * self.rd[d] as i64 + 1;
                let span = di + self.padding[d].0 + self.padding[d].1 - dk;
                if span < 0 {
                    0
                } else {
                    (span / self.strides[d] as i64 + 1) as usize
                }
            })
            .collect()
    }
    fn call(&self, elem: ElemType, nhwc: bool) -> ConvCall {
        ConvCall {
            elem,
            input: 0,
            kernel: 1,
            out: 2,
            nhwc,
            n: self.n,
            c: self.c,
            o: self.o,
            in_spatial: self.input.clone(),
            k_spatial: self.kernel.clone(),
            out_spatial: self.out_spatial(),
            strides: self.strides.clone(),
            padding: self.padding.clone(),
            lhs_dilation: self.ld.clone(),
            rhs_dilation: self.rd.clone(),
            groups: self.groups,
        }
    }
}

/// Direct NCHW convolution.
fn reference(cs: &Case, x: &[f64], w: &[f64]) -> Vec<f64> {
    let os = cs.out_spatial();
    let (cg, og) = (cs.c / cs.groups, cs.o / cs.groups);
    let mut out = vec![];
    for img in 0..cs.n {
        for o in 0..cs.o {
            let g = o / og;
            for opos in indices(&os) {
                let mut acc = 0.0;
                for ci in 0..cg {
                    'k: for kpos in indices(&cs.kernel) {
                        let mut ipos = vec![];
                        for d in 0..os.len() {
                            let q = (opos[d] * cs.strides[d] + kpos[d] * cs.rd[d]) as i64 - cs.padding[d].0;
                            if q < 0 || q % cs.ld[d] as i64 != 0 || q / cs.ld[d] as i64 >= cs.input[d] as i64 {
                                continue 'k;
                            }
                            ipos.push((q / cs.ld[d] as i64) as usize);
                        }
                        let xi = offset(
                            &[&[img, g * cg + ci][..], &ipos].concat(),
                            &[&[cs.n, cs.c][..], &cs.input].concat(),
                        );
                        let wi = offset(&[&[o, ci][..], &kpos].concat(), &[&[cs.o, cg][..], &cs.kernel].concat());
                        acc += x[xi] * w[wi];
                    }
                }
                out.push(acc);
            }
        }
    }
    out
}

/// Runs `cs` NCHW and NHWC (f32 and f64) and compares both with the reference.
fn check(cs: &Case, seed: u64) {
    let mut rng = Rng::new(seed);
    let r = cs.input.len();
    let x_dims = [&[cs.n, cs.c][..], &cs.input].concat();
    let w_dims = [&[cs.o, cs.c / cs.groups][..], &cs.kernel].concat();
    let o_dims = [&[cs.n, cs.o][..], &cs.out_spatial()].concat();
    let x = rng.vec(x_dims.iter().product());
    let w = rng.vec(w_dims.iter().product());
    let want = reference(cs, &x, &w);
    // Channels-last permutations: x [N, S.., C], w [K.., C/g, O], out [N, S.., O].
    let to_last: Vec<usize> = [&[0][..], &(2..r + 2).collect::<Vec<_>>(), &[1]].concat();
    let w_perm: Vec<usize> = [&(2..r + 2).collect::<Vec<_>>()[..], &[1, 0]].concat();
    let from_last: Vec<usize> = [&[0, r + 1][..], &(1..r + 1).collect::<Vec<_>>()].concat();
    let perm = |d: &[usize], p: &[usize]| p.iter().map(|&i| d[i]).collect::<Vec<_>>();
    for elem in [ElemType::F32, ElemType::F64] {
        let tol =
            if elem == ElemType::F32 { 1e-5 } else { 1e-12 } * (cs.c * cs.kernel.iter().product::<usize>()) as f64;
        let p = one_step(
            &[(elem, x_dims.clone()), (elem, w_dims.clone())],
            (elem, o_dims.clone()),
            LibraryCall::Conv(cs.call(elem, false)),
        );
        let got = run_both(&p, &[float_tensor(elem, &x_dims, &x), float_tensor(elem, &w_dims, &w)]);
        assert_close(&values(&got), &want, tol, &format!("nchw {elem:?}"));

        let (xl, wl, ol) = (perm(&x_dims, &to_last), perm(&w_dims, &w_perm), perm(&o_dims, &to_last));
        let p = one_step(
            &[(elem, xl.clone()), (elem, wl.clone())],
            (elem, ol.clone()),
            LibraryCall::Conv(cs.call(elem, true)),
        );
        let xt = transpose(&x, &x_dims, &to_last);
        let wt = transpose(&w, &w_dims, &w_perm);
        let got = run_both(&p, &[float_tensor(elem, &xl, &xt), float_tensor(elem, &wl, &wt)]);
        let back = transpose(&values(&got), &ol, &from_last);
        assert_close(&back, &want, tol, &format!("nhwc {elem:?}"));
    }
}

#[test]
fn plain_2d() {
    check(&Case::new(2, 3, 4, 1, &[7, 6], &[3, 3]), 1);
}

#[test]
fn strided_and_padded() {
    check(&Case::new(2, 3, 4, 1, &[9, 8], &[3, 2]).strides(&[2, 3]).padding(&[(1, 2), (0, 1)]), 2);
}

#[test]
fn negative_padding_crops() {
    check(&Case::new(1, 2, 3, 1, &[8, 9], &[2, 3]).padding(&[(-1, 0), (1, -2)]), 3);
    check(&Case::new(1, 2, 2, 1, &[10], &[3]).padding(&[(-2, -3)]).strides(&[2]), 4);
}

#[test]
fn dilations() {
    check(&Case::new(1, 2, 3, 1, &[6, 5], &[3, 2]).dilation(&[2, 1], &[1, 2]), 5);
    check(
        &Case::new(2, 3, 2, 1, &[5, 6], &[3, 3])
            .dilation(&[2, 3], &[2, 1])
            .padding(&[(2, 1), (-1, 2)])
            .strides(&[1, 2]),
        6,
    );
}

#[test]
fn grouped_and_depthwise() {
    check(&Case::new(2, 6, 4, 2, &[6, 5], &[3, 3]).padding(&[(1, 1), (1, 1)]), 7);
    check(&Case::new(1, 4, 8, 4, &[7, 7], &[3, 3]).padding(&[(1, 1), (1, 1)]).strides(&[2, 2]), 8);
    check(&Case::new(2, 5, 5, 5, &[6, 4], &[2, 2]), 9);
}

#[test]
fn one_and_three_dims() {
    check(&Case::new(2, 3, 4, 1, &[11], &[4]).strides(&[2]).padding(&[(2, 1)]).dilation(&[1], &[2]), 10);
    check(&Case::new(1, 2, 3, 1, &[5, 4, 6], &[2, 3, 2]).padding(&[(1, 0), (0, 1), (1, 1)]).strides(&[1, 2, 2]), 11);
    check(&Case::new(1, 4, 2, 2, &[4, 5, 3], &[2, 2, 2]).dilation(&[2, 1, 1], &[1, 1, 2]), 12);
}

#[test]
fn pointwise() {
    check(&Case::new(2, 8, 6, 1, &[5, 7], &[1, 1]), 13);
    check(&Case::new(2, 8, 6, 2, &[3, 4], &[1, 1]), 14);
    check(&Case::new(3, 4, 5, 1, &[], &[]), 15);
}

#[test]
fn large_tiled_and_parallel() {
    // Several im2col tiles per image (parallel tasks), then one task with a split GEMM.
    check(&Case::new(1, 48, 8, 1, &[30, 30], &[3, 3]).padding(&[(1, 1), (1, 1)]), 16);
    check(&Case::new(1, 128, 256, 1, &[6, 6], &[3, 3]), 17);
}
