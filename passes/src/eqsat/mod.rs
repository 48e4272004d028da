//! `eqsat`: simplifies each function by equality saturation (egg) and keeps the result
//! only if the cost model finds it strictly cheaper than the input.
//!
//! A function becomes a term ([`encode`]) in an e-graph with a shape/dtype analysis
//! ([`analysis`]); the [`rules`] run under hard limits (iterations, e-nodes, time, with
//! egg's `BackoffScheduler` banning rules that match too much); a DAG-aware extractor
//! ([`extract`]) picks the cheapest equivalent graph under the [`cost`] model, which is
//! turned back into a function with the same signature ([`decode`]). The stop reason,
//! sizes and costs of each function are recorded as pass notes.
//!
//! Functions that contain `call` ops are left as they are (a call has several results,
//! which the term language does not model). Rules that change floating-point results
//! beyond reassociation run only with [`PassCx::fast_math`].

pub mod analysis;
pub mod cost;
pub mod decode;
pub mod encode;
pub mod extract;
pub mod lang;
pub mod node;
pub mod rules;

use crate::{Pass, PassCx, PassError};
use analysis::{TensorAnalysis, TensorGraph};
use egg::{BackoffScheduler, Id, Language, Runner, StopReason};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};
use xlac_ir::{Function, Module};

/// Hard limits of one e-graph run.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Rule-application iterations.
    pub iterations: usize,
    /// E-nodes: `min(max_nodes, base_nodes + nodes_per_input_node × input nodes)`.
    pub base_nodes: usize,
    /// See `base_nodes`.
    pub nodes_per_input_node: usize,
    /// See `base_nodes`.
    pub max_nodes: usize,
    /// Wall time of the saturation (extraction comes on top).
    pub time: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            iterations: 30,
            base_nodes: 5_000,
            nodes_per_input_node: 200,
            max_nodes: 50_000,
            time: Duration::from_millis(200),
        }
    }
}

/// The equality-saturation pass. `Eqsat::default()` uses [`Limits::default`].
#[derive(Clone, Debug, Default)]
pub struct Eqsat {
    /// Limits of each function's run.
    pub limits: Limits,
}

/// What happened to one function.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Why saturation stopped.
    pub stop: StopReason,
    /// Iterations run.
    pub iterations: usize,
    /// E-nodes at the end.
    pub nodes: usize,
    /// E-classes at the end.
    pub classes: usize,
    /// Wall time of saturation and extraction.
    pub time: Duration,
    /// DAG cost of the input.
    pub cost_before: f64,
    /// DAG cost of the extracted function (the input's if extraction failed).
    pub cost_after: f64,
    /// The extracted function, if strictly cheaper than the input.
    pub improved: Option<Function>,
    /// Why the extraction was discarded, if it failed.
    pub error: Option<String>,
    /// How often each rule was applied (over all iterations), by name.
    pub applied: BTreeMap<String, usize>,
}

impl Outcome {
    /// One line for the pass notes.
    pub fn note(&self, func: &str) -> String {
        let stop = match &self.stop {
            StopReason::Saturated => "Saturated".to_string(),
            StopReason::IterationLimit(n) => format!("IterationLimit({n})"),
            StopReason::NodeLimit(n) => format!("NodeLimit({n})"),
            StopReason::TimeLimit(s) => format!("TimeLimit({s}s)"),
            StopReason::Other(s) => format!("Other({s})"),
        };
        let verdict = match (&self.improved, &self.error) {
            (Some(_), _) => "changed".to_string(),
            (None, Some(e)) => format!("kept: {e}"),
            (None, None) => "kept: not cheaper".to_string(),
        };
        format!(
            "@{func}: stop: {stop} after {} iterations, {} nodes, {} classes, {:.1} ms; cost {:.4e} -> {:.4e} ({verdict})",
            self.iterations,
            self.nodes,
            self.classes,
            self.time.as_secs_f64() * 1e3,
            self.cost_before,
            self.cost_after,
        )
    }
}

