//! Differential tests over random multi-op graphs: each graph (3 to 25 ops mixing
//! elementwise ops, index maps, reductions, dot_general, pooling and gather, over small
//! shapes with extents 1 and odd sizes) runs on the reference interpreter and on the JIT
//! at -O0, -O1 and -O2; results must agree within a tolerance scaled by each element's
//! magnitude (see `random_graphs/compare.rs`).
//!
//! Seeds are deterministic: `XLAC_RANDOM_GRAPHS=N` runs N graphs (default 200),
//! `XLAC_RANDOM_GRAPHS_SEED=S` starts at seed S (so `S` and `N=1` rerun one graph) and
//! `XLAC_RANDOM_GRAPHS_PRINT=1` prints every graph. A failure prints the level, the first
//! differing element and the graph as a `test run` filetest with its seed and inputs.

#[path = "random_graphs/compare.rs"]
mod compare;
#[path = "random_graphs/gen.rs"]
mod gen;
#[path = "random_graphs/graph.rs"]
mod graph;
#[path = "random_graphs/ops.rs"]
mod ops;
#[path = "random_graphs/shape_ops.rs"]
mod shape_ops;

use compare::{compare, slack, Bound};
use gen::{random_graph, Case};
use std::collections::BTreeMap;
use xlac::{OptLevel, Options};
use xlac_ir::ops::OpClass;
use xlac_ir::OpKind;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn seeds() -> std::ops::Range<u64> {
    let start = env_u64("XLAC_RANDOM_GRAPHS_SEED", 0);
    start..start + env_u64("XLAC_RANDOM_GRAPHS", 200)
}

/// What compiled programs did, summed over graphs (to check the interesting paths ran).
#[derive(Default, Debug)]
struct Paths {
    fused_kernels: usize,
    reduction_fusions: usize,
    library_calls: usize,
    multi_output_fusions: usize,
}

/// Runs `case` on the interpreter and at every level; the error names the level and
/// the first differing element.
fn check(case: &Case, paths: &mut Paths) -> Result<(), String> {
    let want = xlac_interp::run_entry(&case.module, &case.inputs).map_err(|e| format!("interpreter: {e}"))?;
    let shadow = xlac_interp::run_entry(&case.shadow, &case.inputs).map_err(|e| format!("shadow: {e}"))?;
    for level in [OptLevel::O0, OptLevel::O1, OptLevel::O2] {
        let options = Options { opt_level: level, ..Default::default() };
        let exe = xlac::compile(&case.module, &options).map_err(|e| format!("{level:?} compile: {e}"))?;
        let got = exe.run(&case.inputs).map_err(|e| format!("{level:?} run: {e}"))?;
        if got.len() != want.len() {
            return Err(format!("{level:?}: {} results but the interpreter gives {}", got.len(), want.len()));
        }
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            let (c, atol) = slack(case, w.dtype());
            let bound = Bound { exact: case.exact[i], mag: Some(&shadow[2 * i + 1]), c, atol };
            compare(g, w, &bound).map_err(|e| format!("{level:?} result {i}: {e}"))?;
        }
        if level == OptLevel::O2 && case.seed.is_multiple_of(4) {
            let (optimized, _) = xlac::optimize(&case.module, &options).map_err(|e| format!("optimize: {e}"))?;
            let fusions = optimized.functions.iter().filter(|f| f.name.contains("fusion"));
            paths.multi_output_fusions += fusions.filter(|f| f.result_types.len() > 1).count();
        }
        if level == OptLevel::O2 {
            for s in exe.steps() {
                paths.library_calls += usize::from(s.library);
                paths.fused_kernels += usize::from(s.name.contains("fusion"));
                let reduce_then_more = s.ops.iter().position(|&o| o == "reduce").is_some_and(|p| p + 1 < s.ops.len());
                paths.reduction_fusions += usize::from(reduce_then_more);
            }
        }
    }
    Ok(())
}

#[test]
fn random_graphs_agree_with_the_interpreter() {
    let mut paths = Paths::default();
    let mut failures = Vec::new();
    for seed in seeds() {
        let case = random_graph(seed);
        if std::env::var_os("XLAC_RANDOM_GRAPHS_PRINT").is_some() {
            eprintln!("{}\n", case.text());
        }
        if let Err(e) = check(&case, &mut paths) {
            failures.push(format!("{e}\n{}", case.text()));
        }
    }
    eprintln!("{paths:?}");
    assert!(failures.is_empty(), "{} random graphs disagree:\n\n{}", failures.len(), failures.join("\n\n"));
    if seeds().count() >= 100 {
        let Paths { fused_kernels, reduction_fusions, library_calls, multi_output_fusions } = paths;
        assert!(fused_kernels * reduction_fusions * library_calls * multi_output_fusions > 0, "{paths:?}");
    }
}

/// Every op kind of the classes the generator covers occurs in some graph, unless
/// [`ops::NOT_GENERATED`] names it, over the default seeds of the main test.
#[test]
fn the_generator_covers_the_op_table() {
    let mut counts: BTreeMap<OpKind, usize> = BTreeMap::new();
    for seed in 0..200 {
        for (k, n) in random_graph(seed).counts {
            *counts.entry(k).or_default() += n;
        }
    }
    let classes = [OpClass::Elementwise, OpClass::IndexMap, OpClass::Reduction, OpClass::Contraction];
    let missing: Vec<&str> = OpKind::ALL
        .iter()
        .filter(|k| classes.contains(&k.info().class))
        .filter(|k| !counts.contains_key(k) && !ops::NOT_GENERATED.iter().any(|(n, _)| n == *k))
        .map(|k| k.name())
        .collect();
    assert!(missing.is_empty(), "no random graph uses: {}", missing.join(", "));
    for class in classes {
        assert!(counts.keys().any(|k| k.info().class == class), "no random graph uses a {class:?} op");
    }
}
