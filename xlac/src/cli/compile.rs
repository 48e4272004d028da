//! `xlac compile` (and its shorthand `xlac MODEL ...`): compiles a model ahead of time to
//! an object file and a C header, and reports what it became: the kernels (with the IR
//! ops each computes and its domain) and library calls, the peak arena size and the
//! compile time.

use super::aot::{write_object, ObjectArgs};
use super::flags::CompileFlags;
use super::import::DimFlags;
use super::{load, Failure, ModelPath};
use anyhow::anyhow;

/// Arguments of `xlac compile`.
#[derive(clap::Args, Debug)]
pub struct CompileArgs {
    /// The model whose entry function (@main, or the only function) is compiled.
    pub model: ModelPath,
    /// Symbolic dimensions of an ONNX model.
    #[command(flatten)]
    pub dims: DimFlags,
    /// Print what the model became: each kernel with its IR ops and domain, the
    /// library calls, the peak arena size and the compile time.
    #[arg(long)]
    pub stats: bool,
    /// Print the same as one JSON object: kernels, library_calls, steps, arena_bytes,
    /// compile_ms (what was written goes to standard error).
    #[arg(long)]
    pub json: bool,
    /// Do not write the object file and header (with --stats or --json: only report).
    #[arg(long)]
    pub no_object: bool,
    /// Object output.
    #[command(flatten)]
    pub object: ObjectArgs,
    /// Compilation flags.
    #[command(flatten)]
    pub compile: CompileFlags,
}

pub(super) fn run(a: CompileArgs) -> Result<(), Failure> {
    let m = load(&a.model, &a.dims)?;
    if !a.no_object {
        let wrote = write_object(&a.model, &m, &a.object, &a.compile)?;
        if a.json {
            eprintln!("{wrote}");
        } else {
            println!("{wrote}");
        }
    }
    if !a.stats && !a.json {
        return Ok(());
    }
    let exe =
        crate::compile(&m, &a.compile.options(false)).map_err(|e| anyhow!("compiling {}: {e}", a.model.display()))?;
    let steps = exe.steps();
    let kernels = steps.iter().filter(|s| !s.library).count();
    let library = steps.len() - kernels;
    let compile_ms = exe.compile_time().as_secs_f64() * 1e3;
    if a.json {
        let list: Vec<serde_json::Value> = steps
            .iter()
            .map(|s| {
                serde_json::json!({
                    "name": s.name,
                    "library": s.library,
                    "ops": s.ops,
                    "domain": s.domain,
                })
            })
            .collect();
        let obj = serde_json::json!({
            "model": a.model.display().to_string(),
            "opt_level": a.compile.opt,
            "kernels": kernels,
            "library_calls": library,
            "steps": list,
            "arena_bytes": exe.arena_bytes(),
            "compile_ms": compile_ms,
        });
        println!("{obj}");
        return Ok(());
    }
    {
        let mut k = 0;
        for s in steps {
            if s.library {
                println!("{s}");
            } else {
                println!("kernel {k} ({s})");
                k += 1;
            }
        }
    }
    println!(
        "{}: {kernels} kernel{}, {library} library call{}, arena {} bytes, compile {compile_ms:.1} ms (-O{})",
        a.model.display(),
        if kernels == 1 { "" } else { "s" },
        if library == 1 { "" } else { "s" },
        exe.arena_bytes(),
        a.compile.opt
    );
    Ok(())
}
