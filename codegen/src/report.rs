//! What a lowered program runs, step by step, for `xlac compile` and tests: each
//! generated kernel with the IR ops it computes and its domain, and each library call.

use crate::lower::{Lowered, LoweredStep};
use std::fmt;
use xlac_runtime::program::LibraryCall;

/// One step of a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepReport {
    /// The kernel's name (a fused kernel is named after its function, `main.fusion.0`),
    /// or the library routine (`gemm`, `conv`, `pool`, `gather`).
    pub name: String,
    /// The IR ops a kernel computes, in order (empty for library calls).
    pub ops: Vec<&'static str>,
    /// The kernel's domain (the library call's output extents are not recorded: empty).
    pub domain: Vec<usize>,
    /// Whether the step is a runtime library call.
    pub library: bool,
}

/// The steps of `p`, in execution order.
pub fn step_reports(p: &Lowered) -> Vec<StepReport> {
    p.steps
        .iter()
        .map(|s| match s {
            LoweredStep::Kernel { kernel, .. } => StepReport {
                name: kernel.name.clone(),
                ops: kernel.origin.clone(),
                domain: kernel.domain.clone(),
                library: false,
            },
            LoweredStep::Library(call) => {
                let name = match call {
                    LibraryCall::Gemm(_) => "gemm",
                    LibraryCall::Conv(_) => "conv",
                    LibraryCall::Pool(_) => "pool",
                    LibraryCall::Gather(_) => "gather",
                };
                StepReport { name: name.into(), ops: Vec::new(), domain: Vec::new(), library: true }
            }
        })
        .collect()
}

impl fmt::Display for StepReport {
    /// `main.fusion.0: reduce, broadcast_in_dim, sub [4096x1024]`, or `library gemm`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.library {
            return write!(f, "library {}", self.name);
        }
        let dims: Vec<String> = self.domain.iter().map(|d| d.to_string()).collect();
        write!(f, "{}: {} [{}]", self.name, self.ops.join(", "), dims.join("x"))
    }
}
