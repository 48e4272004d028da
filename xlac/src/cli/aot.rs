//! Ahead-of-time output of `xlac compile` (and its shorthand `xlac MODEL ...`): an
//! object file and a C header that link against `libxlac_runtime.a`.

use super::flags::CompileFlags;
use super::Failure;
use anyhow::{anyhow, Context};
use std::path::{Path, PathBuf};
use xlac_codegen::aot::{c_identifier, compile_object, is_c_identifier, AotOptions};
use xlac_ir::Module;

/// Where and how `xlac compile` writes the object file and header.
#[derive(clap::Args, Debug)]
pub struct ObjectArgs {
    /// Write OUT.o and OUT.h (default: the model's path without its extension).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Model name: prefixes every symbol (NAME_run) and header macro (default: the
    /// file name of OUT, made a C identifier).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Target triple, e.g. aarch64-unknown-linux-gnu (default: the host, with its CPU
    /// features).
    #[arg(long, value_name = "TRIPLE")]
    pub target: Option<String>,
    /// Write constants to OUT.weights (loaded by the caller and passed to NAME_run)
    /// instead of embedding them in the object.
    #[arg(long)]
    pub weights_file: bool,
}

/// `OUT` without a trailing `.o`/`.h`.
fn output_base(model: &Path, a: &ObjectArgs) -> PathBuf {
    match &a.output {
        Some(o) if matches!(o.extension().and_then(|e| e.to_str()), Some("o" | "h")) => o.with_extension(""),
        Some(o) => o.clone(),
        None => model.with_extension(""),
    }
}

fn with_suffix(base: &Path, suffix: &str) -> PathBuf {
    let mut s = base.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Compiles `m` (loaded from `model`) to OUT.o + OUT.h (+ OUT.weights) and returns the
/// line that says what was written.
pub(super) fn write_object(model: &Path, m: &Module, a: &ObjectArgs, flags: &CompileFlags) -> Result<String, Failure> {
    let base = output_base(model, a);
    let name = match &a.name {
        Some(n) if is_c_identifier(n) => n.clone(),
        Some(n) => return Err(anyhow!("--name `{n}` is not a C identifier").into()),
        None => c_identifier(&base.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()),
    };
    let f = m.entry().ok_or_else(|| anyhow!("{} has no @main and more than one function", model.display()))?;
    let (optimized, _) =
        crate::optimize(m, &flags.options(false)).map_err(|e| anyhow!("compiling @{}: {e}", f.name))?;
    let lowered = xlac_codegen::lower_module(&optimized).map_err(|e| anyhow!("compiling @{}: {e}", f.name))?;
    let opts = AotOptions { name: name.clone(), target: a.target.clone(), weights_file: a.weights_file };
    let art = compile_object(&lowered, &opts).map_err(|e| anyhow!("compiling @{}: {e}", f.name))?;
    let (obj, hdr) = (with_suffix(&base, ".o"), with_suffix(&base, ".h"));
    std::fs::write(&obj, &art.object).with_context(|| format!("cannot write {}", obj.display()))?;
    std::fs::write(&hdr, &art.header).with_context(|| format!("cannot write {}", hdr.display()))?;
    let mut report = String::new();
    if let Some(blob) = &art.weights {
        let path = with_suffix(&base, ".weights");
        std::fs::write(&path, blob).with_context(|| format!("cannot write {}", path.display()))?;
        report.push_str(&format!("wrote {} ({} bytes)\n", path.display(), blob.len()));
    }
    report.push_str(&format!(
        "wrote {} ({} bytes, {}) and {}: {name}_run, {} steps, scratch {} bytes",
        obj.display(),
        art.object.len(),
        art.triple,
        hdr.display(),
        lowered.steps.len(),
        art.scratch.total()
    ));
    Ok(report)
}
