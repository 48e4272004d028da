//! `compile(module, options) -> Executable`: the compiler pipeline behind one call.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};
use xlac_codegen::CodegenOptions;
use xlac_ir::{DType, Module, Tensor, TensorData};
use xlac_passes::{format_pass_stats, pipeline_for, PassStat, PipelineError, PipelineOptions};
use xlac_runtime::{as_bytes, ElemType, HostTensor, TensorRef, ThreadPool};

/// Optimization level. Every level gives results the interpreter agrees with.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OptLevel {
    /// One kernel per op, no rewriting.
    O0,
    /// Classic passes (canonicalize, const_fold, cse, dce) and fusion.
    O1,
    /// `-O1` plus equality saturation.
    #[default]
    O2,
}

impl OptLevel {
    /// The level as a number (0, 1, 2).
    pub fn number(self) -> u8 {
        match self {
            OptLevel::O0 => 0,
            OptLevel::O1 => 1,
            OptLevel::O2 => 2,
        }
    }
}

/// What `compile` should do.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Optimization level.
    pub opt_level: OptLevel,
    /// Keep the Cranelift IR text of every kernel ([`Executable::clif`]).
    pub emit_clif: bool,
    /// Worker threads (default: all cores; `XLAC_THREADS` overrides the default).
    pub threads: Option<usize>,
    /// Pass names (or `all`) after which the module is printed to the dump sink.
    pub dump_after: Vec<String>,
    /// Pass names to skip.
    pub disabled_passes: Vec<String>,
    /// Allow rewrites that change floating-point results beyond reassociation.
    pub fast_math: bool,
    /// Print the pass statistics table ([`xlac_passes::format_pass_stats`]) to the dump
    /// sink after optimizing.
    pub print_pass_stats: bool,
    /// Verify after every pass even in release builds (debug builds always do).
    pub verify_each_pass: bool,
}

