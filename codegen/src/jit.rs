//! The JIT: compiles a module's kernels into executable memory with
//! `cranelift_jit::JITModule` and returns the runtime's [`Program`] plus the code that
//! keeps its function pointers valid.

use crate::clif::{define_kernel, ClifOptions};
use crate::kernel::{Expr, Kernel};
use crate::lower::{lower_module, Lowered, LoweredStep};
use crate::CodegenError;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir;
use cranelift_codegen::isa::{OwnedTargetIsa, TargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{
    DataDescription, DataId, FuncId, Linkage, Module, ModuleDeclarations, ModuleError, ModuleReloc, ModuleResult,
};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use xlac_runtime::program::{Epilogue, KernelFn, Program, Step};
use xlac_runtime::ThreadPool;

/// Options of code generation.
#[derive(Clone, Debug, Default)]
pub struct CodegenOptions {
    /// Keep the textual Cranelift IR of every kernel ([`JitCode::clif_text`]).
    pub emit_clif: bool,
    /// Compute every transcendental with the kernels' own 4-lane code, never calling
    /// the runtime's 8-lane array math (same results, slower; for comparing the two).
    pub inline_math: bool,
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
    timings: CodegenTimings,
}

/// Where the time of one code generation went (wall time per phase).
#[derive(Clone, Debug, Default)]
pub struct CodegenTimings {
    /// Lowering the module to kernels and library calls ([`lower_module`]); zero when
    /// an already lowered program was compiled.
    pub lower: Duration,
    /// Building the host ISA and the JIT module.
    pub setup: Duration,
    /// Building the Cranelift IR of every kernel (one after the other).
    pub emit: Duration,
    /// Compiling the kernels' Cranelift IR to machine code (in parallel when there are
    /// several kernels and the pool has threads to spare) and loading it into the JIT
    /// module.
    pub compile: Duration,
    /// Linking and making the code executable (`finalize_definitions`) and building
    /// the program.
    pub finalize: Duration,
    /// Per kernel: its name, the time to build its Cranelift IR and the time to compile
    /// it (on whichever thread compiled it).
    pub kernels: Vec<KernelTiming>,
}

/// The code generation time of one kernel.
#[derive(Clone, Debug, Default)]
pub struct KernelTiming {
    /// The kernel's name.
    pub name: String,
    /// Building its Cranelift IR.
    pub emit: Duration,
    /// Compiling it to machine code.
    pub compile: Duration,
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

    /// Where the time of code generation went.
    pub fn timings(&self) -> &CodegenTimings {
        &self.timings
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

/// The host ISA with `opt_level=speed`. Cranelift's IR verifier runs in debug builds
/// only (as the pass pipeline's verifier does): in release builds it cost about half of
/// each kernel's compile time, and what it checks is the emitter's output, which debug
/// builds and the tests verify.
pub fn host_isa() -> Result<OwnedTargetIsa, CodegenError> {
    let mut flags = settings::builder();
    let set =
        |f: &mut settings::Builder, k: &str, v: &str| f.set(k, v).map_err(|e| CodegenError::Target(e.to_string()));
    set(&mut flags, "opt_level", "speed")?;
    set(&mut flags, "enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" })?;
    set(&mut flags, "use_colocated_libcalls", "false")?;
    set(&mut flags, "is_pic", "false")?;
    let isa = cranelift_native::builder().map_err(|e| CodegenError::Target(e.to_string()))?;
    isa.finish(settings::Flags::new(flags)).map_err(|e| CodegenError::Target(e.to_string()))
}

fn isa_flag(isa: &OwnedTargetIsa, name: &str) -> bool {
    isa.isa_flags().iter().any(|v| v.name == name && v.as_bool() == Some(true))
}

/// Whether kernels for `isa` may call the runtime's 8-lane array math: an x86_64 target
/// with AVX2 and FMA (the functions' fast path; they give the inline routines' bits).
pub(crate) fn array_calls(isa: &OwnedTargetIsa) -> bool {
    isa.triple().architecture.to_string() == "x86_64" && isa_flag(isa, "has_avx2") && isa_flag(isa, "has_fma")
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

/// Lowers and compiles the entry function of `m`, compiling kernels in parallel on
/// [`ThreadPool::global`].
pub fn compile_module(m: &xlac_ir::Module, opts: &CodegenOptions) -> Result<(Program, JitCode), CodegenError> {
    compile_module_on(m, opts, &ThreadPool::global())
}

/// [`compile_module`], compiling kernels in parallel on `pool` (one thread: one after
/// the other). The machine code does not depend on the pool.
pub fn compile_module_on(
    m: &xlac_ir::Module,
    opts: &CodegenOptions,
    pool: &ThreadPool,
) -> Result<(Program, JitCode), CodegenError> {
    let start = Instant::now();
    let lowered = lower_module(m)?;
    let lower = start.elapsed();
    let (program, mut code) = compile_lowered_on(&lowered, opts, pool)?;
    code.timings.lower = lower;
    Ok((program, code))
}

/// Compiles an already lowered program (kernels in parallel on [`ThreadPool::global`]).
pub fn compile_lowered(p: &Lowered, opts: &CodegenOptions) -> Result<(Program, JitCode), CodegenError> {
    compile_lowered_on(p, opts, &ThreadPool::global())
}

/// A [`Module`] that declares through the JIT module but keeps each function body it is
/// asked to define instead of compiling it, so that the bodies can be compiled in
/// parallel afterwards ([`compile_bodies`]).
struct Deferred<'a> {
    jit: &'a mut JITModule,
    bodies: Vec<(FuncId, ir::Function)>,
}

impl Module for Deferred<'_> {
    fn isa(&self) -> &dyn TargetIsa {
        self.jit.isa()
    }

    fn declarations(&self) -> &ModuleDeclarations {
        self.jit.declarations()
    }

    fn declare_function(&mut self, name: &str, linkage: Linkage, signature: &ir::Signature) -> ModuleResult<FuncId> {
        self.jit.declare_function(name, linkage, signature)
    }

    fn declare_anonymous_function(&mut self, signature: &ir::Signature) -> ModuleResult<FuncId> {
        self.jit.declare_anonymous_function(signature)
    }

    fn declare_data(&mut self, name: &str, linkage: Linkage, writable: bool, tls: bool) -> ModuleResult<DataId> {
        self.jit.declare_data(name, linkage, writable, tls)
    }

    fn declare_anonymous_data(&mut self, writable: bool, tls: bool) -> ModuleResult<DataId> {
        self.jit.declare_anonymous_data(writable, tls)
    }

    fn define_function_with_control_plane(
        &mut self,
        func: FuncId,
        ctx: &mut Context,
        _ctrl_plane: &mut ControlPlane,
    ) -> ModuleResult<()> {
        self.bodies.push((func, std::mem::replace(&mut ctx.func, ir::Function::new())));
        Ok(())
    }

    fn define_function_bytes(
        &mut self,
        func: FuncId,
        alignment: u64,
        bytes: &[u8],
        relocs: &[ModuleReloc],
    ) -> ModuleResult<()> {
        self.jit.define_function_bytes(func, alignment, bytes, relocs)
    }

    fn define_data(&mut self, data: DataId, description: &DataDescription) -> ModuleResult<()> {
        self.jit.define_data(data, description)
    }
}

/// The machine code of one function body, ready for `define_function_bytes`.
struct Compiled {
    alignment: u64,
    code: Vec<u8>,
    relocs: Vec<ModuleReloc>,
    time: Duration,
}

/// Compiles one body exactly as `JITModule::define_function` would.
fn compile_body(isa: &dyn TargetIsa, id: FuncId, func: ir::Function) -> Result<Compiled, String> {
    let start = Instant::now();
    let mut ctx = Context::for_function(func);
    let alignment = match ctx.compile(isa, &mut ControlPlane::default()) {
        Ok(code) => code.buffer.alignment as u64,
        Err(e) => {
            return Err(match e.inner {
                cranelift_codegen::CodegenError::Verifier(errors) => {
                    cranelift_codegen::print_errors::pretty_verifier_error(e.func, None, errors)
                }
                other => format!("{:?}", ModuleError::Compilation(other)),
            })
        }
    };
    let compiled = ctx.compiled_code().expect("just compiled");
    let code = compiled.code_buffer().to_vec();
    let relocs = compiled.buffer.relocs().iter().map(|r| ModuleReloc::from_mach_reloc(r, &ctx.func, id)).collect();
    Ok(Compiled { alignment, code, relocs, time: start.elapsed() })
}

/// Compiles `bodies`, several at a time on `pool` when there is more than one (largest
/// first, so that the last one to finish is a small one), and returns their machine
/// code in the order given.
fn compile_bodies(
    isa: &dyn TargetIsa,
    bodies: Vec<(FuncId, ir::Function)>,
    pool: &ThreadPool,
) -> Vec<(FuncId, Result<Compiled, String>)> {
    if bodies.len() < 2 || pool.threads() < 2 {
        return bodies.into_iter().map(|(id, f)| (id, compile_body(isa, id, f))).collect();
    }
    let mut order: Vec<usize> = (0..bodies.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(bodies[i].1.dfg.num_insts()));
    /// A body before (`func`) and after (`compiled`) compilation.
    struct Slot {
        id: FuncId,
        func: Option<ir::Function>,
        compiled: Option<Result<Compiled, String>>,
    }
    let slots: Vec<Mutex<Slot>> =
        bodies.into_iter().map(|(id, f)| Mutex::new(Slot { id, func: Some(f), compiled: None })).collect();
    pool.parallel_for(slots.len(), slots.len(), &|range, _| {
        for c in range {
            let mut slot = slots[order[c]].lock().unwrap_or_else(|e| e.into_inner());
            let f = slot.func.take().expect("each body is compiled once");
            slot.compiled = Some(compile_body(isa, slot.id, f));
        }
    });
    slots
        .into_iter()
        .map(|s| {
            let slot = s.into_inner().unwrap_or_else(|e| e.into_inner());
            (slot.id, slot.compiled.expect("every body compiled"))
        })
        .collect()
}

/// [`compile_lowered`] with kernels compiled in parallel on `pool`: their Cranelift IR
/// is built one after the other, then compiled several at a time, then loaded into the
/// JIT module in kernel order (so the code layout does not depend on the pool).
pub fn compile_lowered_on(
    p: &Lowered,
    opts: &CodegenOptions,
    pool: &ThreadPool,
) -> Result<(Program, JitCode), CodegenError> {
    let start = Instant::now();
    let isa = host_isa()?;
    let (has_fma, has_avx) = (isa_flag(&isa, "has_fma"), isa_flag(&isa, "has_avx"));
    let array_calls = array_calls(&isa) && !opts.inline_math;
    let mut builder = JITBuilder::with_isa(isa.clone(), cranelift_module::default_libcall_names());
    for (name, address) in xlac_runtime::vmath::symbols() {
        builder.symbol(name, address);
    }
    let mut module = JITModule::new(builder);
    let copts = ClifOptions { fma: has_fma, emit_clif: opts.emit_clif, array_calls };
    let mut defined = Vec::new();
    let mut clif = Vec::new();
    let mut timings = CodegenTimings { setup: start.elapsed(), ..CodegenTimings::default() };
    let start = Instant::now();
    let mut deferred = Deferred { jit: &mut module, bodies: Vec::new() };
    let mut owners = Vec::new();
    for (i, step) in p.steps.iter().enumerate() {
        if let LoweredStep::Kernel { kernel, .. } | LoweredStep::Fused { kernel, .. } = step {
            let start = Instant::now();
            let bodies = deferred.bodies.len();
            let d = define_kernel(&mut deferred, kernel, &format!("k{i}_{}", kernel.name), copts)?;
            if let Some(text) = d.clif {
                clif.push((kernel.name.clone(), text));
            }
            defined.push(d.func);
            owners.extend((bodies..deferred.bodies.len()).map(|_| timings.kernels.len()));
            timings.kernels.push(KernelTiming {
                name: kernel.name.clone(),
                emit: start.elapsed(),
                ..Default::default()
            });
        }
    }
    let bodies = std::mem::take(&mut deferred.bodies);
    timings.emit = start.elapsed();
    let start = Instant::now();
    for ((id, compiled), owner) in compile_bodies(&*isa, bodies, pool).into_iter().zip(owners) {
        let kernel = &mut timings.kernels[owner];
        let c = compiled.map_err(|message| CodegenError::Cranelift { kernel: kernel.name.clone(), message })?;
        kernel.compile += c.time;
        module
            .define_function_bytes(id, c.alignment, &c.code, &c.relocs)
            .map_err(|e| CodegenError::Cranelift { kernel: kernel.name.clone(), message: format!("{e:?}") })?;
    }
    timings.compile = start.elapsed();
    let start = Instant::now();
    module
        .finalize_definitions()
        .map_err(|e| CodegenError::Cranelift { kernel: "*".into(), message: e.to_string() })?;
    let mut funcs = defined.into_iter();
    let mut next_kernel = || {
        let ptr = module.get_finalized_function(funcs.next().expect("one function per kernel"));
        // SAFETY: every kernel was defined with the `KernelFn` signature (pointer, i64,
        // i64 -> void, the ISA's default C calling convention).
        unsafe { std::mem::transmute::<*const u8, KernelFn>(ptr) }
    };
    let steps = p
        .steps
        .iter()
        .map(|step| match step {
            LoweredStep::Kernel { kernel, args } => Step::Kernel {
                name: kernel.name.clone(),
                func: next_kernel(),
                args: args.clone(),
                outer: kernel.outer_extent(),
                work_per_iter: work_per_iter(kernel),
            },
            LoweredStep::Library(call) => Step::Library(call.clone()),
            LoweredStep::Fused { call, kernel, args } => {
                let epilogue = Epilogue {
                    name: kernel.name.clone(),
                    func: next_kernel(),
                    args: args.clone(),
                    outer: kernel.outer_extent(),
                };
                Step::Fused { call: (**call).clone(), epilogue }
            }
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
    timings.finalize = start.elapsed();
    let code = JitCode { module: Some(Mutex::new(module)), clif, steps, has_fma, has_avx, timings };
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
