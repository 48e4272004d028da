//! Ahead-of-time compilation end to end: `xlac MODEL -O2 -o OUT` writes OUT.o + OUT.h,
//! `cc` builds examples/aot/main.c against them and libxlac_runtime.a, and the program's
//! outputs equal the JIT's on the same inputs (the LCG of main.c, mirrored here). With
//! `aarch64-linux-gnu-gcc`, `qemu-aarch64` and Rust's aarch64 standard library present,
//! the same runs for an object compiled with `--target aarch64-unknown-linux-gnu`
//! (skipped with a note when they are missing, unless `XLAC_AOT_REQUIRE_AARCH64` is set).

use std::path::{Path, PathBuf};
use std::process::Command;
use xlac_ir::{DType, Tensor, TensorData};

const AARCH64: &str = "aarch64-unknown-linux-gnu";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The workspace's target directory (this test runs from `<target>/debug/deps`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    assert!(out.status.success(), "{cmd:?} failed:\n{}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Builds libxlac_runtime.a (release) for `target` (None: the host); its directory.
fn runtime_lib(target: Option<&str>) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root()).args(["build", "--release", "-q", "-p", "xlac-runtime", "--target-dir"]);
    cmd.arg(target_dir());
    if let Some(t) = target {
        cmd.args(["--target", t]);
    }
    run(&mut cmd);
    let dir = match target {
        Some(t) => target_dir().join(t).join("release"),
        None => target_dir().join("release"),
    };
    assert!(dir.join("libxlac_runtime.a").is_file(), "no libxlac_runtime.a in {}", dir.display());
    dir
}

/// The inputs main.c makes: input i from an LCG seeded with i + 1.
fn lcg_inputs(m: &xlac_ir::Module) -> Vec<Tensor> {
    let f = m.entry().unwrap();
    f.params
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let ty = f.ty(p);
            let mut s = i as u64 + 1;
            let mut next = || {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                s >> 40
            };
            let n = ty.shape.num_elements();
            let u = |r: u64| r as f64 / 16777216.0 * 2.0 - 1.0;
            let data = match ty.dtype {
                DType::F32 => TensorData::F32((0..n).map(|_| u(next()) as f32).collect()),
                DType::F64 => TensorData::F64((0..n).map(|_| u(next())).collect()),
                DType::I32 => TensorData::I32((0..n).map(|_| (next() & 7) as i32).collect()),
                DType::I64 => TensorData::I64((0..n).map(|_| (next() & 7) as i64).collect()),
                DType::Bool => TensorData::Bool((0..n).map(|_| next() & 1 == 1).collect()),
            };
            Tensor { shape: ty.shape.clone(), data }
        })
        .collect()
}

/// The JIT's outputs (one thread) on the LCG inputs.
fn jit_outputs(model: &Path) -> Vec<Tensor> {
    let m = xlac::load_model(model).unwrap();
    let opts = xlac::Options { threads: Some(1), ..Default::default() };
    xlac::compile(&m, &opts).unwrap().run(&lcg_inputs(&m)).unwrap()
}

/// `xlac MODEL -O2 -o DIR/NAME [--target T] [EXTRA..]`; the object's path.
fn aot_compile(model: &Path, dir: &Path, name: &str, target: Option<&str>) -> PathBuf {
    aot_compile_with(model, dir, name, target, &[])
}

fn aot_compile_with(model: &Path, dir: &Path, name: &str, target: Option<&str>, extra: &[&str]) -> PathBuf {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xlac"));
    cmd.arg(model).arg("-O2").arg("-o").arg(dir.join(name)).args(extra);
    if let Some(t) = target {
        cmd.args(["--target", t]);
    }
    let out = run(&mut cmd);
    assert!(out.contains(&format!("{name}_run")), "{out}");
    dir.join(format!("{name}.o"))
}

/// Builds examples/aot/main.c for model `name` with compiler `cc`.
fn build_c(cc: &str, dir: &Path, name: &str, libdir: &Path, extra: &[&str]) -> PathBuf {
    let exe = dir.join(format!("{name}_demo"));
    let mut cmd = Command::new(cc);
    cmd.args(["-O2", "-std=c11", "-Wall", "-Werror", "-I"]).arg(dir);
    cmd.arg(format!("-DMODEL={name}")).arg(format!("-DMODEL_UP={}", name.to_uppercase()));
    cmd.arg(format!("-DMODEL_HEADER=\"{name}.h\""));
    cmd.arg(root().join("examples/aot/main.c")).arg(dir.join(format!("{name}.o")));
    cmd.arg("-L").arg(libdir).args(["-lxlac_runtime", "-lpthread", "-lm", "-ldl"]).args(extra).arg("-o").arg(&exe);
    run(&mut cmd);
    exe
}

