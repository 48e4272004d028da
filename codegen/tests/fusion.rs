//! Fused kernels against the interpreter: the `fusion` pass on small graphs of
//! elementwise ops, index maps and reductions (softmax, layernorm, log-softmax, RMSNorm
//! at odd sizes), then one kernel per group, compared with the interpreter on the
//! unfused module. Kernel counts pin what fuses.

mod common;
use common::{data, run};
use xlac_codegen::{compile_module, lower_module, CodegenOptions, LoweredStep};
use xlac_ir::Module;
use xlac_passes::{Fusion, Pass, PassCx};

fn parse(text: &str) -> Module {
    xlac_frontend::parse_module("test", text, None).unwrap_or_else(|d| panic!("{}", d.render(false)))
}

/// Fuses `text`, checks that it lowers to `kernels` generated kernels, and compares
/// the JIT on the fused module with the interpreter on the original (relative `tol`).
fn check_fused(text: &str, kernels: usize, tol: f64) -> Module {
    let original = parse(text);
    let mut fused = original.clone();
    Fusion::default().run(&mut fused, &mut PassCx::default()).unwrap();
    xlac_ir::verify_module(&fused).unwrap_or_else(|e| panic!("{e:?}\n{}", xlac_ir::print_module(&fused)));
    let lowered = lower_module(&fused).unwrap();
    let count =
        lowered.steps.iter().filter(|s| matches!(s, LoweredStep::Kernel { .. } | LoweredStep::Fused { .. })).count();
    assert_eq!(count, kernels, "kernel count of\n{}\n{lowered}", xlac_ir::print_module(&fused));
    let f = original.entry().unwrap();
    let inputs: Vec<_> = f.params.iter().enumerate().map(|(i, &p)| data(f.ty(p), i as u64 + 7)).collect();
    let expected = xlac_interp::run_entry(&original, &inputs).unwrap();
    let (program, code) = compile_module(&fused, &CodegenOptions::default()).unwrap();
    let got = run(&program, &inputs);
    drop(code);
    for (r, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g.shape, e.shape);
        for j in 0..e.data.len() {
            let (x, y) = (g.data.get_f64(j), e.data.get_f64(j));
            let ok = (x.is_nan() && y.is_nan()) || (x - y).abs() <= tol * (1.0 + y.abs());
            assert!(ok, "result {r} element {j}: got {x}, expected {y}\n{lowered}");
        }
    }
    fused
}

fn softmax(rows: usize, cols: usize) -> String {
    format!(
        "func @main(%x: f32[{rows},{cols}]) -> f32[{rows},{cols}] {{
  %max = reduce %x, kind=max, dims=[1] : f32[{rows}]
  %max.b = broadcast_in_dim %max, dims=[0] : f32[{rows},{cols}]
  %shifted = sub %x, %max.b : f32[{rows},{cols}]
  %exp = exp %shifted : f32[{rows},{cols}]
  %sum = reduce %exp, kind=sum, dims=[1] : f32[{rows}]
  %sum.b = broadcast_in_dim %sum, dims=[0] : f32[{rows},{cols}]
  %y = div %exp, %sum.b : f32[{rows},{cols}]
  return %y
}}"
    )
}

#[test]
fn softmax_is_one_kernel() {
    for (r, c) in [(3, 5), (7, 33), (1, 1), (4, 64)] {
        check_fused(&softmax(r, c), 1, 1e-5);
    }
}

#[test]
fn log_softmax_is_one_kernel() {
    let text = "func @main(%x: f32[7,33]) -> f32[7,33] {
  %max = reduce %x, kind=max, dims=[1] : f32[7]
  %max.b = broadcast_in_dim %max, dims=[0] : f32[7,33]
  %shifted = sub %x, %max.b : f32[7,33]
  %exp = exp %shifted : f32[7,33]
  %sum = reduce %exp, kind=sum, dims=[1] : f32[7]
  %lse = log %sum : f32[7]
  %lse.b = broadcast_in_dim %lse, dims=[0] : f32[7,33]
  %y = sub %shifted, %lse.b : f32[7,33]
  return %y
}";
    check_fused(text, 1, 1e-5);
}

