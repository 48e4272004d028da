//! Lowering of a [`Kernel`] to one Cranelift function with the runtime's `KernelFn`
//! signature `(args: *const *mut u8, begin: usize, end: usize)`, defined in any
//! `cranelift_module::Module` (the JIT's, or an object file's).

pub(crate) mod analysis;
mod emit;
mod helpers;
pub(crate) mod hoist;
mod loops;
mod memory;
mod reduce;
mod rowarg;
mod rowcache;
mod rowfill;
mod rowout;
mod scalar;
mod strip;
mod vector;

use crate::kernel::Kernel;
use crate::CodegenError;
use analysis::Analysis;
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, MemFlagsData, StackSlotData, StackSlotKind, UserFuncName};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{FuncId, Linkage, Module, ModuleError};
use emit::Emitter;
use std::collections::HashMap;

/// Options of the lowering to Cranelift IR.
#[derive(Copy, Clone, Debug, Default)]
pub struct ClifOptions {
    /// The target has fused multiply-add (vector math may use it).
    pub fma: bool,
    /// Keep the textual Cranelift IR of each function (before optimization).
    pub emit_clif: bool,
    /// The target has AVX2 and FMA: kernels may call the runtime's 8-lane array math
    /// (`xlac_runtime::vmath`) for transcendentals cached per row.
    pub array_calls: bool,
}

/// A kernel defined in a module.
#[derive(Clone, Debug)]
pub struct DefinedKernel {
    /// Its function.
    pub func: FuncId,
    /// Its Cranelift IR, when [`ClifOptions::emit_clif`] is set.
    pub clif: Option<String>,
}

/// The C math symbols generated code may call (for registering with a JIT or checking
/// that a link provides them).
pub fn math_symbols() -> Vec<&'static str> {
    vec![
        "expf", "exp", "logf", "log", "log1pf", "log1p", "tanhf", "tanh", "erff", "erf", "sinf", "sin", "cosf", "cos",
        "fmodf", "fmod", "powf", "pow",
    ]
}

fn cranelift_error(k: &Kernel, func: &cranelift_codegen::ir::Function, e: ModuleError) -> CodegenError {
    let message = match e {
        ModuleError::Compilation(cranelift_codegen::CodegenError::Verifier(errors)) => {
            cranelift_codegen::print_errors::pretty_verifier_error(func, None, errors)
        }
        other => format!("{other:?}"),
    };
    CodegenError::Cranelift { kernel: k.name.clone(), message }
}

/// Declares and defines kernel `k` as function `symbol` of `module`.
pub fn define_kernel<M: Module>(
    module: &mut M,
    k: &Kernel,
    symbol: &str,
    opts: ClifOptions,
) -> Result<DefinedKernel, CodegenError> {
    let an = Analysis::new(k)?;
    let mut sig = module.make_signature();
    let ptr = module.target_config().pointer_type();
    sig.params.extend([AbiParam::new(ptr), AbiParam::new(types::I64), AbiParam::new(types::I64)]);
    let func = module
        .declare_function(symbol, Linkage::Local, &sig)
        .map_err(|e| CodegenError::Cranelift { kernel: k.name.clone(), message: format!("{e:?}") })?;
    let mut ctx = module.make_context();
    ctx.func.signature = sig;
    ctx.func.name = UserFuncName::user(0, func.as_u32());
    let mut cache = rowcache::plan(k, &an, opts.array_calls);
    let plan = an.domain_plan(k, &|e| cache.loads.contains_key(&e));
    let strip = if opts.array_calls { strip::plan(k, &an, &mut cache, plan.is_some()) } else { None };
    let row_out = rowout::plan(k, &an, &cache, opts.array_calls);
    let mut helpers = helpers::helpers_of(k);
    if row_out.is_some() {
        helpers.push(helpers::Helper::DivScalar);
    }
    let f32_folds = k
        .exprs
        .values()
        .any(|d| matches!(d.expr, crate::kernel::Expr::Reduce { .. }) && d.dtype == xlac_ir::DType::F32);
    if opts.array_calls && f32_folds {
        helpers.push(helpers::Helper::Reduce);
    }
    // A fill whose argument the runtime reads itself is one mapped call; the others
    // are stored by the kernel and applied in place.
    let strip_fills = strip.iter().flat_map(|s| s.phases.iter().flatten());
    for fill in cache.fills.values().flatten().chain(strip_fills) {
        let h = match rowarg::RowArg::of(k, &an, fill.arg, fill.var) {
            Some(_) => helpers::Helper::Map,
            None => helpers::Helper::Array(fill.f),
        };
        if !helpers.contains(&h) {
            helpers.push(h);
        }
    }
    let mut refs = HashMap::new();
    for h in helpers {
        let id = helpers::declare(module, h)?;
        refs.insert(h, module.declare_func_in_func(id, &mut ctx.func));
    }
    let mut fbc = FunctionBuilderContext::new();
    let mut fb = FunctionBuilder::new(&mut ctx.func, &mut fbc);
    let entry = fb.create_block();
    fb.append_block_params_for_function_params(entry);
    fb.switch_to_block(entry);
    let [args, begin, end] = fb.block_params(entry)[..] else { unreachable!("three parameters") };
    let mut em = Emitter::new(fb, k, &an, refs, opts.fma);
    em.cache = cache;
    for &(dtype, n) in &em.cache.slots {
        let data = StackSlotData::new(StackSlotKind::ExplicitSlot, (n * dtype.size_bytes()) as u32, 4);
        let slot = em.fb.create_sized_stack_slot(data);
        em.cache_slots.push(slot);
    }
    let n_args = k.inputs.len() + k.outputs.len();
    let arg_flags = MemFlagsData::new().with_notrap().with_aligned().with_readonly();
    em.ptrs = (0..n_args).map(|i| em.fb.ins().load(ptr, arg_flags, args, (i * ptr.bytes() as usize) as i32)).collect();
    em.strip = strip;
    em.row_out = row_out;
    em.array_calls = opts.array_calls;
    em.presplat = plan.is_some();
    let levels = hoist::hoist_plan(k, &an);
    em.domain(begin, end, plan, &levels);
    em.fb.ins().return_(&[]);
    let mut fb = em.into_builder();
    fb.seal_all_blocks();
    fb.finalize(module.target_config());
    let clif = opts.emit_clif.then(|| ctx.func.display().to_string());
    module.define_function(func, &mut ctx).map_err(|e| cranelift_error(k, &ctx.func, e))?;
    Ok(DefinedKernel { func, clif })
}
