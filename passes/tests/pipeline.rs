//! The pass manager: verification after each pass, signature checks, dumps, disabling,
//! statistics and fixed points.

use xlac_ir::{print_module, Module};
use xlac_passes::{
    format_pass_stats, pipeline_for, simplify, standard_pass_names, Dce, FixedPoint, Pass, PassCx, PassError, Pipeline,
    PipelineError, PipelineOptions,
};

/// The `-O1` fixed point without what follows it (fusion).
fn classic() -> Pipeline {
    Pipeline::new().then_fixed_point(simplify()).also_known(&standard_pass_names())
}

fn parse(text: &str) -> Module {
    xlac_frontend::parse_module("test", text, None).unwrap_or_else(|d| panic!("{}", d.render(false)))
}

const DEAD: &str =
    "func @main(%x: f32[2]) -> f32[2] {\n  %a = exp %x : f32[2]\n  %dead = neg %a : f32[2]\n  return %a\n}\n";

fn verifying() -> PipelineOptions {
    PipelineOptions { verify_each: true, ..Default::default() }
}

/// Makes the entry function return a value of the wrong type.
struct Breaks;

impl Pass for Breaks {
    fn name(&self) -> &'static str {
        "breaks"
    }

    fn run(&mut self, m: &mut Module, _: &mut PassCx) -> Result<bool, PassError> {
        let f = &mut m.functions[0];
        f.result_types[0] = xlac_ir::TensorType::new(xlac_ir::DType::I32, vec![2]);
        Ok(true)
    }
}

/// Renames the entry function's first parameter.
struct Renames;

impl Pass for Renames {
    fn name(&self) -> &'static str {
        "renames"
    }

    fn run(&mut self, m: &mut Module, _: &mut PassCx) -> Result<bool, PassError> {
        let f = &mut m.functions[0];
        let p = f.params[0];
        f.values[p].name = "renamed".into();
        Ok(true)
    }
}

/// Claims a change every time.
struct Restless;

impl Pass for Restless {
    fn name(&self) -> &'static str {
        "restless"
    }

    fn run(&mut self, _: &mut Module, cx: &mut PassCx) -> Result<bool, PassError> {
        cx.note("again");
        Ok(true)
    }
}

#[test]
fn a_pass_that_breaks_the_module_is_named() {
    let mut m = parse(DEAD);
    let err = Pipeline::new().then(Dce).then(Breaks).run(&mut m, &verifying(), &mut Vec::new()).unwrap_err();
    assert!(matches!(err, PipelineError::Broken { pass: "breaks", .. }), "{err}");
    assert!(err.to_string().starts_with("pass `breaks` broke the module"), "{err}");
}

#[test]
fn a_pass_that_changes_the_entry_signature_is_named() {
    let mut m = parse(DEAD);
    let err = Pipeline::new().then(Renames).run(&mut m, &verifying(), &mut Vec::new()).unwrap_err();
    assert_eq!(err.to_string(), "pass `renames` changed the signature of the entry function @main");
}

#[test]
fn unknown_names_list_the_known_passes() {
    let mut m = parse(DEAD);
    let opts = PipelineOptions { disabled: vec!["nope".into()], ..verifying() };
    let err = pipeline_for(1, false).run(&mut m, &opts, &mut Vec::new()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("unknown pass `nope` in --disable-pass; known passes: canonicalize, const_fold"), "{msg}");
    let opts = PipelineOptions { dump_after: vec!["nope".into()], ..verifying() };
    let msg = pipeline_for(1, false).run(&mut m, &opts, &mut Vec::new()).unwrap_err().to_string();
    assert!(msg.contains("--dump-after") && msg.ends_with(", all"), "{msg}");
    // Every standard pass name is valid at every level, even where it does not run.
    let opts =
        PipelineOptions { disabled: standard_pass_names().iter().map(|s| s.to_string()).collect(), ..verifying() };
    pipeline_for(0, false).run(&mut m, &opts, &mut Vec::new()).unwrap();
}

#[test]
fn dumps_after_the_named_pass() {
    let mut m = parse(DEAD);
    let mut out = Vec::new();
    let opts = PipelineOptions { dump_after: vec!["dce".into()], ..verifying() };
    pipeline_for(1, false).run(&mut m, &opts, &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(out.starts_with("// after dce\nfunc @main"), "{out}");
    assert!(!out.contains("%dead") && !out.contains("after cse"), "{out}");
    let mut all = Vec::new();
    let opts = PipelineOptions { dump_after: vec!["all".into()], ..verifying() };
    pipeline_for(1, false).run(&mut parse(DEAD), &opts, &mut all).unwrap();
    let all = String::from_utf8(all).unwrap();
    for name in ["canonicalize", "const_fold", "cse", "dce"] {
        assert!(all.contains(&format!("// after {name}\n")), "{all}");
    }
}

#[test]
fn disabled_passes_do_not_run() {
    let mut m = parse(DEAD);
    let opts = PipelineOptions { disabled: vec!["dce".into()], ..verifying() };
    let run = classic().run(&mut m, &opts, &mut Vec::new()).unwrap();
    assert!(run.stats.iter().all(|s| s.pass != "dce"));
    assert!(!run.changed);
    assert_eq!(print_module(&m), DEAD);
}

#[test]
fn records_stats_and_converges() {
    let mut m = parse(DEAD);
    let run = classic().run(&mut m, &verifying(), &mut Vec::new()).unwrap();
    assert!(run.changed);
    let passes: Vec<&str> = run.stats.iter().map(|s| s.pass).collect();
    assert_eq!(
        passes,
        ["canonicalize", "const_fold", "cse", "dce", "canonicalize", "const_fold", "cse", "dce", "simplify"]
    );
    let dce = &run.stats[3];
    assert!(dce.changed && dce.notes == ["1 op removed"], "{dce:?}");
    assert_eq!(run.stats[8].notes, ["converged after 2 iterations"]);
    let table = format_pass_stats(&run.stats);
    assert!(table.starts_with("pass") && table.contains("dce") && table.contains("1 op removed"), "{table}");
}

#[test]
fn fixed_point_stops_at_its_cap() {
    let mut m = parse(DEAD);
    let mut p = Pipeline::new()
        .then_fixed_point(FixedPoint::new("loop", Pipeline::new().then(Restless)).with_max_iterations(3));
    let run = p.run(&mut m, &verifying(), &mut Vec::new()).unwrap();
    assert_eq!(run.stats.iter().filter(|s| s.pass == "restless").count(), 3);
    let last = run.stats.last().unwrap();
    assert_eq!(last.pass, "loop");
    assert_eq!(last.notes, ["stopped at the iteration cap (3) while still changing"]);
}

#[test]
fn o0_runs_nothing() {
    let mut m = parse(DEAD);
    let run = pipeline_for(0, false).run(&mut m, &verifying(), &mut Vec::new()).unwrap();
    assert!(run.stats.is_empty() && !run.changed);
    assert_eq!(print_module(&m), DEAD);
}

#[test]
fn rejects_an_invalid_input() {
    let mut m = parse(DEAD);
    m.functions[0].ret.clear();
    let err = pipeline_for(1, false).run(&mut m, &verifying(), &mut Vec::new()).unwrap_err();
    assert!(matches!(err, PipelineError::InvalidInput(_)), "{err}");
}