fn layernorm(rows: usize, cols: usize) -> String {
    let inv = 1.0 / cols as f64;
    format!(
        "func @main(%x: f32[{rows},{cols}], %g: f32[{cols}], %b: f32[{cols}]) -> f32[{rows},{cols}] {{
  %inv = constant value={inv} : f32[{rows}]
  %sum = reduce %x, kind=sum, dims=[1] : f32[{rows}]
  %mean = mul %sum, %inv : f32[{rows}]
  %mean.b = broadcast_in_dim %mean, dims=[0] : f32[{rows},{cols}]
  %d = sub %x, %mean.b : f32[{rows},{cols}]
  %d2 = mul %d, %d : f32[{rows},{cols}]
  %ssq = reduce %d2, kind=sum, dims=[1] : f32[{rows}]
  %var = mul %ssq, %inv : f32[{rows}]
  %eps = constant value=1e-5 : f32[{rows}]
  %ve = add %var, %eps : f32[{rows}]
  %rstd = rsqrt %ve : f32[{rows}]
  %rstd.b = broadcast_in_dim %rstd, dims=[0] : f32[{rows},{cols}]
  %xhat = mul %d, %rstd.b : f32[{rows},{cols}]
  %g.b = broadcast_in_dim %g, dims=[1] : f32[{rows},{cols}]
  %b.b = broadcast_in_dim %b, dims=[1] : f32[{rows},{cols}]
  %s = mul %xhat, %g.b : f32[{rows},{cols}]
  %y = add %s, %b.b : f32[{rows},{cols}]
  return %y
}}"
    )
}

#[test]
fn layernorm_is_one_kernel() {
    for (r, c) in [(3, 5), (7, 33), (2, 128)] {
        check_fused(&layernorm(r, c), 1, 1e-4);
    }
}

/// On AVX2/FMA hosts, rows of 64 or more fold layernorm's sum and its sum of squares
/// `(x - mean)²` by one runtime call each (the square computed by the call); the
/// results match the interpreter and the inline math (the sums in another order).
#[test]
fn layernorm_folds_its_squares_by_calls() {
    use xlac_ir::{Tensor, TensorData};
    let host_calls = xlac_runtime::vmath::vectorized() && cfg!(target_arch = "x86_64");
    for (rows, cols) in [(3, 64), (4, 100), (2, 257), (5, 63)] {
        let fused = check_fused(&layernorm(rows, cols), 1, 1e-4);
        let opts = CodegenOptions { emit_clif: true, ..Default::default() };
        let (_, code) = compile_module(&fused, &opts).unwrap();
        let clif: String = code.clif_text().iter().map(|(_, t)| t.clone()).collect();
        drop(code);
        let want = if host_calls && cols >= 64 { 2 } else { 0 };
        assert_eq!(clif.matches("call fn").count(), want, "{rows}x{cols}: runtime calls\n{clif}");
        let x: Vec<f32> = (0..rows * cols).map(|i| ((i * 7919 % 1000) as f32 - 500.0) * 0.01 + 3.0).collect();
        let g: Vec<f32> = (0..cols).map(|i| 0.5 + i as f32 * 0.01).collect();
        let b: Vec<f32> = (0..cols).map(|i| i as f32 * -0.02).collect();
        let inputs = [
            Tensor::new(vec![rows, cols], TensorData::F32(x)).unwrap(),
            Tensor::new(vec![cols], TensorData::F32(g)).unwrap(),
            Tensor::new(vec![cols], TensorData::F32(b)).unwrap(),
        ];
        // The means differ in their last bit (summed in another order), which `x -
        // mean` magnifies for elements near the mean.
        array_math_matches_inline(&fused, &inputs, 1e-3);
    }
}

#[test]
fn rms_norm_is_one_kernel() {
    let text = "func @main(%x: f32[7,33], %g: f32[33]) -> f32[7,33] {
  %x2 = mul %x, %x : f32[7,33]
  %ssq = reduce %x2, kind=sum, dims=[1] : f32[7]
  %n = constant value=0.030303031 : f32[]
  %n.b = broadcast_in_dim %n, dims=[] : f32[7]
  %ms = mul %ssq, %n.b : f32[7]
  %eps = constant value=1e-6 : f32[7]
  %mse = add %ms, %eps : f32[7]
  %r = rsqrt %mse : f32[7]
  %r.b = broadcast_in_dim %r, dims=[0] : f32[7,33]
  %g.b = broadcast_in_dim %g, dims=[1] : f32[7,33]
  %xn = mul %x, %r.b : f32[7,33]
  %y = mul %xn, %g.b : f32[7,33]
  return %y
}";
    check_fused(text, 1, 1e-5);
}

