//! What a lowered program runs, step by step, for `xlac compile`, `xlac bench
//! --per-kernel` and tests: each generated kernel with the IR ops it computes and its
//! domain, each library call (with its fused epilogue), and the bytes and arithmetic
//! each step moves.

use crate::lower::{call_buffers, Lowered, LoweredStep};
use std::collections::BTreeSet;
use std::fmt;
use xlac_runtime::program::{BufferDecl, BufferId, LibraryCall};

/// One step of a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepReport {
    /// The kernel's name (a fused kernel is named after its function, `main.fusion.0`),
    /// or the library routine (`gemm`, `conv`, `pool`, `gather`), with its fused
    /// epilogue kernel's name after ` + `.
    pub name: String,
    /// The IR ops a kernel (or a library call's epilogue) computes, in order.
    pub ops: Vec<&'static str>,
    /// The kernel's (or epilogue's) domain; empty for a library call alone.
    pub domain: Vec<usize>,
    /// Whether the step is a runtime library call.
    pub library: bool,
    /// Bytes of the distinct buffers the step reads and writes, each counted once (the
    /// compulsory memory traffic).
    pub bytes: usize,
    /// Nominal floating-point operations: `2·m·n·k` per GEMM, `2` per multiply-add of a
    /// convolution, one per kernel op per domain point.
    pub flops: u64,
}

/// The steps of `p`, in execution order.
pub fn step_reports(p: &Lowered) -> Vec<StepReport> {
    let bytes = |ids: &mut dyn Iterator<Item = BufferId>| distinct_bytes(&p.buffers, ids);
    p.steps
        .iter()
        .map(|s| match s {
            LoweredStep::Kernel { kernel, args } => StepReport {
                name: kernel.name.clone(),
                ops: kernel.origin.clone(),
                domain: kernel.domain.clone(),
                library: false,
                bytes: bytes(&mut args.iter().copied()),
                flops: (kernel.domain_size() * kernel.origin.len()) as u64,
            },
            LoweredStep::Library(call) => StepReport {
                name: call_name(call).into(),
                ops: Vec::new(),
                domain: Vec::new(),
                library: true,
                bytes: bytes(&mut call_buffers(call).into_iter()),
                flops: call_flops(call),
            },
            LoweredStep::Fused { call, kernel, args } => StepReport {
                name: format!("{} + {}", call_name(call), kernel.name),
                ops: kernel.origin.clone(),
                domain: kernel.domain.clone(),
                library: true,
                bytes: bytes(&mut call_buffers(call).into_iter().chain(args.iter().copied())),
                flops: call_flops(call) + (kernel.domain_size() * kernel.origin.len()) as u64,
            },
        })
        .collect()
}

fn distinct_bytes(buffers: &[BufferDecl], ids: &mut dyn Iterator<Item = BufferId>) -> usize {
    ids.collect::<BTreeSet<_>>().into_iter().map(|b| buffers[b].size_bytes).sum()
}

fn call_flops(call: &LibraryCall) -> u64 {
    match call {
        LibraryCall::Gemm(c) => 2 * (c.batch * c.m * c.n * c.k) as u64,
        LibraryCall::Conv(c) => {
            let per_output = c.c / c.groups.max(1) * c.k_spatial.iter().product::<usize>();
            2 * (c.n * c.o * c.out_spatial.iter().product::<usize>() * per_output) as u64
        }
        LibraryCall::Pool(c) => (c.out_dims.iter().product::<usize>() * c.window.iter().product::<usize>()) as u64,
        LibraryCall::Gather(_) => 0,
    }
}

fn call_name(call: &LibraryCall) -> &'static str {
    match call {
        LibraryCall::Gemm(_) => "gemm",
        LibraryCall::Conv(_) => "conv",
        LibraryCall::Pool(_) => "pool",
        LibraryCall::Gather(_) => "gather",
    }
}

impl fmt::Display for StepReport {
    /// `main.fusion.0: reduce, broadcast_in_dim, sub [4096x1024]`, `library gemm`, or
    /// `library gemm + main.fusion.1 (epilogue: add, max) [256x3072]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dims: Vec<String> = self.domain.iter().map(|d| d.to_string()).collect();
        match (self.library, self.ops.is_empty()) {
            (true, true) => write!(f, "library {}", self.name),
            (true, false) => {
                write!(f, "library {} (epilogue: {}) [{}]", self.name, self.ops.join(", "), dims.join("x"))
            }
            (false, _) => write!(f, "{}: {} [{}]", self.name, self.ops.join(", "), dims.join("x")),
        }
    }
}