fn floats(t: &Tensor) -> Vec<f64> {
    match &t.data {
        TensorData::F32(v) => v.iter().map(|&x| x as f64).collect(),
        TensorData::F64(v) => v.clone(),
        TensorData::I32(v) => v.iter().map(|&x| x as f64).collect(),
        TensorData::I64(v) => v.iter().map(|&x| x as f64).collect(),
        TensorData::Bool(v) => v.iter().map(|&x| x as u8 as f64).collect(),
    }
}

fn from_bytes(b: &[u8], dtype: DType) -> Vec<f64> {
    match dtype {
        DType::F32 => b.chunks(4).map(|c| f32::from_le_bytes(c.try_into().unwrap()) as f64).collect(),
        DType::F64 => b.chunks(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect(),
        DType::I32 => b.chunks(4).map(|c| i32::from_le_bytes(c.try_into().unwrap()) as f64).collect(),
        DType::I64 => b.chunks(8).map(|c| i64::from_le_bytes(c.try_into().unwrap()) as f64).collect(),
        DType::Bool => b.iter().map(|&x| x as f64).collect(),
    }
}

/// Runs `exe` (through `runner`, if any) and checks every output against `expected`:
/// `|aot - jit| <= tol · max(1, |jit|, mean |jit|)` (the mean: elements that cancel
/// to near zero carry the rounding of their large terms, and threads change the order
/// of GEMM sums).
fn run_and_compare(runner: &[&str], exe: &Path, threads: u32, expected: &[Tensor], tol: f64) -> String {
    run_and_compare_with(runner, exe, threads, &[], expected, tol)
}

fn run_and_compare_with(
    runner: &[&str],
    exe: &Path,
    threads: u32,
    extra: &[&Path],
    expected: &[Tensor],
    tol: f64,
) -> String {
    let prefix = exe.with_extension("out");
    let mut cmd = match runner.split_first() {
        Some((r, args)) => {
            let mut c = Command::new(r);
            c.args(args).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    let stdout = run(cmd.arg(threads.to_string()).arg(&prefix).args(extra));
    for (i, want) in expected.iter().enumerate() {
        let bytes = std::fs::read(format!("{}{i}.bin", prefix.display())).unwrap();
        let got = from_bytes(&bytes, want.dtype());
        let want = floats(want);
        assert_eq!(got.len(), want.len(), "output {i}: length");
        let mean = want.iter().map(|w| w.abs()).sum::<f64>() / want.len().max(1) as f64;
        for (j, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g - w).abs() <= tol * w.abs().max(mean).max(1.0),
                "{}: output {i}[{j}]: aot {g}, jit {w}",
                exe.display()
            );
        }
    }
    stdout
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xlac-aot-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Compiles `model` as `name`, builds and runs the C program (1 and 2 threads), and
/// compares with the JIT.
fn check_host(model: &str, name: &str) {
    if !have("cc") {
        eprintln!("note: no `cc`: skipping the AOT test of {model}");
        return;
    }
    let lib = runtime_lib(None);
    let dir = temp_dir(name);
    let model = root().join(model);
    aot_compile(&model, &dir, name, None);
    let exe = build_c("cc", &dir, name, &lib, &[]);
    let expected = jit_outputs(&model);
    let out = run_and_compare(&[], &exe, 1, &expected, 1e-4);
    assert!(out.starts_with("output 0: "), "{out}");
    run_and_compare(&[], &exe, 2, &expected, 1e-4);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn mlp_runs_from_c_and_matches_the_jit() {
    check_host("examples/mlp.ir", "mlp");
}

#[test]
fn conv_runs_from_c_and_matches_the_jit() {
    check_host("examples/conv.ir", "conv");
}

#[test]
fn reduce_runs_from_c_and_matches_the_jit() {
    check_host("examples/reduce.ir", "reduce");
}

/// Softmax's kernel calls the runtime's array math (row fold, mapped `exp`, row
/// division) and ew_chain's blocks call its `tanh` and `logistic`: linked from
/// libxlac_runtime.a.
#[test]
fn kernels_calling_the_runtimes_array_math_run_from_c() {
    check_host("examples/softmax.ir", "softmax");
    check_host("examples/ew_chain.ir", "ew_chain");
}

#[test]
fn constants_and_aliased_outputs_run_from_c() {
    check_host("examples/aot/small.ir", "small");
}

#[test]
fn weights_file_keeps_constants_out_of_the_object() {
    if !have("cc") {
        return eprintln!("note: no `cc`: skipping");
    }
    let lib = runtime_lib(None);
    let dir = temp_dir("weights");
    let model = root().join("examples/aot/small.ir");
    let obj = aot_compile_with(&model, &dir, "small", None, &["--weights-file"]);
    let header = std::fs::read_to_string(obj.with_extension("h")).unwrap();
    assert!(header.contains("#define SMALL_EXTERNAL_WEIGHTS 1"), "{header}");
    let exe = build_c("cc", &dir, "small", &lib, &[]);
    let weights = obj.with_extension("weights");
    run_and_compare_with(&[], &exe, 1, &[&weights], &jit_outputs(&model), 1e-4);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn objects_are_reproducible() {
    let (a, b) = (temp_dir("repro-a"), temp_dir("repro-b"));
    for (model, name) in [("examples/mlp.ir", "mlp"), ("examples/aot/small.ir", "small")] {
        for target in [None, Some(AARCH64)] {
            let (x, y) = (
                aot_compile(&root().join(model), &a, name, target),
                aot_compile(&root().join(model), &b, name, target),
            );
            assert!(std::fs::read(&x).unwrap() == std::fs::read(&y).unwrap(), "{model} ({target:?}): objects differ");
            let h = |p: &Path| std::fs::read(p.with_extension("h")).unwrap();
            assert_eq!(h(&x), h(&y), "{model}: headers differ");
        }
    }
    std::fs::remove_dir_all(&a).unwrap();
    std::fs::remove_dir_all(&b).unwrap();
}

#[test]
fn several_models_link_into_one_program() {
    if !have("cc") {
        return eprintln!("note: no `cc`: skipping");
    }
    let dir = temp_dir("two");
    let small = root().join("examples/aot/small.ir");
    aot_compile(&small, &dir, "one", None);
    aot_compile(&small, &dir, "two", None);
    let main = "#include \"one.h\"\n#include \"two.h\"\n\
                int main(void) { return one_run(0, 0, 0, 1) != XLAC_ERR_BAD_TENSOR || &one_run == &two_run; }\n";
    std::fs::write(dir.join("both.c"), main).unwrap();
    let exe = dir.join("both");
    let lib = runtime_lib(None);
    let mut cmd = Command::new("cc");
    cmd.arg("-I").arg(&dir).arg(dir.join("both.c")).arg(dir.join("one.o")).arg(dir.join("two.o"));
    run(cmd.arg("-L").arg(&lib).args(["-lxlac_runtime", "-lpthread", "-lm", "-ldl", "-o"]).arg(&exe));
    run(&mut Command::new(&exe));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Whether Rust's standard library for aarch64 is installed (to build the runtime).
fn have_aarch64_std() -> bool {
    let out = Command::new("rustc").args(["--print", "target-libdir", "--target", AARCH64]).output();
    out.is_ok_and(|o| o.status.success() && Path::new(String::from_utf8_lossy(&o.stdout).trim()).is_dir())
}

#[test]
fn aarch64_object_runs_under_qemu_and_matches_the_jit() {
    if !(have("aarch64-linux-gnu-gcc") && have("qemu-aarch64") && have_aarch64_std()) {
        assert!(
            std::env::var_os("XLAC_AOT_REQUIRE_AARCH64").is_none(),
            "XLAC_AOT_REQUIRE_AARCH64 is set but aarch64-linux-gnu-gcc, qemu-aarch64 or Rust's aarch64 std is missing"
        );
        eprintln!(
            "note: aarch64-linux-gnu-gcc, qemu-aarch64 or Rust's aarch64 std missing: skipping the aarch64 AOT test"
        );
        return;
    }
    let lib = runtime_lib(Some(AARCH64));
    let dir = temp_dir("aarch64");
    for (model, name) in [("examples/aot/small.ir", "small"), ("examples/mlp.ir", "mlp")] {
        let model = root().join(model);
        let obj = aot_compile(&model, &dir, name, Some(AARCH64));
        let elf = std::fs::read(&obj).unwrap();
        assert_eq!(u16::from_le_bytes([elf[18], elf[19]]), 183, "e_machine of {} is not EM_AARCH64", obj.display());
        let exe = build_c("aarch64-linux-gnu-gcc", &dir, name, &lib, &[]);
        run_and_compare(&["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"], &exe, 1, &jit_outputs(&model), 1e-4);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
