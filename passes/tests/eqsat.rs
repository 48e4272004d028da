//! Properties of the `eqsat` pass on whole modules: the examples terminate within the
//! limits, verify and never get more expensive; exporter patterns come out as
//! multiplications; fast-math rules stay off without fast-math; and every `run`
//! filetest module (a light fuzz over every op) survives the pass with its semantics.

mod eqsat_util;

use eqsat_util::*;
use std::time::Instant;
use xlac_ir::{print_module, Module, OpKind};
use xlac_passes::eqsat::{cost::function_cost, optimize_function, Eqsat, Limits};
use xlac_passes::{Pass, PassCx};

fn run_pass(m: &Module, fast_math: bool) -> (Module, bool, Vec<String>) {
    let mut out = m.clone();
    let mut cx = PassCx { fast_math, notes: Vec::new() };
    let changed = Eqsat::default().run(&mut out, &mut cx).expect("eqsat never fails");
    (out, changed, cx.notes)
}

fn module(text: &str) -> Module {
    xlac_frontend::parse_module("test", text, None).unwrap_or_else(|d| panic!("{}", d.render(false)))
}

fn count(m: &Module, kind: OpKind) -> usize {
    m.functions.iter().flat_map(|f| &f.ops).filter(|op| op.kind == kind).count()
}

#[test]
fn examples_terminate_verify_and_never_get_more_expensive() {
    let limits = Limits::default();
    for path in ir_files(&root().join("examples")) {
        let m = xlac_frontend::load_module(&path).unwrap_or_else(|d| panic!("{}", d.render(false)));
        for fast_math in [false, true] {
            let start = Instant::now();
            let (out, changed, notes) = run_pass(&m, fast_math);
            let elapsed = start.elapsed();
            xlac_ir::verify_module(&out).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            for (f, g) in m.functions.iter().zip(&out.functions) {
                let (before, after) = (function_cost(f), function_cost(g));
                assert!(after <= before, "{}: cost {before} -> {after}", path.display());
                assert_eq!(f.param_types(), g.param_types());
                assert_eq!(f.result_types, g.result_types);
                let o = optimize_function(f, fast_math, &limits).expect("examples have no calls");
                assert!(o.iterations <= limits.iterations && o.nodes <= limits.max_nodes + 10_000);
                assert!(o.time.as_millis() < 5_000, "{}: {:?}", path.display(), o.time);
            }
            assert_eq!(changed, out != m);
            eprintln!(
                "{} (fast_math={fast_math}): {:.1} ms, changed={changed}; {}",
                path.file_name().unwrap().to_string_lossy(),
                elapsed.as_secs_f64() * 1e3,
                notes.join("; ")
            );
        }
    }
}

#[test]
fn exporter_pow_patterns_become_multiplications() {
    let m = module(
        "func @gelu_cubic(%x: f32[16,64]) -> f32[16,64] {
           %three = constant value=3.0 : f32[]
           %three.b = broadcast_in_dim %three, dims=[] : f32[16,64]
           %x3 = pow %x, %three.b : f32[16,64]
           %c = constant value=0.044715 : f32[16,64]
           %y = mul %x3, %c : f32[16,64]
           return %y
         }
         func @layernorm(%x: f32[16,64]) -> f32[16,64] {
           %sum = reduce %x, kind=sum, dims=[1] : f32[16]
           %inv = constant value=0.015625 : f32[16]
           %mean = mul %sum, %inv : f32[16]
           %mean.b = broadcast_in_dim %mean, dims=[0] : f32[16,64]
           %d = sub %x, %mean.b : f32[16,64]
           %two = constant value=2.0 : f32[16,64]
           %d2 = pow %d, %two : f32[16,64]
           %ssq = reduce %d2, kind=sum, dims=[1] : f32[16]
           %var = mul %ssq, %inv : f32[16]
           %eps = constant value=1e-5 : f32[16]
           %ve = add %var, %eps : f32[16]
           %r = rsqrt %ve : f32[16]
           %r.b = broadcast_in_dim %r, dims=[0] : f32[16,64]
           %y = mul %d, %r.b : f32[16,64]
           return %y
         }",
    );
    let (out, changed, _) = run_pass(&m, false);
    assert!(changed);
    assert_eq!(count(&out, OpKind::Pow), 0, "{}", print_module(&out));
    let cubic = &out.functions[0];
    assert_eq!(cubic.ops.iter().filter(|op| op.kind == OpKind::Mul).count(), 3, "{}", print_module(&out));
    same_results(&m, &out, -3.0, 3.0).unwrap();
}

#[test]
fn fast_math_rules_stay_off_without_fast_math() {
    let m = module(
        "func @main(%x: f32[8]) -> (f32[8], f32[8], f32[8], f32[8], f32[8]) {
           %z = constant value=0.0 : f32[8]
           %a = mul %x, %z : f32[8]
           %b = sub %x, %x : f32[8]
           %l = log %x : f32[8]
           %c = exp %l : f32[8]
           %h = constant value=0.5 : f32[8]
           %d = pow %x, %h : f32[8]
           %three = constant value=3.0 : f32[8]
           %e = div %x, %three : f32[8]
           return %a, %b, %c, %d, %e
         }",
    );
    let (out, changed, notes) = run_pass(&m, false);
    assert!(!changed, "{notes:?}\n{}", print_module(&out));
    assert_eq!(out, m);
    let (fast, changed, _) = run_pass(&m, true);
    assert!(changed);
    assert!(function_cost(&fast.functions[0]) < function_cost(&m.functions[0]));
    for kind in [OpKind::Log, OpKind::Exp, OpKind::Pow, OpKind::Div] {
        assert_eq!(count(&fast, kind), 0, "{kind:?} left:\n{}", print_module(&fast));
    }
}

#[test]
fn calls_are_left_alone() {
    let m = module(
        "func @helper(%x: f32[4]) -> f32[4] {
           %n = neg %x : f32[4]
           %y = neg %n : f32[4]
           return %y
         }
         func @main(%x: f32[4]) -> f32[4] {
           %y = call %x, callee=@helper : f32[4]
           %n = neg %y : f32[4]
           %z = neg %n : f32[4]
           return %z
         }",
    );
    let (out, changed, notes) = run_pass(&m, false);
    assert!(changed);
    assert_eq!(out.functions[0].ops.len(), 0, "the callee is optimized");
    assert_eq!(out.functions[1], m.functions[1], "the caller is kept");
    assert!(notes.iter().any(|n| n.starts_with("@main: skipped")), "{notes:?}");
}

#[test]
fn run_filetests_survive_eqsat() {
    let mut checked = 0;
    for path in ir_files(&root().join("tests/filetests/run")) {
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(m) = parse(&path, &text) else { continue };
        for fast_math in [false, true] {
            let (out, _, notes) = run_pass(&m, fast_math);
            let name = path.display();
            xlac_ir::verify_module(&out).unwrap_or_else(|e| panic!("{name}: {e:?}\n{}", print_module(&out)));
            for (f, g) in m.functions.iter().zip(&out.functions) {
                assert!(function_cost(g) <= function_cost(f), "{name}: {notes:?}");
            }
            if !fast_math {
                same_results(&m, &out, -3.0, 3.0).unwrap_or_else(|e| panic!("{name}: {e}\n{}", print_module(&out)));
            }
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} run filetests found");
}