#[test]
fn softmax_over_the_last_of_four_dims() {
    check_fused(&softmax4([2, 3, 5, 7]), 1, 1e-5);
}

/// A softmax over the last of four dims `[a, b, c, n]`.
fn softmax4([a, b, c, n]: [usize; 4]) -> String {
    format!(
        "func @main(%s: f32[{a},{b},{c},{n}]) -> f32[{a},{b},{c},{n}] {{
  %max = reduce %s, kind=max, dims=[3] : f32[{a},{b},{c}]
  %max.b = broadcast_in_dim %max, dims=[0,1,2] : f32[{a},{b},{c},{n}]
  %sh = sub %s, %max.b : f32[{a},{b},{c},{n}]
  %e = exp %sh : f32[{a},{b},{c},{n}]
  %sum = reduce %e, kind=sum, dims=[3] : f32[{a},{b},{c}]
  %sum.b = broadcast_in_dim %sum, dims=[0,1,2] : f32[{a},{b},{c},{n}]
  %p = div %e, %sum.b : f32[{a},{b},{c},{n}]
  return %p
}}"
    )
}

#[test]
fn elementwise_chain_with_index_maps_is_one_kernel() {
    let text = "func @main(%x: f32[5,3], %b: f32[3], %z: f32[3,5]) -> f32[3,5] {
  %t = transpose %x, perm=[1,0] : f32[3,5]
  %b.b = broadcast_in_dim %b, dims=[0] : f32[3,5]
  %s = add %t, %b.b : f32[3,5]
  %h = tanh %s : f32[3,5]
  %r = reverse %z, dims=[1] : f32[3,5]
  %l = logistic %r : f32[3,5]
  %y = mul %h, %l : f32[3,5]
  return %y
}";
    check_fused(text, 1, 1e-5);
}

#[test]
fn reshapes_slices_iota_and_pad_compose() {
    let text = "func @main(%x: f32[6,5], %v: f32[4], %w: f32[3]) -> f32[5,7] {
  %flat = reshape %x : f32[30]
  %e = exp %flat : f32[30]
  %split = reshape %e : f32[5,6]
  %sl = slice %split, start=[0,1], limit=[5,6] : f32[5,5]
  %i = iota dim=1 : f32[5,5]
  %a = add %sl, %i : f32[5,5]
  %zero = constant value=0.5 : f32[]
  %p = pad %v, %zero, low=[1], high=[2] : f32[7]
  %c = concatenate %w, %v, dim=0 : f32[7]
  %pc = add %p, %c : f32[7]
  %pc.b = broadcast_in_dim %pc, dims=[1] : f32[5,7]
  %a2 = pad %a, %zero, low=[0,1], high=[0,1] : f32[5,7]
  %y = mul %a2, %pc.b : f32[5,7]
  return %y
}";
    // The pad of the computed %a reads it as a kernel input: two kernels.
    check_fused(text, 2, 1e-5);
}

#[test]
fn a_column_reduction_is_not_recomputed_per_row() {
    let text = "func @main(%x: f32[6,9]) -> f32[6,9] {
  %s = reduce %x, kind=sum, dims=[0] : f32[9]
  %s.b = broadcast_in_dim %s, dims=[1] : f32[6,9]
  %y = div %x, %s.b : f32[6,9]
  return %y
}";
    check_fused(text, 2, 1e-5);
}

#[test]
fn a_full_reduction_feeds_its_consumers_in_one_kernel() {
    let text = "func @main(%x: f32[6,9]) -> f32[6,9] {
  %s = reduce %x, kind=sum, dims=[0,1] : f32[]
  %s.b = broadcast_in_dim %s, dims=[] : f32[6,9]
  %y = sub %x, %s.b : f32[6,9]
  return %y
}";
    check_fused(text, 1, 1e-5);
}

#[test]
fn returned_values_of_the_domain_shape_are_extra_outputs() {
    let text = "func @main(%x: f32[4,5]) -> (f32[4,5], f32[4,5]) {
  %e = exp %x : f32[4,5]
  %s = reduce %e, kind=sum, dims=[1] : f32[4]
  %s.b = broadcast_in_dim %s, dims=[0] : f32[4,5]
  %y = div %e, %s.b : f32[4,5]
  return %y, %e
}";
    check_fused(text, 1, 1e-5);
    // Returning %s too (another shape) makes it a kernel of its own, and %e, read by
    // two kernels, a third.
    let text = text
        .replace("-> (f32[4,5], f32[4,5])", "-> (f32[4,5], f32[4,5], f32[4])")
        .replace("return %y, %e", "return %y, %e, %s");
    check_fused(&text, 3, 1e-5);
}

