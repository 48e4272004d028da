//! Epilogue fusion: kernels after a GEMM or convolution (bias, activation, residual,
//! a row softmax) run inside the library call on each block of finished rows. Checks
//! which graphs fuse (the step report) and that the fused program matches the
//! interpreter at 1 and 2 threads, on sizes that are not multiples of any block.

use xlac::{compile, OptLevel, Options};
use xlac_ir::{Tensor, TensorData};

/// Deterministic values in [-1, 1).
fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

/// Compiles `text` at -O2, checks that `fused` steps are library calls with an
/// epilogue, and compares with the interpreter at 1 and 2 threads.
fn check(text: &str, fused: usize) {
    let m = xlac_frontend::parse_module("epilogue.ir", text, None).unwrap_or_else(|d| panic!("{}", d.render(false)));
    let f = m.entry().unwrap();
    let inputs: Vec<Tensor> = f
        .params
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let ty = f.ty(p);
            let n = ty.shape.num_elements();
            Tensor::new(ty.dims().to_vec(), TensorData::F32(values(n, i as u64 + 3))).unwrap()
        })
        .collect();
    let expected = xlac_interp::run_entry(&m, &inputs).unwrap();
    for threads in [1, 2] {
        let opts = Options { opt_level: OptLevel::O2, threads: Some(threads), ..Options::default() };
        let exe = compile(&m, &opts).unwrap();
        let steps: Vec<String> = exe.steps().iter().map(|s| s.to_string()).collect();
        let with_epilogue = steps.iter().filter(|s| s.contains("(epilogue:")).count();
        assert_eq!(with_epilogue, fused, "fused steps of\n{text}\n{}", steps.join("\n"));
        let got = exe.run(&inputs).unwrap();
        for (r, (g, e)) in got.iter().zip(&expected).enumerate() {
            let (TensorData::F32(g), TensorData::F32(e)) = (&g.data, &e.data) else { panic!("f32 results") };
            for (j, (&x, &y)) in g.iter().zip(e).enumerate() {
                assert!(
                    (x - y).abs() <= 1e-4 * (1.0 + y.abs()),
                    "{threads} threads, result {r}[{j}]: {x} vs {y}\n{text}"
                );
            }
        }
    }
}

fn dense(m: usize, k: usize, n: usize, epilogue: &str, out: &str) -> String {
    format!(
        "func @main(%x: f32[{m},{k}], %w: f32[{k},{n}], %b: f32[{n}], %r: f32[{m},{n}]) -> f32[{m},{n}] {{
  %h = dot_general %x, %w, lhs_contract=[1], rhs_contract=[0] : f32[{m},{n}]
  %b.b = broadcast_in_dim %b, dims=[1] : f32[{m},{n}]
  %zero = constant value=0.0 : f32[]
  %zero.b = broadcast_in_dim %zero, dims=[] : f32[{m},{n}]
{epilogue}  return {out}
}}"
    )
}

#[test]
fn bias_relu_after_a_gemm_fuses() {
    let e = |m, n| format!("  %z = add %h, %b.b : f32[{m},{n}]\n  %y = max %z, %zero.b : f32[{m},{n}]\n");
    for (m, k, n) in [(37, 70, 17), (64, 3, 64), (130, 33, 5), (8, 1, 200)] {
        check(&dense(m, k, n, &e(m, n), "%y"), 1);
    }
}

#[test]
fn residual_and_tanh_after_a_gemm_fuse() {
    let (m, k, n) = (45, 29, 23);
    let e = format!(
        "  %z = add %h, %r : f32[{m},{n}]\n  %t = tanh %z : f32[{m},{n}]\n  %y = add %t, %b.b : f32[{m},{n}]\n"
    );
    check(&dense(m, k, n, &e, "%y"), 1);
}

#[test]
fn row_softmax_after_a_gemm_fuses() {
    let (m, k, n) = (33, 16, 41);
    let e = format!(
        "  %max = reduce %h, kind=max, dims=[1] : f32[{m}]
  %max.b = broadcast_in_dim %max, dims=[0] : f32[{m},{n}]
  %s = sub %h, %max.b : f32[{m},{n}]
  %e = exp %s : f32[{m},{n}]
  %sum = reduce %e, kind=sum, dims=[1] : f32[{m}]
  %sum.b = broadcast_in_dim %sum, dims=[0] : f32[{m},{n}]
  %y = div %e, %sum.b : f32[{m},{n}]
"
    );
    check(&dense(m, k, n, &e, "%y"), 1);
}

