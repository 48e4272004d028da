//! `xlac bench --per-kernel`: the time of every step of a program (generated kernels
//! and library calls), with the bytes and arithmetic it moves, so the slow step is
//! obvious.

use super::Failure;
use crate::Executable;
use anyhow::anyhow;
use std::time::Duration;
use xlac_runtime::{HostTensor, TensorMut, TensorRef};

/// The median time of one step over the profiled calls.
pub(super) struct StepTime {
    /// The step, as `xlac compile --stats` prints it.
    pub label: String,
    /// Median wall time.
    pub median: Duration,
    /// Bytes of the distinct buffers it touches.
    pub bytes: usize,
    /// Nominal floating-point operations.
    pub flops: u64,
}

/// Runs `exe` `runs` times timing each step; returns the per-step medians.
pub(super) fn profile(
    exe: &Executable,
    inputs: &[TensorRef],
    outs: &mut [HostTensor],
    runs: u64,
) -> Result<Vec<StepTime>, Failure> {
    let rt = exe.runtime();
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); exe.steps().len()];
    for _ in 0..runs {
        let mut views: Vec<TensorMut> = outs.iter_mut().map(|o| o.as_mut()).collect();
        let times = rt.run_timed(inputs, &mut views).map_err(|e| anyhow!("running: {e}"))?;
        for (s, t) in samples.iter_mut().zip(times) {
            s.push(t);
        }
    }
    Ok(exe
        .steps()
        .iter()
        .zip(samples)
        .map(|(step, mut s)| {
            s.sort();
            StepTime { label: step.to_string(), median: s[s.len() / 2], bytes: step.bytes, flops: step.flops }
        })
        .collect())
}

/// The table `xlac bench --per-kernel` prints.
pub(super) fn format_table(steps: &[StepTime]) -> String {
    let total: f64 = steps.iter().map(|s| s.median.as_secs_f64()).sum();
    let mut out = String::from("  step   median ms   share      MB    GB/s  GFLOP/s  what\n");
    for (i, s) in steps.iter().enumerate() {
        let secs = s.median.as_secs_f64().max(1e-12);
        out += &format!(
            "  {i:>4} {:>11.3} {:>6.1}% {:>7.2} {:>7.1} {:>8.1}  {}\n",
            secs * 1e3,
            100.0 * secs / total.max(1e-12),
            s.bytes as f64 / 1e6,
            s.bytes as f64 / secs / 1e9,
            s.flops as f64 / secs / 1e9,
            s.label
        );
    }
    out
}

/// The steps as JSON values.
pub(super) fn to_json(steps: &[StepTime]) -> Vec<serde_json::Value> {
    steps
        .iter()
        .map(|s| {
            serde_json::json!({
                "step": s.label,
                "median_ms": s.median.as_secs_f64() * 1e3,
                "bytes": s.bytes,
                "flops": s.flops,
            })
        })
        .collect()
}
