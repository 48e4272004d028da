//! `xlac bench`.

use super::flags::CompileFlags;
use super::import::DimFlags;
use super::run::parse_input;
use super::{load, Failure, ModelPath};
use crate::inputs::build_inputs;
use crate::{tensor_ref, CompilePhases};
use anyhow::anyhow;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use xlac_runtime::{HostTensor, TensorMut, TensorRef};

/// Arguments of `xlac bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// The model whose entry function is timed.
    pub model: ModelPath,
    /// Symbolic dimensions of an ONNX model.
    #[command(flatten)]
    pub dims: DimFlags,
    /// Value of parameter NAME from a .npy file (as for `xlac run`).
    #[arg(long = "input", value_name = "NAME=FILE.npy", value_parser = parse_input)]
    pub inputs: Vec<(String, PathBuf)>,
    /// Seed of the random data for parameters without --input.
    #[arg(long, value_name = "SEED", default_value_t = 0)]
    pub random_inputs: u64,
    /// Timed calls (after warm-up calls that are not counted).
    #[arg(short = 'n', long = "runs", value_name = "RUNS", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub runs: u64,
    /// Print one JSON object instead of text: median_ms, min_ms, max_ms of the calls;
    /// compile_ms (parse to machine code) and load_ms (creating the executable: arena,
    /// constants), medians over the compiles, with compile_phases and kernel_compile_ms
    /// breaking them down; runs, threads, steps.
    #[arg(long)]
    pub json: bool,
    /// Compile the model this many times (parsing included) and report the median of
    /// each phase; the first compile of a process also pays one-time start-up costs
    /// (reported as first_compile_ms) and is the one that runs.
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub compile_repeats: u64,
    /// Also time every step (kernel or library call) over the runs and print its
    /// median, share, bytes moved, GB/s and GFLOP/s (`per_kernel` in JSON).
    #[arg(long)]
    pub per_kernel: bool,
    /// Compilation flags.
    #[command(flatten)]
    pub compile: CompileFlags,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One compile: parse time and the driver's phases.
struct Timed {
    parse: Duration,
    phases: CompilePhases,
}

impl Timed {
    /// Parse to machine code.
    fn compile(&self) -> Duration {
        self.parse + self.phases.compile()
    }
}

