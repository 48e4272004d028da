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
    // (kernels, library calls) at -O2.
    let expected = [
        ("attention", 2, 2), // q * 0.125 (moved before the GEMM), the softmax
        ("conv", 1, 1),      // bias + relu after the convolution
        ("ew_chain", 1, 0),
        ("layernorm", 1, 0),
        ("matmul", 0, 1),
        ("mlp", 2, 2), // bias + GELU, bias
        ("reduce", 1, 0),
        ("softmax", 1, 0),
    ];
    for (name, kernels, library) in expected {
        let exe = compile(&example(name).1, &options(OptLevel::O2)).unwrap();
        let k = exe.steps().iter().filter(|s| !s.library).count();
        let l = exe.steps().iter().filter(|s| s.library).count();
        assert_eq!((k, l), (kernels, library), "{name}: {:?}", exe.steps());
    }
}

#[test]
fn arena_sizes_at_o2() {
    const MIB: usize = 1 << 20;
    let expected = [
        // q*0.125 (3 MiB) live while the first GEMM writes qk (6 MiB); the softmax
        // reads each row of qk before writing it, so p takes qk's space: 3 + 6.
        ("attention", 9 * MIB),
        // The convolution's output (8*64*56*56 f32), read by the bias + relu kernel.
        ("conv", 8 * 64 * 56 * 56 * 4),
        ("ew_chain", 0),
        ("layernorm", 0),
        ("matmul", 0),
        // h0 = x·w1 (256*3072 f32, 3 MiB); GELU writes g in place of h0; o0 = g·w2
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
