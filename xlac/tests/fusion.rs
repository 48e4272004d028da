//! Fusion through the driver: what the examples compile to at `-O1`/`-O2` (kernel
//! counts, arena sizes), and `-O0` against `-O2` on every example through the JIT.

use std::path::{Path, PathBuf};
use xlac::{compile, OptLevel, Options};
use xlac_ir::Module;

fn example(name: &str) -> (PathBuf, Module) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(format!("{name}.ir"));
    let m = xlac::load_model(&path).unwrap_or_else(|d| panic!("{}", d.render(false)));
    (path, m)
}

fn options(opt_level: OptLevel) -> Options {
    Options { opt_level, ..Options::default() }
}

const EXAMPLES: [&str; 8] = ["attention", "conv", "ew_chain", "layernorm", "matmul", "mlp", "reduce", "softmax"];

#[test]
fn elementwise_chain_softmax_and_layernorm_are_one_kernel() {
    for name in ["ew_chain", "softmax", "layernorm"] {
        let (_, m) = example(name);
        for level in [OptLevel::O1, OptLevel::O2] {
            let exe = compile(&m, &options(level)).unwrap();
            let steps = exe.steps();
            assert_eq!(steps.len(), 1, "{name} at {level:?}: {steps:?}");
            assert!(!steps[0].library && steps[0].name.contains("fusion"), "{name}: {steps:?}");
        }
    }
}

#[test]
fn what_each_example_compiles_to() {
    // (kernels, library calls, library calls running a fused epilogue) at -O2.
    let expected = [
        ("attention", 0, 2, 1), // the scale and the softmax in the first GEMM's epilogue
        ("conv", 0, 1, 1),      // bias + relu in the convolution
        ("ew_chain", 1, 0, 0),
        ("layernorm", 1, 0, 0),
        ("matmul", 0, 1, 0),
        ("mlp", 0, 2, 2), // bias + GELU, bias: both in their GEMMs
        ("reduce", 1, 0, 0),
        ("softmax", 1, 0, 0),
    ];
    for (name, kernels, library, fused) in expected {
        let exe = compile(&example(name).1, &options(OptLevel::O2)).unwrap();
        let k = exe.steps().iter().filter(|s| !s.library).count();
        let l = exe.steps().iter().filter(|s| s.library).count();
        let f = exe.steps().iter().filter(|s| s.library && !s.ops.is_empty()).count();
        assert_eq!((k, l, f), (kernels, library, fused), "{name}: {:?}", exe.steps());
    }
}

#[test]
fn arena_sizes_at_o2() {
    const MIB: usize = 1 << 20;
    let expected = [
        // qk (6 MiB); the scaled softmax reads each row of qk before writing it, so p
        // takes qk's space.
        ("attention", 6 * MIB),
        // The convolution's output (8*64*56*56 f32), read by its bias + relu epilogue.
        ("conv", 8 * 64 * 56 * 56 * 4),
        ("ew_chain", 0),
        ("layernorm", 0),
        ("matmul", 0),
        // h0 = x·w1 (256*3072 f32, 3 MiB); the GELU epilogue writes g in place of h0; o0 = g·w2
        // (256*768 f32) is live with g.
        ("mlp", 256 * 3072 * 4 + 256 * 768 * 4),
        ("reduce", 0),
        ("softmax", 0),
    ];
    for (name, bytes) in expected {
        let exe = compile(&example(name).1, &options(OptLevel::O2)).unwrap();
        assert_eq!(exe.arena_bytes(), bytes, "{name}");
    }
}

/// Two branches, each a GEMM into a large temporary, an activation and a GEMM down to a
/// small result: in source order both large temporaries are live at once; the
/// `schedule` pass finishes each branch before starting the next.
const TWO_BRANCHES: &str = "func @main(%x: f32[256,512], %w1: f32[512,1024], %w2: f32[512,1024],
           %v1: f32[1024,16], %v2: f32[1024,16]) -> f32[256,16] {
  %h1 = dot_general %x, %w1, lhs_contract=[1], rhs_contract=[0] : f32[256,1024]
  %h2 = dot_general %x, %w2, lhs_contract=[1], rhs_contract=[0] : f32[256,1024]
  %g1 = tanh %h1 : f32[256,1024]
  %g2 = tanh %h2 : f32[256,1024]
  %o1 = dot_general %g1, %v1, lhs_contract=[1], rhs_contract=[0] : f32[256,16]
  %o2 = dot_general %g2, %v2, lhs_contract=[1], rhs_contract=[0] : f32[256,16]
  %y = add %o1, %o2 : f32[256,16]
  return %y
}
";

