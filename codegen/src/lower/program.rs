//! The text form of a lowered program (buffers, then steps with their kernels).

use super::{Lowered, LoweredStep};
use std::fmt;
use xlac_runtime::program::BufferKind;

pub(super) fn fmt_lowered(p: &Lowered, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for (i, b) in p.buffers.iter().enumerate() {
        let kind = match &b.kind {
            BufferKind::Input(n) => format!("input {n}"),
            BufferKind::Output(n) => format!("output {n}"),
            BufferKind::Temp { offset } => format!("temp @{offset}"),
            BufferKind::Const(_) => "const".to_string(),
        };
        writeln!(f, "buffer b{i}: {} bytes, {kind}", b.size_bytes)?;
    }
    writeln!(f, "arena: {} bytes", p.arena_bytes)?;
    for step in &p.steps {
        match step {
            LoweredStep::Kernel { kernel, args } => {
                let args: Vec<String> = args.iter().map(|a| format!("b{a}")).collect();
                writeln!(f, "call {}({})", kernel.name, args.join(", "))?;
                writeln!(f, "{kernel}")?;
            }
            LoweredStep::Library(call) => writeln!(f, "library {call:?}")?,
            LoweredStep::Fused { call, kernel, args } => {
                let args: Vec<String> = args.iter().map(|a| format!("b{a}")).collect();
                writeln!(f, "library {call:?}")?;
                writeln!(f, "  epilogue {}({})", kernel.name, args.join(", "))?;
                writeln!(f, "{kernel}")?;
            }
        }
    }
    for (out, b) in &p.output_copies {
        writeln!(f, "copy b{b} -> output {out}")?;
    }
    Ok(())
}
