//! End-to-end tests of the `xlac` command: every subcommand on every example, exit
//! codes, and diagnostics for bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use xlac::npy::{read_npy, write_npy};
use xlac_ir::{Tensor, TensorData};

fn xlac(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xlac")).args(args).output().expect("xlac runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn examples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ir"))
        .collect();
    v.sort();
    v
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xlac-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_eight_examples_exist() {
    let names: Vec<String> = examples().iter().map(|p| p.file_stem().unwrap().to_string_lossy().into_owned()).collect();
    for w in ["attention", "conv", "ew_chain", "layernorm", "matmul", "mlp", "reduce", "softmax"] {
        assert!(names.iter().any(|n| n == w), "examples/{w}.ir is missing");
    }
}

#[test]
fn check_summarises_every_example() {
    for ex in examples() {
        let o = xlac(&["check", ex.to_str().unwrap()]);
        assert!(o.status.success(), "{}: {}", ex.display(), stderr(&o));
        let out = stdout(&o);
        assert!(out.contains(": ok: 1 function, "), "{out}");
        assert!(out.contains(" weight bytes"), "{out}");
    }
}

#[test]
fn fmt_output_is_a_fixed_point_on_every_example() {
    let dir = scratch("fmt");
    for ex in examples() {
        let first = xlac(&["fmt", ex.to_str().unwrap()]);
        assert!(first.status.success(), "{}: {}", ex.display(), stderr(&first));
        let copy = dir.join(ex.file_name().unwrap());
        std::fs::write(&copy, &first.stdout).unwrap();
        let second = xlac(&["fmt", copy.to_str().unwrap()]);
        assert!(second.status.success(), "{}", stderr(&second));
        assert_eq!(stdout(&first), stdout(&second), "{}: fmt is not canonical", ex.display());
    }
}

#[test]
fn run_with_random_inputs_writes_every_result() {
    let dir = scratch("run");
    for ex in examples() {
        let out_dir = dir.join(ex.file_stem().unwrap());
        let o = xlac(&["run", ex.to_str().unwrap(), "--random-inputs", "0", "--output-dir", out_dir.to_str().unwrap()]);
        assert!(o.status.success(), "{}: {}", ex.display(), stderr(&o));
        let text = stdout(&o);
        assert!(text.starts_with("result 0: f32["), "{text}");
        let t = read_npy(&out_dir.join("0.npy")).unwrap();
        assert!(text.contains(&t.ty().to_string()), "{text} vs {}", t.ty());
        let TensorData::F32(v) = &t.data else { panic!("f32 result expected") };
        assert!(v.iter().all(|x| x.is_finite()), "{}: non-finite result", ex.display());
    }
}

#[test]
fn run_reads_npy_inputs_by_name() {
    let dir = scratch("npy");
    let model = dir.join("addmul.ir");
    std::fs::write(
        &model,
        "func @main(%a: f32[3], %b: f32[3]) -> f32[3] {\n  %s = add %a, %b : f32[3]\n  %p = mul %s, %b : f32[3]\n  return %p\n}\n",
    )
    .unwrap();
    write_npy(&dir.join("a.npy"), &Tensor::new(vec![3], TensorData::F32(vec![1.0, 2.0, 3.0])).unwrap()).unwrap();
    write_npy(&dir.join("b.npy"), &Tensor::new(vec![3], TensorData::F32(vec![0.5, -1.0, 2.0])).unwrap()).unwrap();
    let (m, a, b, out) = (model.to_str().unwrap(), dir.join("a.npy"), dir.join("b.npy"), dir.join("out"));
    let o = xlac(&[
        "run",
        m,
        "--input",
        &format!("a={}", a.display()),
        "--input",
        &format!("b={}", b.display()),
        "--output-dir",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = read_npy(&out.join("0.npy")).unwrap();
    assert_eq!(r.data, TensorData::F32(vec![0.75, -1.0, 10.0]));

    let missing = xlac(&["run", m, "--input", &format!("a={}", a.display())]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("no value for parameter(s) b: f32[3]"), "{}", stderr(&missing));

    let unknown = xlac(&["run", m, "--input", &format!("c={}", a.display()), "--random-inputs", "1"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("no parameter named `c`"), "{}", stderr(&unknown));

    write_npy(&dir.join("bad.npy"), &Tensor::new(vec![2], TensorData::I64(vec![1, 2])).unwrap()).unwrap();
    let wrong = xlac(&["run", m, "--input", &format!("a={}", dir.join("bad.npy").display()), "--random-inputs", "1"]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(stderr(&wrong).contains("is int64[2] but @main expects f32[3]"), "{}", stderr(&wrong));
}

#[test]
fn malformed_input_gives_a_located_diagnostic_and_exit_code_1() {
    let dir = scratch("bad");
    let model = dir.join("bad.ir");
    std::fs::write(&model, "func @main(%a: f32[3]) -> f32[3] {\n  %s = frobnicate %a : f32[3]\n  return %s\n}\n")
        .unwrap();
    for cmd in ["check", "fmt", "run"] {
        let o = xlac(&[cmd, model.to_str().unwrap(), "--random-inputs", "0"][..if cmd == "run" { 4 } else { 2 }]);
        assert_eq!(o.status.code(), Some(1), "{cmd}");
        let err = stderr(&o);
        assert!(err.contains("bad.ir:2:"), "{cmd}: no line:column in {err}");
        assert!(err.contains("frobnicate"), "{err}");
        assert!(err.contains('^'), "no caret in {err}");
        assert!(!err.contains("internal compiler error"), "{err}");
    }
    let gone = xlac(&["check", dir.join("nope.ir").to_str().unwrap()]);
    assert_eq!(gone.status.code(), Some(1));
}

#[test]
fn help_explains_every_subcommand() {
    let top = xlac(&["--help"]);
    assert!(top.status.success());
    for sub in ["check", "fmt", "run", "compile", "bench", "ops"] {
        assert!(stdout(&top).contains(sub), "{sub} missing from --help");
        let o = xlac(&[sub, "--help"]);
        assert!(o.status.success(), "{sub} --help");
        assert!(stdout(&o).contains("Usage: xlac"), "{}", stdout(&o));
    }
    let run_help = stdout(&xlac(&["run", "--help"]));
    for flag in ["--input", "--random-inputs", "--output-dir"] {
        assert!(run_help.contains(flag), "{flag} missing from run --help");
    }
    let bad = xlac(&["run"]);
    assert_eq!(bad.status.code(), Some(1), "a usage error is a user error");
}

#[test]
fn ops_prints_the_reference_from_the_op_table() {
    let o = xlac(&["ops"]);
    assert!(o.status.success());
    assert_eq!(stdout(&o), xlac_ir::op_reference_markdown());
    for kind in xlac_ir::OpKind::ALL {
        assert!(stdout(&o).contains(&format!("| `{}` |", kind.name())));
    }
}

#[test]
fn bench_prints_timings_as_text_and_json() {
    let model = root().join("examples/reduce.ir");
    let o = xlac(&["bench", model.to_str().unwrap(), "-n", "3", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).expect("one JSON object");
    for key in ["median_ms", "min_ms", "max_ms", "compile_ms"] {
        assert!(v[key].as_f64().is_some_and(|x| x > 0.0), "{key} in {v}");
    }
    assert_eq!(v["runs"], 3);
    assert!(v["min_ms"].as_f64() <= v["median_ms"].as_f64() && v["median_ms"].as_f64() <= v["max_ms"].as_f64());
    let text = xlac(&["bench", model.to_str().unwrap(), "-n", "2", "-O0"]);
    assert!(text.status.success(), "{}", stderr(&text));
    assert!(stdout(&text).contains("median ") && stdout(&text).contains("compile "), "{}", stdout(&text));
}

#[test]
fn bench_per_kernel_times_every_step() {
    let model = root().join("examples/mlp.ir");
    let args = ["bench", model.to_str().unwrap(), "-n", "2", "--compile-repeats", "1", "--per-kernel"];
    let o = xlac(&[&args[..], &["--json"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).expect("one JSON object");
    let steps = v["per_kernel"].as_array().expect("per_kernel");
    // Two GEMMs, each with its fused epilogue: x·w1 (256x768x3072) and g·w2.
    assert_eq!(steps.len(), 2, "{v}");
    let gemm: u64 = 2 * 256 * 768 * 3072;
    for s in steps {
        assert!(s["step"].as_str().unwrap().starts_with("library gemm + main.fusion."), "{s}");
        assert!(s["median_ms"].as_f64().is_some_and(|x| x > 0.0), "{s}");
        let flops = s["flops"].as_u64().unwrap();
        assert!(flops >= gemm && flops < gemm + gemm / 50, "the GEMM's and its epilogue's: {s}");
        assert!(s["bytes"].as_u64().unwrap() > 256 * 768 * 4, "{s}");
    }
    let text = xlac(&args);
    assert!(stdout(&text).contains("GFLOP/s") && stdout(&text).contains("(epilogue: "), "{}", stdout(&text));
}

#[test]
fn run_on_the_jit_and_the_interpreter_agree_and_emit_shows_kernels() {
    let model = root().join("examples/softmax.ir");
    let jit = xlac(&["run", model.to_str().unwrap(), "--random-inputs", "3"]);
    let interp = xlac(&["run", model.to_str().unwrap(), "--random-inputs", "3", "--interp"]);
    assert!(jit.status.success() && interp.status.success(), "{}{}", stderr(&jit), stderr(&interp));
    assert_eq!(stdout(&jit), stdout(&interp), "the 6-digit previews agree");
    let clif = xlac(&["run", model.to_str().unwrap(), "--random-inputs", "3", "--emit=clif"]);
    assert!(clif.status.success(), "{}", stderr(&clif));
    assert!(stdout(&clif).contains("; kernel ") && stdout(&clif).contains("function "), "{}", stdout(&clif));
}

#[test]
fn compile_reports_kernels_and_writes_an_object() {
    for (name, kernels) in [("softmax", 1), ("layernorm", 1), ("ew_chain", 1)] {
        let model = root().join(format!("examples/{name}.ir"));
        let o = xlac(&["compile", model.to_str().unwrap(), "-O2", "--stats", "--no-object"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(out.contains(&format!(": {kernels} kernel, 0 library calls, arena ")), "{name}: {out}");
        assert!(out.contains("kernel 0 (") && out.contains("compile "), "{name}: {out}");
        let j = xlac(&["compile", model.to_str().unwrap(), "-O2", "--json", "--no-object"]);
        let v: serde_json::Value = serde_json::from_str(stdout(&j).trim()).expect("one JSON object");
        assert_eq!(v["kernels"], kernels, "{v}");
        assert!(v["arena_bytes"].is_u64() && v["compile_ms"].as_f64().is_some(), "{v}");
    }
    let dir = scratch("compile");
    let out = dir.join("sm");
    let model = root().join("examples/softmax.ir");
    let o = xlac(&[model.to_str().unwrap(), "-O2", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("wrote "), "{}", stdout(&o));
    let header = std::fs::read_to_string(dir.join("sm.h")).unwrap();
    assert!(header.contains("int sm_run(") && header.contains("SM_SCRATCH_BYTES"), "{header}");
    assert!(std::fs::metadata(dir.join("sm.o")).unwrap().len() > 0);
}
