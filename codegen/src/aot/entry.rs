//! The entry function of an AOT object:
//! `int <name>_run(const void *const *inputs, void *const *outputs, void *scratch, int threads)`.
//! It checks the pointers it is given (non-null, aligned), binds every buffer (inputs
//! and outputs from the arrays, temporaries in the scratch, constants in read-only
//! data), runs the steps in order and copies aliased outputs. Returns 0, or 1 for a
//! null or misaligned input/output pointer, 2 for a null or misaligned scratch.

use super::data::{call_bytes, define_rodata, module_error, RtFn};
use super::ScratchLayout;
use crate::jit::work_per_iter;
use crate::lower::{Lowered, LoweredStep};
use crate::CodegenError;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, AbiParam, Block, FuncRef, GlobalValue, InstBuilder, MemFlagsData, StackSlot, StackSlotData, StackSlotKind,
    Type, UserFuncName, Value,
};
use cranelift_codegen::isa::TargetFrontendConfig;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{FuncId, Linkage, Module};
use std::collections::BTreeMap;
use xlac_runtime::capi::KERNEL_PARALLEL_WORK;
use xlac_runtime::program::{BufferKind, LibraryCall};
use xlac_runtime::ALIGN;

/// Status the entry returns for a bad input or output pointer.
pub const BAD_TENSOR: i64 = 1;
/// Status the entry returns for a bad scratch pointer.
pub const BAD_SCRATCH: i64 = 2;
/// Status the entry returns for a bad weights pointer.
pub const BAD_WEIGHTS: i64 = 3;

/// Whether a kernel step goes through the runtime's thread pool.
fn threaded(outer: usize, work_per_iter: usize) -> bool {
    outer > 1 && outer.saturating_mul(work_per_iter.max(1)) >= KERNEL_PARALLEL_WORK
}

/// Everything the entry function refers to, declared in the module.
struct Refs {
    consts: Vec<Option<GlobalValue>>,
    /// Offsets of the constants in the weights blob, when they are external.
    external: Option<Vec<Option<usize>>>,
    calls: Vec<Option<GlobalValue>>,
    kernels: Vec<FuncRef>,
    rt: BTreeMap<RtFn, FuncRef>,
}

/// Defines `<name>_run` for `p`, whose kernels are `kernels` (in step order). With
/// `external` (the offset of every constant buffer in a weights blob), constants are
/// read from the blob passed as a fifth argument instead of the object's data.
pub(super) fn define_entry<M: Module>(
    module: &mut M,
    p: &Lowered,
    name: &str,
    kernels: &[FuncId],
    scratch: ScratchLayout,
    external: Option<Vec<Option<usize>>>,
) -> Result<FuncId, CodegenError> {
    let ptr = module.target_config().pointer_type();
    let mut sig = module.make_signature();
    sig.params.extend([ptr, ptr, ptr, types::I32].map(AbiParam::new));
    if external.is_some() {
        sig.params.push(AbiParam::new(ptr));
    }
    sig.returns.push(AbiParam::new(types::I32));
    let symbol = format!("{name}_run");
    let func = module.declare_function(&symbol, Linkage::Export, &sig).map_err(|e| module_error(&symbol, e))?;
    let mut ctx = module.make_context();
    ctx.func.signature = sig;
    ctx.func.name = UserFuncName::user(0, func.as_u32());
    let mut refs = declare_refs(module, p, name, kernels, &mut ctx.func, external.is_none())?;
    refs.external = external;
    let mut fbc = FunctionBuilderContext::new();
    let mut fb = FunctionBuilder::new(&mut ctx.func, &mut fbc);
    let config = module.target_config();
    let mut e = Entry { fb: &mut fb, ptr, config, refs: &refs, p, scratch };
    e.build();
    fb.seal_all_blocks();
    fb.finalize(config);
    module.define_function(func, &mut ctx).map_err(|e| module_error(&symbol, e))?;
    Ok(func)
}