/// Why a module could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The module breaks the IR's rules.
    #[error("the module does not verify:\n{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Verify(Vec<xlac_ir::VerifyError>),
    /// The optimizer failed: an unknown pass name, or a pass broke the module.
    #[error(transparent)]
    Optimize(#[from] PipelineError),
    /// Code generation failed.
    #[error(transparent)]
    Codegen(#[from] xlac_codegen::CodegenError),
    /// The generated program broke the runtime's contract (a compiler bug).
    #[error("internal error: {0}")]
    Program(#[from] xlac_runtime::ProgramError),
}

/// A compiled entry function, ready to run many times.
pub struct Executable {
    exe: xlac_runtime::Executable,
    clif: Vec<(String, String)>,
    phases: CompilePhases,
    pass_stats: Vec<PassStat>,
    steps: Vec<xlac_codegen::StepReport>,
}

/// Where the time of one [`compile`] went (wall time per phase). Parsing happens before
/// `compile` (its caller times it); [`CompilePhases::compile`] is verification to machine
/// code, [`CompilePhases::load`] the executable's creation on top.
#[derive(Clone, Debug, Default)]
pub struct CompilePhases {
    /// Verifying the input module.
    pub verify: Duration,
    /// The pass pipeline (`--pass-stats` breaks it down per pass).
    pub passes: Duration,
    /// Lowering the optimized module to kernels and library calls.
    pub lower: Duration,
    /// Getting the thread pool that compiles the kernels and runs the program (the
    /// first compile of a process starts the global pool's threads).
    pub pool: Duration,
    /// Building the host ISA and the JIT module.
    pub codegen_setup: Duration,
    /// Building the kernels' Cranelift IR.
    pub emit: Duration,
    /// Compiling the kernels' Cranelift IR to machine code (several at a time when the
    /// pool has threads); per kernel in `kernel_times`.
    pub cranelift: Duration,
    /// JIT finalization (linking, making the code executable) and building the program.
    pub finalize: Duration,
    /// Creating the runtime executable: program validation, constants, the arena (its
    /// pages touched).
    pub load: Duration,
    /// Per kernel: its name and the time to build and to compile it.
    pub kernel_times: Vec<xlac_codegen::jit::KernelTiming>,
}

impl CompilePhases {
    /// Verification to machine code: everything but [`CompilePhases::load`].
    pub fn compile(&self) -> Duration {
        self.verify
            + self.passes
            + self.lower
            + self.pool
            + self.codegen_setup
            + self.emit
            + self.cranelift
            + self.finalize
    }

    /// Verification to a runnable executable: [`CompilePhases::compile`] plus
    /// [`CompilePhases::load`].
    pub fn total(&self) -> Duration {
        self.compile() + self.load
    }
}

/// Compiles the entry function of `module` (`@main`, or the only function) to native
/// code in this process. Dumps and the pass statistics go to stderr.
pub fn compile(module: &Module, options: &Options) -> Result<Executable, CompileError> {
    compile_with_sink(module, options, &mut std::io::stderr())
}

/// [`compile`], writing dumps (`dump_after`) and the pass statistics table
/// (`print_pass_stats`) to `sink`.
pub fn compile_with_sink(module: &Module, options: &Options, sink: &mut dyn Write) -> Result<Executable, CompileError> {
    let start = Instant::now();
    xlac_ir::verify_module(module).map_err(CompileError::Verify)?;
    let verify = start.elapsed();
    let start = Instant::now();
    let (optimized, pass_stats) = run_pipeline(module, options, sink)?;
    let passes = start.elapsed();
    // One pool compiles the kernels and runs the program.
    let start = Instant::now();
    let pool = match options.threads {
        Some(n) => Arc::new(ThreadPool::new(n)),
        None => ThreadPool::global(),
    };
    let pool_time = start.elapsed();
    let copts = CodegenOptions { emit_clif: options.emit_clif, ..Default::default() };
    let (program, code) = xlac_codegen::jit::compile_module_on(&optimized, &copts, &pool)?;
    let clif = code.clif_text().to_vec();
    let steps = code.steps().to_vec();
    let t = code.timings();
    let mut phases = CompilePhases {
        verify,
        passes,
        lower: t.lower,
        pool: pool_time,
        codegen_setup: t.setup,
        emit: t.emit,
        cranelift: t.compile,
        finalize: t.finalize,
        load: Duration::ZERO,
        kernel_times: t.kernels.clone(),
    };
    let start = Instant::now();
    let exe = xlac_runtime::Executable::try_new_with_pool(program, Box::new(code), pool)?;
    phases.load = start.elapsed();
    Ok(Executable { exe, clif, phases, pass_stats, steps })
}

/// Verifies `module` and runs the pass pipeline of `options.opt_level` on a copy,
/// returning the optimized module and one [`PassStat`] per pass run.
pub fn optimize(module: &Module, options: &Options) -> Result<(Module, Vec<PassStat>), CompileError> {
    optimize_with_sink(module, options, &mut std::io::stderr())
}

fn optimize_with_sink(
    module: &Module,
    options: &Options,
    sink: &mut dyn Write,
) -> Result<(Module, Vec<PassStat>), CompileError> {
    xlac_ir::verify_module(module).map_err(CompileError::Verify)?;
    run_pipeline(module, options, sink)
}

/// The pass pipeline of `options.opt_level` on a copy of the verified `module`.
fn run_pipeline(
    module: &Module,
    options: &Options,
    sink: &mut dyn Write,
) -> Result<(Module, Vec<PassStat>), CompileError> {
    let mut pipeline = pipeline_for(options.opt_level.number(), options.fast_math);
    let popts = PipelineOptions {
        verify_each: options.verify_each_pass,
        dump_after: options.dump_after.clone(),
        disabled: options.disabled_passes.clone(),
        fast_math: options.fast_math,
    };
    let mut optimized = module.clone();
    let run = pipeline.run(&mut optimized, &popts, sink)?;
    if options.print_pass_stats {
        // A failed write of diagnostics output is not a compile error.
        let _ = write!(sink, "{}", format_pass_stats(&run.stats));
    }
    Ok((optimized, run.stats))
}

impl Executable {
    /// Runs on host tensors; checks the number, dtypes and shapes of `inputs`.
    pub fn run(&self, inputs: &[Tensor]) -> Result<Vec<Tensor>, xlac_runtime::RunError> {
        let refs: Vec<TensorRef> = inputs.iter().map(tensor_ref).collect();
        let outs = self.exe.run(&refs)?;
        Ok(outs.iter().map(from_host).collect())
    }

    /// The runtime executable, for zero-copy calls (`run_into` with caller buffers).
    pub fn runtime(&self) -> &xlac_runtime::Executable {
        &self.exe
    }

    /// `(kernel name, Cranelift IR)` for every kernel, if `emit_clif` was set.
    pub fn clif(&self) -> &[(String, String)] {
        &self.clif
    }

    /// Wall time from verification to a runnable executable
    /// ([`CompilePhases::total`]).
    pub fn compile_time(&self) -> Duration {
        self.phases.total()
    }

    /// Where the compile time went.
    pub fn phases(&self) -> &CompilePhases {
        &self.phases
    }

    /// What each pass of the optimizer did.
    pub fn pass_stats(&self) -> &[PassStat] {
        &self.pass_stats
    }

    /// What each step runs: a kernel's IR ops and domain, or a library call.
    pub fn steps(&self) -> &[xlac_codegen::StepReport] {
        &self.steps
    }

    /// Peak scratch (arena) bytes a call needs.
    pub fn arena_bytes(&self) -> usize {
        self.exe.program().arena_bytes
    }

    /// Number of steps (generated kernels and library calls) per call.
    pub fn step_count(&self) -> usize {
        self.exe.program().steps.len()
    }
}

/// Borrows an IR tensor as a runtime input.
pub fn tensor_ref(t: &Tensor) -> TensorRef<'_> {
    let dims = t.shape.dims();
    match &t.data {
        TensorData::F32(v) => TensorRef::new(ElemType::F32, dims, as_bytes(v)),
        TensorData::F64(v) => TensorRef::new(ElemType::F64, dims, as_bytes(v)),
        TensorData::I32(v) => TensorRef::new(ElemType::I32, dims, as_bytes(v)),
        TensorData::I64(v) => TensorRef::new(ElemType::I64, dims, as_bytes(v)),
        TensorData::Bool(v) => TensorRef::new(ElemType::Bool, dims, as_bytes(v)),
    }
}

/// Copies a runtime result into an IR tensor.
pub fn from_host(h: &HostTensor) -> Tensor {
    let data = match h.elem {
        ElemType::F32 => TensorData::F32(h.to_vec().expect("dtype checked")),
        ElemType::F64 => TensorData::F64(h.to_vec().expect("dtype checked")),
        ElemType::I32 => TensorData::I32(h.to_vec().expect("dtype checked")),
        ElemType::I64 => TensorData::I64(h.to_vec().expect("dtype checked")),
        ElemType::Bool => TensorData::Bool(h.to_vec().expect("dtype checked")),
    };
    Tensor { shape: h.dims.clone().into(), data }
}

/// The runtime's element type of an IR dtype.
pub fn elem_type(d: DType) -> ElemType {
    match d {
        DType::F32 => ElemType::F32,
        DType::F64 => ElemType::F64,
        DType::I32 => ElemType::I32,
        DType::I64 => ElemType::I64,
        DType::Bool => ElemType::Bool,
    }
}