/// Runs equality saturation on `f`. `Err` if the function is not supported (it has
/// `call`s or an op the e-graph rejects); the function should then be kept as is.
pub fn optimize_function(f: &Function, fast_math: bool, limits: &Limits) -> Result<Outcome, String> {
    let start = Instant::now();
    let enc = encode::encode(f).map_err(|e| e.0)?;
    let mut eg = TensorGraph::new(TensorAnalysis { tables: enc.tables.clone() });
    let mut ids: Vec<Id> = Vec::with_capacity(enc.expr.as_ref().len());
    for node in enc.expr.as_ref() {
        let id = eg.add(node.clone().map_children(|c| ids[usize::from(c)]));
        ids.push(id);
    }
    for (&e, _) in enc.names.iter() {
        if eg[ids[usize::from(e)]].data.ty().is_none() {
            return Err("the function has an ill-typed op".into());
        }
    }
    eg.rebuild();
    let input_nodes = enc.expr.as_ref().len();
    let node_limit = limits.max_nodes.min(limits.base_nodes + limits.nodes_per_input_node * input_nodes);
    let roots: Vec<Id> = enc.roots.iter().map(|&r| ids[usize::from(r)]).collect();
    let runner: Runner<_, _, ()> = Runner::new(TensorAnalysis::default())
        .with_egraph(eg)
        .with_iter_limit(limits.iterations)
        .with_node_limit(node_limit)
        .with_time_limit(limits.time)
        .with_scheduler(BackoffScheduler::default())
        .run(rules::cached_rules(fast_math));
    let eg = &runner.egraph;
    let mut names: HashMap<Id, String> = HashMap::new();
    for (e, n) in enc.expr.as_ref().iter().enumerate().filter_map(|(i, _)| enc.names.get(&Id::from(i)).map(|n| (i, n)))
    {
        names.entry(eg.find(ids[e])).or_insert_with(|| n.clone());
    }
    let cost_before = cost::function_cost(f);
    let mut outcome = Outcome {
        stop: runner.stop_reason.clone().unwrap_or(StopReason::Other("not run".into())),
        iterations: runner.iterations.len(),
        nodes: eg.total_number_of_nodes(),
        classes: eg.number_of_classes(),
        time: Duration::ZERO,
        cost_before,
        cost_after: cost_before,
        improved: None,
        error: None,
        applied: BTreeMap::new(),
    };
    for it in &runner.iterations {
        for (rule, n) in &it.applied {
            *outcome.applied.entry(rule.to_string()).or_default() += n;
        }
    }
    match extract_function(eg, &roots, f, &names) {
        Ok(g) => {
            outcome.cost_after = cost::function_cost(&g);
            if outcome.cost_after < cost_before {
                outcome.improved = Some(g);
            }
        }
        Err(e) => outcome.error = Some(e),
    }
    outcome.time = start.elapsed();
    Ok(outcome)
}

fn extract_function(
    eg: &TensorGraph,
    roots: &[Id],
    f: &Function,
    names: &HashMap<Id, String>,
) -> Result<Function, String> {
    let ex = extract::extract(eg, roots).ok_or("no acyclic extraction")?;
    let entry_names: HashMap<Id, String> = ex
        .classes
        .iter()
        .enumerate()
        .filter_map(|(i, c)| names.get(&eg.find(*c)).map(|n| (Id::from(i), n.clone())))
        .collect();
    let g = decode::decode(&ex.expr, &ex.roots, &eg.analysis.tables, f, &entry_names)?;
    let check = Module { weights_file: None, functions: vec![g] };
    xlac_ir::verify_module(&check).map_err(|e| format!("extracted function does not verify: {}", e[0]))?;
    Ok(check.functions.into_iter().next().expect("one function"))
}

impl Pass for Eqsat {
    fn name(&self) -> &'static str {
        "eqsat"
    }

    fn run(&mut self, m: &mut Module, cx: &mut PassCx) -> Result<bool, PassError> {
        let mut changed = false;
        for f in &mut m.functions {
            match optimize_function(f, cx.fast_math, &self.limits) {
                Err(why) => cx.note(format!("@{}: skipped: {why}", f.name)),
                Ok(outcome) => {
                    cx.note(outcome.note(&f.name));
                    if let Some(g) = outcome.improved {
                        *f = g;
                        changed = true;
                    }
                }
            }
        }
        Ok(changed)
    }
}