#[test]
fn integer_and_bool_ops_fuse() {
    let text = "func @main(%a: i32[3,4], %b: i32[4]) -> i32[3,4] {
  %b.b = broadcast_in_dim %b, dims=[1] : i32[3,4]
  %s = add %a, %b.b : i32[3,4]
  %z = constant value=0 : i32[3,4]
  %pos = compare %s, %z, dir=gt : bool[3,4]
  %n = neg %s : i32[3,4]
  %y = select %pos, %s, %n : i32[3,4]
  %m = reduce %y, kind=max, dims=[1] : i32[3]
  %m.b = broadcast_in_dim %m, dims=[0] : i32[3,4]
  %r = sub %m.b, %y : i32[3,4]
  return %r
}";
    check_fused(text, 1, 0.0);
}

#[test]
fn calls_are_inlined_before_fusion() {
    let text = "func @act(%h: f32[4,6]) -> f32[4,6] {
  %t = tanh %h : f32[4,6]
  return %t
}

func @main(%x: f32[4,6]) -> f32[4,6] {
  %a = call %x, callee=@act : f32[4,6]
  %b = exp %a : f32[4,6]
  return %b
}";
    check_fused(text, 1, 1e-5);
}

#[test]
fn a_vector_softmax_recomputes_nothing_per_element() {
    // Domain [n]: the reductions are hoisted to the kernel's entry (each chunk of the
    // outer loop computes them), and exp is cached for the whole row.
    let text = VECTOR_SOFTMAX;
    let fused = check_fused(text, 1, 1e-5);
    // Chunks of the one row (the test harness runs three) are written by the runtime's
    // division on AVX2 hosts: the same bits as the inline division.
    let x: Vec<f32> = (0..37).map(|i| (i as f32 * 0.37).sin() * 20.0).collect();
    let x = xlac_ir::Tensor::new(vec![37], xlac_ir::TensorData::F32(x)).unwrap();
    array_math_matches_inline(&fused, &[x], 1e-6);
}

const VECTOR_SOFTMAX: &str = "func @main(%x: f32[37]) -> f32[37] {
  %max = reduce %x, kind=max, dims=[0] : f32[]
  %max.b = broadcast_in_dim %max, dims=[] : f32[37]
  %sh = sub %x, %max.b : f32[37]
  %e = exp %sh : f32[37]
  %sum = reduce %e, kind=sum, dims=[0] : f32[]
  %sum.b = broadcast_in_dim %sum, dims=[] : f32[37]
  %y = div %e, %sum.b : f32[37]
  return %y
}";

#[test]
fn a_softmax_between_matmuls_writes_in_place_of_its_input() {
    // qk (2*5*7 f32 = 280 bytes, 320 in the arena) dies at the softmax, which reads
    // each row completely (its reductions) before writing it: p takes qk's space.
    let text = "func @main(%q: f32[2,5,3], %k: f32[2,7,3], %v: f32[2,7,3]) -> f32[2,5,3] {
  %qk = dot_general %q, %k, lhs_batch=[0], rhs_batch=[0], lhs_contract=[2], rhs_contract=[2] : f32[2,5,7]
  %max = reduce %qk, kind=max, dims=[2] : f32[2,5]
  %max.b = broadcast_in_dim %max, dims=[0,1] : f32[2,5,7]
  %sh = sub %qk, %max.b : f32[2,5,7]
  %e = exp %sh : f32[2,5,7]
  %sum = reduce %e, kind=sum, dims=[2] : f32[2,5]
  %sum.b = broadcast_in_dim %sum, dims=[0,1] : f32[2,5,7]
  %p = div %e, %sum.b : f32[2,5,7]
  %y = dot_general %p, %v, lhs_batch=[0], rhs_batch=[0], lhs_contract=[2], rhs_contract=[1] : f32[2,5,3]
  return %y
}";
    let fused = check_fused(text, 1, 1e-5);
    assert_eq!(lower_module(&fused).unwrap().arena_bytes, 320);
}