#[test]
fn too_few_rows_or_a_column_reduction_do_not_fuse() {
    // Two rows: too few blocks to share the epilogue between threads.
    let relu = |m, n| format!("  %y = max %h, %zero.b : f32[{m},{n}]\n");
    check(&dense(2, 9, 7, &relu(2, 7), "%y"), 0);
    // A sum over rows reads rows other blocks are still computing.
    let (m, k, n) = (16, 5, 8);
    let col = format!(
        "  %c = reduce %h, kind=sum, dims=[0] : f32[{n}]\n  %c.b = broadcast_in_dim %c, dims=[1] : f32[{m},{n}]\n  %y = sub %h, %c.b : f32[{m},{n}]\n"
    );
    check(&dense(m, k, n, &col, "%y"), 0);
}

#[test]
fn batched_gemm_epilogue_fuses() {
    let text = "func @main(%a: f32[5,20,7], %b: f32[5,7,9], %c: f32[9]) -> f32[5,20,9] {
  %d = dot_general %a, %b, lhs_batch=[0], rhs_batch=[0], lhs_contract=[2], rhs_contract=[1] : f32[5,20,9]
  %c.b = broadcast_in_dim %c, dims=[2] : f32[5,20,9]
  %y = mul %d, %c.b : f32[5,20,9]
  return %y
}";
    check(text, 1);
}

#[test]
fn returned_gemm_result_and_its_epilogue() {
    let text = "func @main(%x: f32[24,6], %w: f32[6,10]) -> (f32[24,10], f32[24,10]) {
  %h = dot_general %x, %w, lhs_contract=[1], rhs_contract=[0] : f32[24,10]
  %y = logistic %h : f32[24,10]
  return %h, %y
}";
    check(text, 1);
}

#[test]
fn conv_bias_relu_fuses() {
    let text = "func @main(%x: f32[5,3,9,7], %w: f32[4,3,3,3], %b: f32[4]) -> f32[5,4,9,7] {
  %c = convolution %x, %w, padding=[[1,1],[1,1]], layout=nchw : f32[5,4,9,7]
  %b.b = broadcast_in_dim %b, dims=[1] : f32[5,4,9,7]
  %z = add %c, %b.b : f32[5,4,9,7]
  %zero = constant value=0.0 : f32[]
  %zero.b = broadcast_in_dim %zero, dims=[] : f32[5,4,9,7]
  %y = max %z, %zero.b : f32[5,4,9,7]
  return %y
}";
    check(text, 1);
}

#[test]
fn attention_softmax_fuses_into_the_first_batched_gemm() {
    // The softmax kernel's domain [2,3,8,9] merges to [48,9]: one outer iteration per
    // row, so it runs on each batch entry's rows as the GEMM finishes them.
    let text = "func @main(%q: f32[2,3,8,4], %k: f32[2,3,9,4], %v: f32[2,3,9,4]) -> f32[2,3,8,4] {
  %qk = dot_general %q, %k, lhs_batch=[0,1], rhs_batch=[0,1], lhs_contract=[3], rhs_contract=[3] : f32[2,3,8,9]
  %max = reduce %qk, kind=max, dims=[3] : f32[2,3,8]
  %max.b = broadcast_in_dim %max, dims=[0,1,2] : f32[2,3,8,9]
  %s = sub %qk, %max.b : f32[2,3,8,9]
  %e = exp %s : f32[2,3,8,9]
  %sum = reduce %e, kind=sum, dims=[3] : f32[2,3,8]
  %sum.b = broadcast_in_dim %sum, dims=[0,1,2] : f32[2,3,8,9]
  %p = div %e, %sum.b : f32[2,3,8,9]
  %y = dot_general %p, %v, lhs_batch=[0,1], rhs_batch=[0,1], lhs_contract=[3], rhs_contract=[2] : f32[2,3,8,4]
  return %y
}";
    check(text, 1);
}
