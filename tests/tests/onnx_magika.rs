//! A real model end to end: magika's file-type classifier (an ONNX export of a Keras
//! model) is imported, compiled at -O0 and -O2 and run on features of real files; its
//! scores must match onnxruntime's within 1e-4 and its labels magika's own.
//!
//! magika and onnxruntime come from pip (`pip install magika onnxruntime`); the
//! reference scores are made by `tests/onnx/magika_ref.py`, which extracts the features
//! with magika's own code. The features are also computed here, in Rust, following
//! magika's encoding, and must agree. Without magika the test fails under `CI=true`
//! and is skipped (with a note) otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;
use xlac::npy::read_npy;
use xlac::{OptLevel, Options};
use xlac_frontend::onnx::{import_file, ImportOptions};
use xlac_ir::{Tensor, TensorData};

const BEG: usize = 1024;
const END: usize = 1024;
const BLOCK: usize = 4096;
const PAD: i32 = 256;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Whether python can import magika and onnxruntime.
fn have_magika() -> bool {
    Command::new(python()).args(["-c", "import magika, onnxruntime"]).output().is_ok_and(|o| o.status.success())
}

/// Python's `bytes.strip()` whitespace.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// magika's features: the first and last `BLOCK` bytes, left- and right-stripped of
/// whitespace, the first `BEG` and last `END` of them, padded with `PAD` (after the
/// beginning, before the end).
fn features(bytes: &[u8]) -> Vec<i32> {
    let n = bytes.len().min(BLOCK);
    let head = &bytes[..n];
    let head = &head[head.iter().position(|&b| !is_space(b)).unwrap_or(n)..];
    let mut beg: Vec<i32> = head.iter().take(BEG).map(|&b| b as i32).collect();
    beg.resize(BEG, PAD);
    let tail = &bytes[bytes.len() - n..];
    let tail = &tail[..tail.iter().rposition(|&b| !is_space(b)).map_or(0, |i| i + 1)];
    let tail = &tail[tail.len().saturating_sub(END)..];
    let mut end = vec![PAD; END - tail.len()];
    end.extend(tail.iter().map(|&b| b as i32));
    beg.extend(end);
    beg
}

#[test]
fn magika_matches_onnxruntime() {
    if !have_magika() {
        let msg = "magika/onnxruntime not found for `python3`: pip install magika onnxruntime";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg}");
        }
        eprintln!("note: skipping the magika test: {msg}");
        return;
    }
    let r = root();
    let mut files: Vec<PathBuf> = [
        "README.md",
        "Cargo.toml",
        "frontend/src/lib.rs",
        "tests/onnx/magika_ref.py",
        "frontend/src/onnx/proto/onnx.proto",
    ]
    .iter()
    .map(|f| r.join(f))
    .collect();
    let out = r.join("target/magika-ref");
    let run = |files: &[PathBuf]| {
        let o = Command::new(python())
            .arg(r.join("tests/onnx/magika_ref.py"))
            .arg(&out)
            .args(files)
            .output()
            .expect("run magika_ref.py");
        assert!(o.status.success(), "magika_ref.py failed:\n{}", String::from_utf8_lossy(&o.stderr));
    };
    run(&files);
    let model = PathBuf::from(std::fs::read_to_string(out.join("model_path.txt")).unwrap().trim());
    // The model file itself is a binary input with a known type.
    files.push(model.clone());
    run(&files);
    let n = files.len();

    let want_x = read_npy(&out.join("features.npy")).expect("features.npy");
    let mut x = Vec::new();
    for f in &files {
        x.extend(features(&std::fs::read(f).unwrap()));
    }
    let x = Tensor::new(vec![n, BEG + END], TensorData::I32(x)).unwrap();
    assert_eq!(x, want_x, "the Rust feature extraction differs from magika's");

    let want = read_npy(&out.join("scores.npy")).expect("scores.npy");
    let labels: Vec<String> =
        std::fs::read_to_string(out.join("labels.txt")).unwrap().lines().map(String::from).collect();
    let space: Vec<String> =
        std::fs::read_to_string(out.join("label_space.txt")).unwrap().lines().map(String::from).collect();
    let options = ImportOptions { dims: [("unk__214".to_string(), n)].into_iter().collect(), ..Default::default() };
    let module = import_file(&model, &options).unwrap_or_else(|e| panic!("import: {e}"));
    for level in [OptLevel::O0, OptLevel::O2] {
        let exe = xlac::compile(&module, &Options { opt_level: level, ..Options::default() }).expect("compile");
        let got = exe.run(std::slice::from_ref(&x)).expect("run").remove(0);
        assert_eq!(got.ty(), want.ty());
        let k = space.len();
        for i in 0..n {
            let row = |t: &Tensor, j: usize| t.data.get_f64(i * k + j);
            for j in 0..k {
                let (a, b) = (row(&got, j), row(&want, j));
                assert!((a - b).abs() <= 1e-4, "{level:?}: file {i} label {j}: xlac {a}, onnxruntime {b}");
            }
            let best = (0..k).max_by(|&a, &b| row(&got, a).total_cmp(&row(&got, b))).unwrap();
            assert_eq!(space[best], labels[i], "{level:?}: {}", files[i].display());
        }
    }
}