#[test]
fn outer_dims_merge_unless_a_load_reads_them_apart() {
    let domain = |text: &str| {
        let mut m = parse(text);
        Fusion::default().run(&mut m, &mut PassCx::default()).unwrap();
        let lowered = lower_module(&m).unwrap();
        let [LoweredStep::Kernel { kernel, .. }] = &lowered.steps[..] else { panic!("one kernel:\n{lowered}") };
        kernel.domain.clone()
    };
    // Rows of a rank-4 softmax: one outer dim of 2·3·4 rows.
    let softmax4 = "func @main(%x: f32[2,3,4,5]) -> f32[2,3,4,5] {
  %max = reduce %x, kind=max, dims=[3] : f32[2,3,4]
  %max.b = broadcast_in_dim %max, dims=[0,1,2] : f32[2,3,4,5]
  %y = sub %x, %max.b : f32[2,3,4,5]
  return %y
}";
    assert_eq!(domain(softmax4), vec![24, 5]);
    check_fused(softmax4, 1, 1e-6);
    // A bias along dim 1 reads dims 0 and 1 apart: only dims 1 and 2 could merge, and
    // only the outermost pair is tried.
    let bias = "func @main(%x: f32[2,3,4,5], %b: f32[3]) -> f32[2,3,4,5] {
  %b.b = broadcast_in_dim %b, dims=[1] : f32[2,3,4,5]
  %y = add %x, %b.b : f32[2,3,4,5]
  return %y
}";
    assert_eq!(domain(bias), vec![2, 3, 4, 5]);
    check_fused(bias, 1, 1e-6);
}

/// A row-wise `f` cached per row: `y = f(x - max) / sum(f(x - max))`; `squared`:
/// `f((x - max)²)` (an argument the runtime does not compute itself, so the kernel fills
/// the row buffer with its own loop).
fn row_normalized(f: &str, rows: usize, cols: usize, squared: bool) -> String {
    let text = softmax(rows, cols);
    if !squared {
        return text.replace("exp %shifted", &format!("{f} %shifted"));
    }
    text.replace(
        "  %exp = exp %shifted",
        &format!("  %sq = mul %shifted, %shifted : f32[{rows},{cols}]\n  %exp = {f} %sq"),
    )
}

/// On AVX2/FMA hosts a row cache of `exp`, `tanh` or `logistic` is filled by one call
/// to the runtime's 8-lane array math per row (reading `x` itself when the argument is
/// `x - max`, else after the kernel's own loop stores the argument), and the rows are
/// written by its division (a second call); long rows fold their max and sum by calls. Row lengths cover the unrolled and single-vector fill loops, the
/// scalar tail and the array function's padded tail; rows hold NaN, infinities and
/// values beyond `exp`'s range. Results are compared with the interpreter and with the
/// kernels' own inline 4-lane math (the values the runtime computes are the same bits,
/// see `tests/vmath.rs`; the row sums may round in another order).
#[test]
fn rows_filled_by_array_math_match_inline_math() {
    use xlac_ir::{Tensor, TensorData};
    let host_calls = xlac_runtime::vmath::vectorized() && cfg!(target_arch = "x86_64");
    for (f, squared) in [("exp", false), ("tanh", false), ("logistic", false), ("exp", true), ("tanh", true)] {
        for cols in [1, 3, 7, 8, 13, 16, 37, 100, 257] {
            let rows = 5;
            let text = row_normalized(f, rows, cols, squared);
            let fused = check_fused(&text, 1, 1e-5);
            let mut x: Vec<f32> =
                (0..rows * cols).map(|i| ((i * 7919 % 1000) as f32 - 500.0) * [0.01, 0.3, 2.0][i % 3]).collect();
            // Row 1: a NaN; row 2: +inf; row 3: -inf and huge spreads.
            x[cols] = f32::NAN;
            x[2 * cols] = f32::INFINITY;
            x[3 * cols] = f32::NEG_INFINITY;
            x[4 * cols + cols / 2] = -150.0;
            let inputs = [Tensor::new(vec![rows, cols], TensorData::F32(x)).unwrap()];
            let opts = CodegenOptions { emit_clif: true, ..Default::default() };
            let (_, code) = compile_module(&fused, &opts).unwrap();
            let calls = code.clif_text().iter().map(|(_, t)| t.matches("call fn").count()).sum::<usize>();
            // The fill (straight from `x`, squared or not, returning the row's sum)
            // and the division; rows of 64 or more also fold their max by a call.
            let want = match (host_calls, cols >= 64) {
                (false, _) => 0,
                (true, false) => 2,
                (true, true) => 3,
            };
            assert_eq!(calls, want, "{f} cols={cols}: runtime calls");
            drop(code);
            array_math_matches_inline(&fused, &inputs, 1e-6);
        }
    }
}

