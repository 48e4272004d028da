//! Every example through `-O1`: the pipeline verifies after each pass and keeps the
//! entry signature; on the examples the interpreter runs in reasonable time, the
//! optimized module gives the same results as the original.

use std::path::{Path, PathBuf};
use xlac_ir::{DType, Module, Tensor, TensorData, TensorType};
use xlac_passes::{pipeline_for, PipelineOptions};

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ir"))
        .collect();
    files.sort();
    files
}

fn load(path: &Path) -> Module {
    xlac_frontend::load_module(path).unwrap_or_else(|d| panic!("{}:\n{}", path.display(), d.render(false)))
}

fn optimize(m: &Module) -> Module {
    let mut out = m.clone();
    let opts = PipelineOptions { verify_each: true, ..Default::default() };
    pipeline_for(1, false).run(&mut out, &opts, &mut std::io::sink()).unwrap();
    out
}

/// Deterministic inputs in [-2, 2).
fn input(ty: &TensorType, salt: u64) -> Tensor {
    assert_eq!(ty.dtype, DType::F32);
    let n = ty.shape.num_elements();
    let mut s = salt.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let data = (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 24) as f32 * 4.0 - 2.0
        })
        .collect();
    Tensor { shape: ty.shape.clone(), data: TensorData::F32(data) }
}

#[test]
fn every_example_optimizes_and_keeps_its_signature() {
    let files = examples();
    assert!(files.len() >= 8);
    for path in files {
        let m = load(&path);
        let o = optimize(&m);
        let (a, b) = (m.entry().unwrap(), o.entry().unwrap());
        assert_eq!(a.param_types(), b.param_types(), "{}", path.display());
        assert_eq!(a.result_types, b.result_types, "{}", path.display());
    }
}

#[test]
fn optimized_examples_agree_with_the_interpreter() {
    for name in ["reduce", "softmax", "layernorm", "ew_chain"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../examples/{name}.ir"));
        let m = load(&path);
        let o = optimize(&m);
        let inputs: Vec<Tensor> =
            m.entry().unwrap().param_types().iter().enumerate().map(|(i, t)| input(t, i as u64 + 1)).collect();
        let want = xlac_interp::run_entry(&m, &inputs).unwrap();
        let got = xlac_interp::run_entry(&o, &inputs).unwrap();
        assert_eq!(want.len(), got.len());
        for (w, g) in want.iter().zip(&got) {
            assert_eq!(w.ty(), g.ty(), "{name}");
            for i in 0..w.data.len() {
                let (x, y) = (w.data.get_f64(i), g.data.get_f64(i));
                assert!((x - y).abs() <= 1e-5 + 1e-5 * x.abs(), "{name}: element {i} is {y}, expected {x}");
            }
        }
    }
}
