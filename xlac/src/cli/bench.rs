//! `xlac bench`.

use super::flags::CompileFlags;
use super::import::DimFlags;
use super::run::parse_input;
use super::{load, Failure, ModelPath};
use crate::inputs::build_inputs;
use crate::tensor_ref;
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
    /// Print one JSON object (median_ms, min_ms, max_ms, compile_ms, runs, ...) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Compilation flags.
    #[command(flatten)]
    pub compile: CompileFlags,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub(super) fn run(a: BenchArgs) -> Result<(), Failure> {
    let m = load(&a.model, &a.dims)?;
    let f = m.entry().ok_or_else(|| anyhow!("{} has no @main and more than one function", a.model.display()))?;
    let inputs = build_inputs(f, &a.inputs, Some(a.random_inputs))?;
    let exe = crate::compile(&m, &a.compile.options(false)).map_err(|e| anyhow!("compiling @{}: {e}", f.name))?;
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
    times.sort();
    let (min, max, median) = (times[0], times[times.len() - 1], median(&times));
    let compile = exe.compile_time();
    if a.json {
        let obj = serde_json::json!({
            "model": a.model.display().to_string(),
            "opt_level": a.compile.opt,
            "median_ms": ms(median),
            "min_ms": ms(min),
            "max_ms": ms(max),
            "compile_ms": ms(compile),
            "runs": a.runs,
            "threads": rt.threads(),
            "steps": exe.step_count(),
        });
        println!("{obj}");
    } else {
        println!(
            "{}: median {:.3} ms, min {:.3} ms, max {:.3} ms over {} runs (-O{}, {} threads, {} steps); compile {:.1} ms",
            a.model.display(),
            ms(median),
            ms(min),
            ms(max),
            a.runs,
            a.compile.opt,
            rt.threads(),
            exe.step_count(),
            ms(compile)
        );
    }
    Ok(())
}

fn median(sorted: &[Duration]) -> Duration {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}