/// A softmax over the last of four dims, its outer dims merged into one (as attention's
/// after the GEMM): the loads of the reductions and of the inner loop are the same
/// functions of the merged variable, so `exp` is cached per row, not computed twice.
#[test]
fn a_merged_softmax_caches_exp_per_row() {
    let fused = check_fused(&softmax4([2, 3, 4, 40]), 1, 1e-5);
    let opts = CodegenOptions { emit_clif: true, inline_math: true };
    let (_, code) = compile_module(&fused, &opts).unwrap();
    let clif = &code.clif_text()[0].1;
    // One row buffer of 40 floats (160 bytes) beside the 16-byte pinning slot, and one
    // exp (its range check `vany_true`) in the reduction only.
    assert!(clif.contains("explicit_slot 160"), "{clif}");
    assert_eq!(clif.matches("vany_true").count(), 1, "{clif}");
}

/// Compiles fused `m` with and without the runtime's array math and compares the
/// results on `inputs`, bit for bit when `rtol` is 0 (else within `rtol`: a row
/// reduction over a buffer filled by the runtime keeps more accumulators than one
/// computing `exp` itself, so its sum is rounded in another order); returns whether the
/// default build calls the runtime.
fn array_math_matches_inline(m: &Module, inputs: &[xlac_ir::Tensor], rtol: f64) -> bool {
    let (program, code) = compile_module(m, &CodegenOptions { emit_clif: true, ..Default::default() }).unwrap();
    let calls = code.clif_text().iter().any(|(_, t)| t.contains("call fn"));
    let with_calls = run(&program, inputs);
    drop(code);
    let (program, code) = compile_module(m, &CodegenOptions { inline_math: true, ..Default::default() }).unwrap();
    let inline = run(&program, inputs);
    drop(code);
    for (r, (a, b)) in with_calls.iter().zip(&inline).enumerate() {
        for j in 0..a.data.len() {
            let (p, q) = (a.data.get_f64(j), b.data.get_f64(j));
            let same = p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()) || (p - q).abs() <= rtol * q.abs();
            assert!(same, "result {r} element {j}: {p:e} vs {q:e}");
        }
    }
    calls
}

/// Elementwise chains of `exp`/`tanh`/`logistic` run their innermost loop in blocks
/// whose functions are applied by the runtime's array math (in phases when one feeds
/// another), on 1-D domains cut into chunks and on rows shorter and longer than a
/// block; the results match the interpreter and, bit for bit, the inline math.
#[test]
fn elementwise_array_math_in_blocks_matches_inline_bits() {
    use xlac_ir::{Tensor, TensorData};
    let host_calls = xlac_runtime::vmath::vectorized() && cfg!(target_arch = "x86_64");
    let chain = |shape: &str| {
        format!(
            "func @main(%x: f32[{shape}]) -> f32[{shape}] {{
  %c = constant value=1.5 : f32[]
  %c.b = broadcast_in_dim %c, dims=[] : f32[{shape}]
  %xs = mul %x, %c.b : f32[{shape}]
  %t = tanh %xs : f32[{shape}]
  %s = logistic %x : f32[{shape}]
  %e = exp %t : f32[{shape}]
  %p = mul %t, %s : f32[{shape}]
  %y = add %p, %e : f32[{shape}]
  return %y
}}"
        )
    };
    for (shape, dims) in
        [("1", vec![1]), ("13", vec![13]), ("1029", vec![1029]), ("3,37", vec![3, 37]), ("2,700", vec![2, 700])]
    {
        let fused = check_fused(&chain(shape), 1, 1e-5);
        let n: usize = dims.iter().product();
        let mut x: Vec<f32> = (0..n).map(|i| ((i * 7919 % 1000) as f32 - 500.0) * [0.01, 0.2, 0.9][i % 3]).collect();
        for (j, v) in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, 100.0].into_iter().enumerate() {
            if j < n {
                x[n - 1 - j] = v;
            }
        }
        let inputs = [Tensor::new(dims.clone(), TensorData::F32(x)).unwrap()];
        let calls = array_math_matches_inline(&fused, &inputs, 0.0);
        assert_eq!(calls, host_calls && n >= 8, "shape {shape}");
    }
}