/// A phase's name and how to read its time.
type Phase = (&'static str, fn(&Timed) -> Duration);

/// Medians over the compiles of each phase, in milliseconds, by name.
fn phase_medians(timed: &[Timed]) -> Vec<(&'static str, f64)> {
    let phases: [Phase; 11] = [
        ("parse", |t| t.parse),
        ("verify", |t| t.phases.verify),
        ("passes", |t| t.phases.passes),
        ("lower", |t| t.phases.lower),
        ("pool", |t| t.phases.pool),
        ("codegen_setup", |t| t.phases.codegen_setup),
        ("emit", |t| t.phases.emit),
        ("cranelift", |t| t.phases.cranelift),
        ("finalize", |t| t.phases.finalize),
        ("compile", Timed::compile),
        ("load", |t| t.phases.load),
    ];
    phases.iter().map(|&(name, get)| (name, ms(median_of(timed.iter().map(get).collect())))).collect()
}

pub(super) fn run(a: BenchArgs) -> Result<(), Failure> {
    let mut timed = Vec::new();
    let mut compiled = None;
    // `.ir` text is read once and parsed for every compile (the file may change while
    // we run); anything else (ONNX, an unreadable file: a diagnostic) is loaded each time.
    let is_onnx = a.model.extension().is_some_and(|e| e.eq_ignore_ascii_case("onnx"));
    let text = (!is_onnx).then(|| std::fs::read_to_string(&a.model).ok()).flatten();
    for i in 0..a.compile_repeats {
        let start = Instant::now();
        let m = match &text {
            Some(text) => {
                let name = a.model.display().to_string();
                xlac_frontend::parse_module(&name, text, a.model.parent())?
            }
            None => load(&a.model, &a.dims)?,
        };
        let parse = start.elapsed();
        let f = m.entry().ok_or_else(|| anyhow!("{} has no @main and more than one function", a.model.display()))?;
        let mut options = a.compile.options(false);
        // The pass table of the last compile: a warm one, like the medians.
        options.print_pass_stats &= i + 1 == a.compile_repeats;
        let exe = crate::compile(&m, &options).map_err(|e| anyhow!("compiling @{}: {e}", f.name))?;
        timed.push(Timed { parse, phases: exe.phases().clone() });
        // Keep the first: later ones are dropped (their arenas freed) before the next.
        if compiled.is_none() {
            compiled = Some((m, exe));
        }
    }
    let (m, exe) = compiled.expect("at least one compile");
    let f = m.entry().expect("checked above");
    let inputs = build_inputs(f, &a.inputs, Some(a.random_inputs))?;
    let rt = exe.runtime();
    let refs: Vec<TensorRef> = inputs.iter().map(tensor_ref).collect();
    let mut outs: Vec<HostTensor> = rt.program().outputs.iter().map(|s| HostTensor::zeros(s.elem, &s.dims)).collect();
    let mut call = || -> Result<Duration, Failure> {
        let mut views: Vec<TensorMut> = outs.iter_mut().map(|o| o.as_mut()).collect();
        let start = Instant::now();
        rt.run_into(&refs, &mut views).map_err(|e| anyhow!("running @{}: {e}", f.name))?;
        Ok(start.elapsed())
    };
    // Warm up for at least 3 calls and 50 ms, so caches, pages and threads are steady.
    let warm = Instant::now();
    for i in 0.. {
        call()?;
        if i >= 2 && warm.elapsed() > Duration::from_millis(50) {
            break;
        }
    }
    let mut times: Vec<Duration> = (0..a.runs).map(|_| call()).collect::<Result<_, _>>()?;
    let per_kernel = match a.per_kernel {
        true => Some(super::profile::profile(&exe, &refs, &mut outs, a.runs)?),
        false => None,
    };
    times.sort();
    let (min, max, median) = (times[0], times[times.len() - 1], median(&times));
    let phases = phase_medians(&timed);
    let phase = |name: &str| phases.iter().find(|p| p.0 == name).map_or(0.0, |p| p.1);
    let (compile, load_ms) = (phase("compile"), phase("load"));
    let total = ms(median_of(timed.iter().map(|t| t.compile() + t.phases.load).collect()));
    let first = ms(timed[0].compile());
    let fastest = timed.iter().map(Timed::compile).min().map_or(0.0, ms);
    let kernels: Vec<serde_json::Value> = exe
        .phases()
        .kernel_times
        .iter()
        .enumerate()
        .map(|(k, kt)| {
            let emit = median_of(timed.iter().map(|t| t.phases.kernel_times[k].emit).collect());
            let compile = median_of(timed.iter().map(|t| t.phases.kernel_times[k].compile).collect());
            serde_json::json!({ "name": kt.name, "emit_ms": ms(emit), "cranelift_ms": ms(compile) })
        })
        .collect();
    if a.json {
        let obj = serde_json::json!({
            "model": a.model.display().to_string(),
            "opt_level": a.compile.opt,
            "median_ms": ms(median),
            "min_ms": ms(min),
            "max_ms": ms(max),
            "compile_ms": compile,
            "load_ms": load_ms,
            "compile_and_load_ms": total,
            "first_compile_ms": first,
            "compile_min_ms": fastest,
            "compile_repeats": a.compile_repeats,
            "compile_phases": phases.iter().map(|&(n, v)| (n.to_string(), serde_json::json!(v))).collect::<serde_json::Map<_, _>>(),
            "kernel_compile_ms": kernels,
            "runs": a.runs,
            "threads": rt.threads(),
            "steps": exe.step_count(),
        });
        let mut obj = obj;
        if let Some(p) = &per_kernel {
            obj["per_kernel"] = serde_json::Value::Array(super::profile::to_json(p));
        }
        println!("{obj}");
    } else {
        println!(
            "{}: median {:.3} ms, min {:.3} ms, max {:.3} ms over {} runs (-O{}, {} threads, {} steps); compile {compile:.2} ms + load {load_ms:.2} ms (medians of {} compiles; fastest {fastest:.2} ms, first {first:.2} ms)",
            a.model.display(),
            ms(median),
            ms(min),
            ms(max),
            a.runs,
            a.compile.opt,
            rt.threads(),
            exe.step_count(),
            a.compile_repeats,
        );
        let list: Vec<String> = phases.iter().map(|(n, v)| format!("{n} {v:.3}")).collect();
        println!("  compile phases (ms): {}", list.join(", "));
        if let Some(p) = &per_kernel {
            print!("{}", super::profile::format_table(p));
        }
    }
    Ok(())
}

fn median_of(mut times: Vec<Duration>) -> Duration {
    times.sort();
    median(&times)
}

fn median(sorted: &[Duration]) -> Duration {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}