fn declare_refs<M: Module>(
    module: &mut M,
    p: &Lowered,
    name: &str,
    kernels: &[FuncId],
    func: &mut cranelift_codegen::ir::Function,
    embed_consts: bool,
) -> Result<Refs, CodegenError> {
    let mut consts = Vec::new();
    for (id, b) in p.buffers.iter().enumerate() {
        consts.push(match &b.kind {
            BufferKind::Const(bytes) if b.size_bytes > 0 && embed_consts => {
                let data = define_rodata(module, &format!("{name}_const{id}"), bytes, ALIGN as u64)?;
                Some(module.declare_data_in_func(data, func))
            }
            _ => None,
        });
    }
    let mut calls = Vec::new();
    let mut rt = BTreeMap::new();
    for (i, step) in p.steps.iter().enumerate() {
        let (call, f) = match step {
            LoweredStep::Library(call) => (Some(call), Some(RtFn::of(call))),
            LoweredStep::Kernel { kernel, .. } => {
                let t = threaded(kernel.outer_extent(), work_per_iter(kernel));
                (None, t.then_some(RtFn::ParallelFor))
            }
            LoweredStep::Fused { call, .. } => {
                let f =
                    RtFn::fused(call).ok_or_else(|| CodegenError::Invalid("an epilogue on a non-GEMM call".into()))?;
                (Some(&**call), Some(f))
            }
        };
        let gv = match call {
            Some(call) => {
                let data = define_rodata(module, &format!("{name}_call{i}"), &call_bytes(call)?, 8)?;
                Some(module.declare_data_in_func(data, func))
            }
            None => None,
        };
        calls.push(gv);
        if let Some(std::collections::btree_map::Entry::Vacant(slot)) = f.map(|f| rt.entry(f)) {
            let id = slot.key().declare(module)?;
            slot.insert(module.declare_func_in_func(id, func));
        }
    }
    let kernels = kernels.iter().map(|&k| module.declare_func_in_func(k, func)).collect();
    Ok(Refs { consts, external: None, calls, kernels, rt })
}

/// The entry function under construction.
struct Entry<'a, 'b, 'f> {
    fb: &'a mut FunctionBuilder<'f>,
    ptr: Type,
    config: TargetFrontendConfig,
    refs: &'b Refs,
    p: &'b Lowered,
    scratch: ScratchLayout,
}

