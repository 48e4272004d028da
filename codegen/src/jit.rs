//! The JIT: compiles a module's kernels into executable memory with
//! `cranelift_jit::JITModule` and returns the runtime's [`Program`] plus the code that
//! keeps its function pointers valid.

use crate::clif::{define_kernel, ClifOptions};
use crate::kernel::{Expr, Kernel};
use crate::lower::{lower_module, Lowered, LoweredStep};
use crate::CodegenError;
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_jit::{JITBuilder, JITModule};
use std::sync::Mutex;
use xlac_runtime::program::{KernelFn, Program, Step};

/// Options of code generation.
#[derive(Clone, Debug, Default)]
pub struct CodegenOptions {
    /// Keep the textual Cranelift IR of every kernel ([`JitCode::clif_text`]).
    pub emit_clif: bool,
}

/// The machine code of a compiled program. The [`Program`]'s kernel pointers are valid
/// only while this lives: an executable must keep it alive as long as it may run them.
pub struct JitCode {
    /// Behind a mutex only to make `JitCode` `Sync` without `unsafe`: nothing touches the
    /// module after finalization but `Drop`.
    module: Option<Mutex<JITModule>>,
    clif: Vec<(String, String)>,
    steps: Vec<crate::StepReport>,
    has_fma: bool,
    has_avx: bool,
}

impl JitCode {
    /// `(kernel name, Cranelift IR)` of every kernel, when [`CodegenOptions::emit_clif`]
    /// was set.
    pub fn clif_text(&self) -> &[(String, String)] {
        &self.clif
    }

    /// What the program runs, step by step.
    pub fn steps(&self) -> &[crate::StepReport] {
        &self.steps
    }

    /// Whether the host ISA was configured with FMA (vector math uses it).
    pub fn has_fma(&self) -> bool {
        self.has_fma
    }

    /// Whether the host ISA was configured with AVX (VEX encodings of 128-bit ops).
    pub fn has_avx(&self) -> bool {
        self.has_avx
    }
}

impl std::fmt::Debug for JitCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JitCode").field("kernels", &self.clif.len()).field("has_fma", &self.has_fma).finish()
    }
}

impl Drop for JitCode {
    fn drop(&mut self) {
        if let Some(m) = self.module.take() {
            let m = m.into_inner().unwrap_or_else(|e| e.into_inner());
            // SAFETY: the code is owned by this `JitCode`; whoever runs the program's
            // kernels keeps it alive until they can no longer run (the contract above).
            unsafe { m.free_memory() };
        }
    }
}

/// The host ISA with `opt_level=speed`.
pub fn host_isa() -> Result<OwnedTargetIsa, CodegenError> {
    let mut flags = settings::builder();
    let set =
        |f: &mut settings::Builder, k: &str, v: &str| f.set(k, v).map_err(|e| CodegenError::Target(e.to_string()));
    set(&mut flags, "opt_level", "speed")?;
    set(&mut flags, "use_colocated_libcalls", "false")?;
    set(&mut flags, "is_pic", "false")?;
    let isa = cranelift_native::builder().map_err(|e| CodegenError::Target(e.to_string()))?;
    isa.finish(settings::Flags::new(flags)).map_err(|e| CodegenError::Target(e.to_string()))
}

fn isa_flag(isa: &OwnedTargetIsa, name: &str) -> bool {
    isa.isa_flags().iter().any(|v| v.name == name && v.as_bool() == Some(true))
}

/// Estimated elements touched per outer iteration (for the runtime's threading choice).
pub(crate) fn work_per_iter(k: &Kernel) -> usize {
    let inner: usize = k.domain.iter().skip(1).product();
    let reduce: usize = k
        .exprs
        .values()
        .map(|d| match &d.expr {
            Expr::Reduce { vars, .. } => vars.iter().map(|v| v.1).product(),
            _ => 0,
        })
        .sum();
    inner.max(1) * (1 + reduce)
}

/// Lowers and compiles the entry function of `m`.
pub fn compile_module(m: &xlac_ir::Module, opts: &CodegenOptions) -> Result<(Program, JitCode), CodegenError> {
    compile_lowered(&lower_module(m)?, opts)
}

/// Compiles an already lowered program.
pub fn compile_lowered(p: &Lowered, opts: &CodegenOptions) -> Result<(Program, JitCode), CodegenError> {
    let isa = host_isa()?;
    let (has_fma, has_avx) = (isa_flag(&isa, "has_fma"), isa_flag(&isa, "has_avx"));
    let mut module = JITModule::new(JITBuilder::with_isa(isa, cranelift_module::default_libcall_names()));
    let copts = ClifOptions { fma: has_fma, emit_clif: opts.emit_clif };
    let mut defined = Vec::new();
    let mut clif = Vec::new();
    for (i, step) in p.steps.iter().enumerate() {
        if let LoweredStep::Kernel { kernel, .. } = step {
            let d = define_kernel(&mut module, kernel, &format!("k{i}_{}", kernel.name), copts)?;
            if let Some(text) = d.clif {
                clif.push((kernel.name.clone(), text));
            }
            defined.push(d.func);
        }
    }
    module
        .finalize_definitions()
        .map_err(|e| CodegenError::Cranelift { kernel: "*".into(), message: e.to_string() })?;
    let mut funcs = defined.into_iter();
    let steps = p
        .steps
        .iter()
        .map(|step| match step {
            LoweredStep::Kernel { kernel, args } => {
                let ptr = module.get_finalized_function(funcs.next().expect("one function per kernel"));
                // SAFETY: the function was defined with the `KernelFn` signature
                // (pointer, i64, i64 -> void, the ISA's default C calling convention).
                let func = unsafe { std::mem::transmute::<*const u8, KernelFn>(ptr) };
                Step::Kernel {
                    name: kernel.name.clone(),
                    func,
                    args: args.clone(),
                    outer: kernel.domain.first().copied().unwrap_or(1),
                    work_per_iter: work_per_iter(kernel),
                }
            }
            LoweredStep::Library(call) => Step::Library(call.clone()),
        })
        .collect();
    let program = Program {
        inputs: p.inputs.clone(),
        outputs: p.outputs.clone(),
        buffers: p.buffers.clone(),
        steps,
        arena_bytes: p.arena_bytes,
        output_copies: p.output_copies.clone(),
    };
    let steps = crate::step_reports(p);
    let code = JitCode { module: Some(Mutex::new(module)), clif, steps, has_fma, has_avx };
    Ok((program, code))
}

#[cfg(test)]
mod tests {
    #[test]
    fn jit_code_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<super::JitCode>();
    }
}
