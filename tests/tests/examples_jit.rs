//! Every example in `examples/` runs on the JIT at -O0 and -O2 and matches the
//! reference interpreter on the same random inputs.

use std::path::{Path, PathBuf};
use xlac::inputs::random_tensor;
use xlac::{OptLevel, Options};
use xlac_ir::Tensor;

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ir"))
        .collect();
    v.sort();
    v
}

/// Largest difference relative to the reference's magnitude: outputs of these workloads
/// are sums of up to 3072 products, which f32 accumulation reorders.
fn worst_error(got: &Tensor, want: &Tensor) -> f64 {
    let n = want.data.len();
    let scale = (0..n).map(|i| want.data.get_f64(i).abs()).fold(1.0, f64::max);
    (0..n).map(|i| (got.data.get_f64(i) - want.data.get_f64(i)).abs() / scale).fold(0.0, f64::max)
}

#[test]
fn examples_on_the_jit_match_the_interpreter() {
    let paths = examples();
    assert!(paths.len() >= 8, "expected the eight workload examples");
    for path in paths {
        let m = xlac::load_model(&path).unwrap_or_else(|d| panic!("{d}"));
        let f = m.entry().unwrap();
        let inputs: Vec<Tensor> = f.params.iter().enumerate().map(|(i, &p)| random_tensor(f.ty(p), 0, i)).collect();
        let want = xlac_interp::run_entry(&m, &inputs).unwrap();
        for level in [OptLevel::O0, OptLevel::O2] {
            let exe = xlac::compile(&m, &Options { opt_level: level, ..Default::default() }).unwrap();
            let got = exe.run(&inputs).unwrap();
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g.ty(), w.ty());
                let err = worst_error(g, w);
                assert!(err < 2e-5, "{} at {level:?}: error {err:e} relative to the largest output", path.display());
            }
        }
    }
}