#[test]
fn schedule_finishes_one_branch_before_the_next() {
    const MIB: usize = 1 << 20;
    let m = xlac_frontend::parse_module("two_branches", TWO_BRANCHES, None)
        .unwrap_or_else(|d| panic!("{}", d.render(false)));
    let unscheduled = Options { disabled_passes: vec!["schedule".into()], ..options(OptLevel::O2) };
    let before = compile(&m, &unscheduled).unwrap();
    let after = compile(&m, &options(OptLevel::O2)).unwrap();
    // Source order: h1 and h2 (g1 and g2 in place of them) live together with o1.
    assert_eq!(before.arena_bytes(), 2 * MIB + 256 * 16 * 4, "{:?}", before.steps());
    // Scheduled: g1 (in place of h1), o1, then h2/g2 with o1 and o2 live.
    assert_eq!(after.arena_bytes(), MIB + 2 * 256 * 16 * 4, "{:?}", after.steps());
    let f = m.entry().unwrap();
    let inputs = xlac::inputs::build_inputs(f, &[], Some(5)).unwrap();
    let (a, b) = (before.run(&inputs).unwrap(), after.run(&inputs).unwrap());
    assert_eq!(a[0].data.len(), b[0].data.len());
    for i in 0..a[0].data.len() {
        assert!(close(b[0].data.get_f64(i), a[0].data.get_f64(i), 1e-5), "element {i}");
    }
}

/// Two elementwise chains over the same input feeding a GEMM, and two row reductions
/// of the same input: sibling fusion makes each pair one kernel with two outputs.
const SIBLINGS: &str = "func @main(%x: f32[96,128]) -> (f32[96,96], f32[96], f32[96]) {
  %a = exp %x : f32[96,128]
  %t = tanh %x : f32[96,128]
  %b = mul %t, %x : f32[96,128]
  %r = dot_general %a, %b, lhs_contract=[1], rhs_contract=[1] : f32[96,96]
  %sq = mul %x, %x : f32[96,128]
  %s = reduce %x, kind=sum, dims=[1] : f32[96]
  %q = reduce %sq, kind=max, dims=[1] : f32[96]
  return %r, %s, %q
}
";

#[test]
fn siblings_are_one_kernel_and_agree_with_o0() {
    let m = xlac_frontend::parse_module("siblings", SIBLINGS, None).unwrap_or_else(|d| panic!("{}", d.render(false)));
    let o2 = compile(&m, &options(OptLevel::O2)).unwrap();
    let kernels: Vec<_> = o2.steps().iter().filter(|s| !s.library).collect();
    assert_eq!(kernels.len(), 2, "{:?}", o2.steps());
    for want in [&["exp", "tanh", "mul"][..], &["mul", "reduce", "reduce"]] {
        assert!(kernels.iter().any(|k| want.iter().all(|op| k.ops.iter().any(|o| o == op))), "{:?}", o2.steps());
    }
    let o0 = compile(&m, &options(OptLevel::O0)).unwrap();
    let inputs = xlac::inputs::build_inputs(m.entry().unwrap(), &[], Some(7)).unwrap();
    let (a, b) = (o0.run(&inputs).unwrap(), o2.run(&inputs).unwrap());
    for (i, (a, b)) in a.iter().zip(&b).enumerate() {
        assert_eq!(a.shape, b.shape);
        for e in 0..a.data.len() {
            assert!(close(b.data.get_f64(e), a.data.get_f64(e), 1e-4), "result {i}, element {e}");
        }
    }
}

fn close(a: f64, b: f64, rtol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= rtol * (1.0 + b.abs())
}

#[test]
fn every_example_agrees_at_o0_and_o2() {
    for name in EXAMPLES {
        let (_, m) = example(name);
        let f = m.entry().unwrap();
        let inputs = xlac::inputs::build_inputs(f, &[], Some(3)).unwrap();
        let o0 = compile(&m, &options(OptLevel::O0)).unwrap().run(&inputs).unwrap();
        let o2 = compile(&m, &options(OptLevel::O2)).unwrap().run(&inputs).unwrap();
        for (a, b) in o0.iter().zip(&o2) {
            assert_eq!(a.shape, b.shape, "{name}");
            let bad = (0..a.data.len()).find(|&i| !close(b.data.get_f64(i), a.data.get_f64(i), 1e-4));
            if let Some(i) = bad {
                panic!("{name}: element {i}: -O2 {} vs -O0 {}", b.data.get_f64(i), a.data.get_f64(i));
            }
        }
    }
}
