//! Runs every filetest under `tests/filetests/` (see its README), and checks that the
//! suite stays complete: enough files, and a `test run` file for every op.

use std::path::{Path, PathBuf};
use xlac_ir::OpKind;
use xlac_tests::{collect_files, ops_covered_by_run_tests, run_filetests, Config};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("filetests")
}

#[test]
fn filetests() {
    let report = run_filetests(&root(), &Config::from_env());
    let summary = report.render();
    println!("{summary}");
    assert!(report.failed.is_empty(), "{} filetest(s) failed:\n{summary}", report.failed.len());
}

#[test]
fn every_op_has_a_run_filetest() {
    let files = collect_files(&root());
    assert!(files.len() >= 40, "expected at least 40 filetests, found {}", files.len());
    let covered = ops_covered_by_run_tests(&root());
    let missing: Vec<&str> = OpKind::ALL.iter().filter(|k| !covered.contains(k)).map(|k| k.name()).collect();
    assert!(missing.is_empty(), "ops without a `test run` filetest: {}", missing.join(", "));
}

#[test]
fn examples_parse_verify_and_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let files = collect_files(&dir);
    assert!(files.len() >= 8, "expected the eight workload examples in {}", dir.display());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy();
        let m = xlac_frontend::parse_module(&name, &text, path.parent())
            .unwrap_or_else(|d| panic!("{}:\n{}", path.display(), d.render(false)));
        assert!(m.function("main").is_some(), "{}: no @main", path.display());
        let printed = xlac_ir::print_module(&m);
        let again = xlac_frontend::parse_module(&name, &printed, path.parent())
            .unwrap_or_else(|d| panic!("{}: printed form does not parse:\n{}", path.display(), d.render(false)));
        assert_eq!(again, m, "{}: parse(print(m)) != m", path.display());
    }
}

/// The runner itself: a wrong expectation fails with a diff naming the file, and bless
/// rewrites it so the next run passes.
#[test]
fn runner_diffs_then_blesses() {
    let dir = std::env::temp_dir().join(format!("xlac-filetest-selftest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("wrong.ir");
    let text = "// test run\n// run: [1.0, 2.0] : f32[2]\n// expect: [2.0, 5.0] : f32[2]\n\
                func @main(%x: f32[2]) -> f32[2] {\n  %y = add %x, %x : f32[2]\n  return %y\n}\n";
    std::fs::write(&path, text).unwrap();
    let mut config = Config::from_env();
    config.filter = None;
    config.bless = false;
    let report = run_filetests(&dir, &config);
    assert_eq!(report.failed.len(), 1);
    let msg = &report.failed[0].message;
    assert!(msg.contains("-// expect: [2.0, 5.0] : f32[2]"), "{msg}");
    assert!(msg.contains("+// expect: [2.0, 4.0] : f32[2]"), "{msg}");
    assert!(msg.contains("element 1 (index [1]) is 4.0, expected 5.0"), "{msg}");
    assert!(report.render().contains("wrong.ir"));
    config.bless = true;
    assert_eq!(run_filetests(&dir, &config).blessed.len(), 1);
    config.bless = false;
    let again = run_filetests(&dir, &config);
    assert!(again.failed.is_empty() && again.passed.len() == 1, "{}", again.render());
    std::fs::remove_dir_all(&dir).unwrap();
}
