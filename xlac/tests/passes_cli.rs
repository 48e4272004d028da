//! The optimizer's command-line flags: `--pass-stats`, `--dump-after`, `--disable-pass`
//! and `--fast-math` on `xlac run` and `xlac bench`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xlac(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xlac")).args(args).output().expect("xlac runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A small model with work for every classic pass.
fn model() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xlac-passes-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.ir");
    let text = "func @main(%x: f32[4]) -> f32[4] {
  %two = constant value=2.0 : f32[]
  %b = broadcast_in_dim %two, dims=[] : f32[4]
  %a = mul %b, %x : f32[4]
  %a2 = mul %b, %x : f32[4]
  %dead = exp %a : f32[4]
  %r = reshape %a2 : f32[4]
  %s = add %a, %r : f32[4]
  return %s
}
";
    std::fs::write(&path, text).unwrap();
    path
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn pass_stats_prints_a_table() {
    let m = model();
    let o = xlac(&["run", path_str(&m), "--random-inputs", "1", "-O1", "--pass-stats"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.lines().next().is_some_and(|l| l.starts_with("pass") && l.contains("time ms")), "{err}");
    for name in ["canonicalize", "const_fold", "cse", "dce", "simplify"] {
        assert!(err.contains(name), "{err}");
    }
    assert!(err.contains("converged after"), "{err}");
    assert!(stdout(&o).contains("result 0: f32[4]"), "{}", stdout(&o));
}

#[test]
fn dump_after_prints_the_module() {
    let m = model();
    let o = xlac(&["run", path_str(&m), "--random-inputs", "1", "-O1", "--dump-after=dce"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with("// after dce\nfunc @main(%x: f32[4]) -> f32[4] {"), "{err}");
    assert!(!err.contains("%dead") && !err.contains("// after cse"), "{err}");
    let all = stderr(&xlac(&["run", path_str(&m), "--random-inputs", "1", "-O2", "--dump-after", "all"]));
    assert!(all.contains("// after canonicalize\n") && all.contains("// after cse\n"), "{all}");
}

#[test]
fn disable_pass_skips_it() {
    let m = model();
    let args = ["run", path_str(&m), "--random-inputs", "1", "-O1", "--disable-pass=dce", "--disable-pass=cse"];
    let o = xlac(&[&args[..], &["--pass-stats", "--dump-after=all"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains("\ndce ") && !err.contains("// after dce") && !err.contains("// after cse"), "{err}");
    assert!(err.contains("%dead = exp"), "dce was disabled, so %dead stays:\n{err}");
}

#[test]
fn bad_pass_names_fail_with_the_valid_ones() {
    let m = model();
    for flag in ["--disable-pass=frobnicate", "--dump-after=frobnicate"] {
        let o = xlac(&["run", path_str(&m), "--random-inputs", "1", flag]);
        assert_eq!(o.status.code(), Some(1), "{flag}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("unknown pass `frobnicate`"), "{err}");
        assert!(err.contains("canonicalize, const_fold, cse, dce"), "{err}");
    }
}

#[test]
fn bench_takes_the_flags() {
    let m = model();
    let o = xlac(&["bench", path_str(&m), "-n", "2", "-O1", "--fast-math", "--pass-stats", "--disable-pass=cse"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("canonicalize"), "{}", stderr(&o));
    let o = xlac(&["bench", path_str(&m), "-n", "2", "--disable-pass=nope"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}