impl Entry<'_, '_, '_> {
    fn build(&mut self) {
        let entry = self.fb.create_block();
        self.fb.append_block_params_for_function_params(entry);
        self.fb.switch_to_block(entry);
        let params = self.fb.block_params(entry).to_vec();
        let [ins, outs, scratch, threads] = params[..4] else { unreachable!("four parameters") };
        let (n_in, n_out) = (self.p.inputs.len(), self.p.outputs.len());
        let mut arrays = Vec::new();
        if n_in > 0 {
            arrays.push((ins, 1));
        }
        if n_out > 0 {
            arrays.push((outs, 1));
        }
        self.check(&arrays, BAD_TENSOR);
        let sizes_in: Vec<(usize, usize)> = self.p.inputs.iter().map(|s| (s.size_bytes(), s.elem.size())).collect();
        let sizes_out: Vec<(usize, usize)> = self.p.outputs.iter().map(|s| (s.size_bytes(), s.elem.size())).collect();
        let in_ptrs = self.load_table(ins, &sizes_in);
        let out_ptrs = self.load_table(outs, &sizes_out);
        let loaded = in_ptrs.iter().zip(&sizes_in).chain(out_ptrs.iter().zip(&sizes_out));
        let loaded: Vec<(Value, usize)> =
            loaded.filter(|(_, &(size, _))| size > 0).map(|(&v, &(_, align))| (v, align)).collect();
        self.check(&loaded, BAD_TENSOR);
        if self.scratch.total() > 0 {
            self.check(&[(scratch, ALIGN)], BAD_SCRATCH);
        }
        let weights = params.get(4).copied();
        let has_weights = self.refs.external.as_ref().is_some_and(|offs| offs.iter().any(Option::is_some));
        if let (Some(w), true) = (weights, has_weights) {
            self.check(&[(w, ALIGN)], BAD_WEIGHTS);
        }
        let bufs = self.bind(&in_ptrs, &out_ptrs, scratch, weights);
        self.steps(&bufs, scratch, threads);
        for &(out, id) in &self.p.output_copies {
            let len = self.p.outputs[out].size_bytes();
            if len > 0 {
                let size = self.fb.ins().iconst(self.ptr, len as i64);
                self.fb.call_memmove(self.config, out_ptrs[out], bufs[id], size);
            }
        }
        let zero = self.fb.ins().iconst(types::I32, 0);
        self.fb.ins().return_(&[zero]);
    }

    /// Returns `status` unless every pointer in `ptrs` is non-null and aligned.
    fn check(&mut self, ptrs: &[(Value, usize)], status: i64) {
        if ptrs.is_empty() {
            return;
        }
        let mut bad = self.fb.ins().iconst(types::I8, 0);
        for &(v, align) in ptrs {
            let null = self.fb.ins().icmp_imm_u(IntCC::Equal, v, 0);
            bad = self.fb.ins().bor(bad, null);
            if align > 1 {
                let low = self.fb.ins().band_imm_u(v, align as i64 - 1);
                let mis = self.fb.ins().icmp_imm_u(IntCC::NotEqual, low, 0);
                bad = self.fb.ins().bor(bad, mis);
            }
        }
        let (fail, ok): (Block, Block) = (self.fb.create_block(), self.fb.create_block());
        self.fb.ins().brif(bad, fail, &[], ok, &[]);
        self.fb.switch_to_block(fail);
        let code = self.fb.ins().iconst(types::I32, status);
        self.fb.ins().return_(&[code]);
        self.fb.switch_to_block(ok);
    }

    /// `table[i]` for every non-empty tensor (`sizes[i].0 > 0`), else a dangling pointer.
    fn load_table(&mut self, table: Value, sizes: &[(usize, usize)]) -> Vec<Value> {
        let flags = MemFlagsData::new().with_notrap().with_aligned().with_readonly();
        let bytes = self.ptr.bytes() as i32;
        (0..sizes.len())
            .map(|i| {
                if sizes[i].0 == 0 {
                    self.fb.ins().iconst(self.ptr, ALIGN as i64)
                } else {
                    self.fb.ins().load(self.ptr, flags, table, i as i32 * bytes)
                }
            })
            .collect()
    }

    /// The base pointer of every buffer.
    fn bind(&mut self, ins: &[Value], outs: &[Value], scratch: Value, weights: Option<Value>) -> Vec<Value> {
        let mut bufs = Vec::with_capacity(self.p.buffers.len());
        for (id, b) in self.p.buffers.iter().enumerate() {
            let v = match &b.kind {
                _ if b.size_bytes == 0 => self.fb.ins().iconst(self.ptr, ALIGN as i64),
                BufferKind::Input(i) => ins[*i],
                BufferKind::Output(j) => outs[*j],
                BufferKind::Temp { offset } => self.fb.ins().iadd_imm_u(scratch, *offset as i64),
                BufferKind::Const(_) if self.refs.external.is_some() => {
                    let offsets = self.refs.external.as_ref().expect("external weights");
                    let offset = offsets[id].expect("constant placed in the weights blob");
                    self.fb.ins().iadd_imm_u(weights.expect("a weights parameter"), offset as i64)
                }
                BufferKind::Const(_) => {
                    let gv = self.refs.consts[id].expect("constant declared");
                    self.fb.ins().symbol_value(self.ptr, gv)
                }
            };
            bufs.push(v);
        }
        bufs
    }

    fn steps(&mut self, bufs: &[Value], scratch: Value, threads: Value) {
        let max_args = self.p.steps.iter().map(|s| match s {
            LoweredStep::Kernel { args, .. } | LoweredStep::Fused { args, .. } => args.len(),
            LoweredStep::Library(_) => 0,
        });
        let slot_bytes = max_args.max().unwrap_or(0) as u32 * self.ptr.bytes();
        let slot = (slot_bytes > 0)
            .then(|| self.fb.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, slot_bytes, 3)));
        let mut k = 0;
        for (i, step) in self.p.steps.iter().enumerate() {
            match step {
                LoweredStep::Kernel { kernel, args } => {
                    let outer = kernel.outer_extent();
                    let kref = self.refs.kernels[k];
                    k += 1;
                    let slot = slot.expect("a kernel has arguments");
                    self.kernel(
                        kref,
                        slot,
                        args.iter().map(|&a| bufs[a]).collect(),
                        outer,
                        work_per_iter(kernel),
                        threads,
                    );
                }
                LoweredStep::Library(call) => {
                    let desc = self.refs.calls[i].expect("call description declared");
                    self.library(call, desc, bufs, scratch, threads);
                }
                LoweredStep::Fused { call, kernel, args } => {
                    let desc = self.refs.calls[i].expect("call description declared");
                    let kref = self.refs.kernels[k];
                    k += 1;
                    let slot = slot.expect("a kernel has arguments");
                    let args: Vec<Value> = args.iter().map(|&a| bufs[a]).collect();
                    let outer = kernel.outer_extent();
                    self.fused(call, desc, bufs, scratch, threads, (kref, slot, &args, outer));
                }
            }
        }
    }

    fn kernel(&mut self, kref: FuncRef, slot: StackSlot, args: Vec<Value>, outer: usize, wpi: usize, threads: Value) {
        let table = self.table(slot, &args);
        let end = self.fb.ins().iconst(types::I64, outer as i64);
        if threaded(outer, wpi) {
            let f = self.fb.ins().func_addr(self.ptr, kref);
            let wpi = self.fb.ins().iconst(types::I64, wpi as i64);
            let rt = self.refs.rt[&RtFn::ParallelFor];
            self.fb.ins().call(rt, &[f, table, end, wpi, threads]);
        } else {
            let begin = self.fb.ins().iconst(types::I64, 0);
            self.fb.ins().call(kref, &[table, begin, end]);
        }
    }

    /// Stores `args` in the argument table `slot`; returns the table's address.
    fn table(&mut self, slot: StackSlot, args: &[Value]) -> Value {
        let bytes = self.ptr.bytes() as i32;
        for (i, &a) in args.iter().enumerate() {
            self.fb.ins().stack_store(self.ptr, a, slot, i as i32 * bytes);
        }
        self.fb.ins().stack_addr(self.ptr, slot, 0)
    }

    /// A GEMM or convolution with its epilogue kernel `(kernel, table slot, args,
    /// outer)`, through `xlac_rt_gemm_fused` / `xlac_rt_conv_fused`.
    fn fused(
        &mut self,
        call: &LibraryCall,
        desc: GlobalValue,
        bufs: &[Value],
        scratch: Value,
        threads: Value,
        (kref, slot, args, outer): (FuncRef, StackSlot, &[Value], usize),
    ) {
        let mut a = self.call_args(call, desc, bufs, scratch);
        let table = self.table(slot, args);
        let f = self.fb.ins().func_addr(self.ptr, kref);
        let outer = self.fb.ins().iconst(types::I64, outer as i64);
        a.extend([f, table, outer, threads]);
        let rt = self.refs.rt[&RtFn::fused(call).expect("declared for a fused step")];
        self.fb.ins().call(rt, &a);
    }

    fn library(&mut self, call: &LibraryCall, desc: GlobalValue, bufs: &[Value], scratch: Value, threads: Value) {
        let mut args = self.call_args(call, desc, bufs, scratch);
        args.push(threads);
        let rt = self.refs.rt[&RtFn::of(call)];
        self.fb.ins().call(rt, &args);
    }

    /// The description and buffer arguments of `call` (without the thread count).
    fn call_args(&mut self, call: &LibraryCall, desc: GlobalValue, bufs: &[Value], scratch: Value) -> Vec<Value> {
        let d = self.fb.ins().symbol_value(self.ptr, desc);
        match call {
            LibraryCall::Gemm(c) => vec![d, bufs[c.lhs], bufs[c.rhs], bufs[c.out]],
            LibraryCall::Conv(c) => {
                let s = self.fb.ins().iadd_imm_u(scratch, self.scratch.conv_offset as i64);
                let len = self.fb.ins().iconst(types::I64, self.scratch.conv_bytes as i64);
                vec![d, bufs[c.input], bufs[c.kernel], bufs[c.out], s, len]
            }
            LibraryCall::Pool(c) => vec![d, bufs[c.input], bufs[c.out]],
            LibraryCall::Gather(c) => vec![d, bufs[c.x], bufs[c.indices], bufs[c.out]],
        }
    }
}
