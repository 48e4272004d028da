//! Lowering of an `xlac_ir::Module` to kernels and library calls, one op at a time
//! (`-O0`): the entry function is flattened (calls inlined), every op becomes one
//! [`Kernel`] or one [`LibraryCall`], and every value gets a buffer (inputs, outputs,
//! constants, and temporaries placed in one arena by liveness).
//!
//! Scalar and splat constants are not materialized when only kernels read them: the
//! kernels inline them as constants.

mod arena;
pub(crate) use arena::call_buffers;
mod elementwise;
mod epilogue;
mod fused;
mod graph;
mod index_ops;
mod library;
mod program;

use crate::kernel::{DimIndex, ExprId, Kernel, Scalar};
use crate::CodegenError;
use graph::{GOp, Graph, Vid};
use std::fmt;
use std::sync::Arc;
use xlac_ir::ops::OpClass;
use xlac_ir::{DType, Literal, Module, OpKind};
use xlac_runtime::program::{BufferDecl, BufferId, BufferKind, ElemType, LibraryCall, TensorSpec};

/// One step of a lowered program: a kernel still to be compiled, or a library call.
#[derive(Clone, Debug)]
pub enum LoweredStep {
    /// A generated kernel and the buffers it is called with (inputs, then outputs).
    Kernel {
        /// The kernel.
        kernel: Kernel,
        /// Its arguments.
        args: Vec<BufferId>,
    },
    /// A runtime library call.
    Library(LibraryCall),
    /// A GEMM or convolution running a kernel on its output rows as they become final
    /// (see `epilogue`): the kernel reads the call's output and other buffers, and
    /// writes its own outputs.
    Fused {
        /// The library call.
        call: Box<LibraryCall>,
        /// The epilogue kernel.
        kernel: Kernel,
        /// Its arguments (inputs, then outputs).
        args: Vec<BufferId>,
    },
}

/// A program whose kernels are not compiled yet: everything of a
/// [`xlac_runtime::program::Program`] but the machine code.
#[derive(Clone, Debug)]
pub struct Lowered {
    /// Inputs, in parameter order.
    pub inputs: Vec<TensorSpec>,
    /// Outputs, in result order.
    pub outputs: Vec<TensorSpec>,
    /// Every buffer.
    pub buffers: Vec<BufferDecl>,
    /// Steps in execution order.
    pub steps: Vec<LoweredStep>,
    /// Arena size in bytes.
    pub arena_bytes: usize,
    /// Outputs copied from other buffers at the end of a run.
    pub output_copies: Vec<(usize, BufferId)>,
}

/// Lowers the entry function of `m` (verified) to kernels and library calls.
pub fn lower_module(m: &Module) -> Result<Lowered, CodegenError> {
    let g = graph::flatten(m)?;
    let mut lw = Lowerer::new(&g);
    for op in &g.ops {
        if op.results.iter().any(|&r| lw.uses[r] > 0) {
            lw.lower_op(op)?;
        }
    }
    let mut from_fusion = vec![false; lw.steps.len()];
    for &i in &lw.fusion_steps {
        from_fusion[i] = true;
    }
    epilogue::attach(&mut lw.steps, &from_fusion);
    lw.finish()
}

/// The element type of the runtime for an IR dtype.
pub(crate) fn elem_type(d: DType) -> ElemType {
    match d {
        DType::F32 => ElemType::F32,
        DType::F64 => ElemType::F64,
        DType::I32 => ElemType::I32,
        DType::I64 => ElemType::I64,
        DType::Bool => ElemType::Bool,
    }
}

/// A kernel under construction and the buffers bound to its inputs.
pub(crate) struct KernelBuilder {
    pub k: Kernel,
    args: Vec<BufferId>,
}

impl KernelBuilder {
    pub(crate) fn new(name: String, domain: Vec<usize>) -> KernelBuilder {
        KernelBuilder { k: Kernel::new(name, domain), args: Vec::new() }
    }

    /// The input number of `buf`, adding it on first use.
    fn input(&mut self, buf: BufferId, dtype: DType, len: usize) -> usize {
        match self.args.iter().position(|&b| b == buf) {
            Some(i) => i,
            None => {
                self.args.push(buf);
                self.k.add_input(dtype, len)
            }
        }
    }
}

/// The state of lowering one flattened function.
pub(crate) struct Lowerer<'g, 'm> {
    pub g: &'g Graph<'m>,
    pub buffers: Vec<BufferDecl>,
    /// The buffer holding each value, once materialized.
    value_buf: Vec<Option<BufferId>>,
    /// Values that are splat constants (inlined into kernels).
    splat: Vec<Option<Scalar>>,
    /// Number of uses of each value (operands and results).
    uses: Vec<usize>,
    /// The output a value is written to directly.
    out_of: Vec<Option<usize>>,
    pub steps: Vec<LoweredStep>,
    /// Indices of the steps computing `fusion` ops.
    fusion_steps: Vec<usize>,
}

impl<'g, 'm> Lowerer<'g, 'm> {
    fn new(g: &'g Graph<'m>) -> Self {
        let n = g.types.len();
        let mut lw = Lowerer {
            g,
            buffers: Vec::new(),
            value_buf: vec![None; n],
            splat: vec![None; n],
            uses: vec![0; n],
            out_of: vec![None; n],
            steps: Vec::new(),
            fusion_steps: Vec::new(),
        };
        for op in &g.ops {
            for &v in &op.operands {
                lw.uses[v] += 1;
            }
        }
        let defined: Vec<bool> = {
            let mut d = vec![false; n];
            for op in &g.ops {
                op.results.iter().for_each(|&r| d[r] = true);
            }
            d
        };
        for (i, &v) in g.rets.iter().enumerate() {
            lw.uses[v] += 1;
            if defined[v] && lw.out_of[v].is_none() && !is_dense_constant(g, v) {
                lw.out_of[v] = Some(i);
            }
        }
        for (i, &p) in g.params.iter().enumerate() {
            let size = g.types[p].size_bytes();
            lw.value_buf[p] = Some(lw.new_buffer(size, BufferKind::Input(i)));
        }
        lw
    }

    pub(crate) fn new_buffer(&mut self, size_bytes: usize, kind: BufferKind) -> BufferId {
        self.buffers.push(BufferDecl { size_bytes, kind });
        self.buffers.len() - 1
    }

    /// A scratch buffer for an intermediate result (placed by the arena planner).
    pub(crate) fn temp_buffer(&mut self, size_bytes: usize) -> BufferId {
        self.new_buffer(size_bytes, BufferKind::Temp { offset: 0 })
    }

    /// The buffer `v` is computed into: its output, or a new temporary.
    pub(crate) fn result_buffer(&mut self, v: Vid) -> BufferId {
        let size = self.g.types[v].size_bytes();
        let b = match self.out_of[v] {
            Some(i) => self.new_buffer(size, BufferKind::Output(i)),
            None => self.temp_buffer(size),
        };
        self.value_buf[v] = Some(b);
        b
    }

    /// The buffer holding `v`, materializing an inlined splat constant if needed.
    pub(crate) fn buffer_of(&mut self, v: Vid) -> BufferId {
        if let Some(b) = self.value_buf[v] {
            return b;
        }
        let c = self.splat[v].expect("every value is a buffer or a splat");
        let out = self.result_buffer(v);
        self.splat_kernel(v, c, out);
        out
    }

    fn splat_kernel(&mut self, v: Vid, c: Scalar, out: BufferId) {
        let n = self.g.types[v].shape.num_elements();
        let mut kb = KernelBuilder::new(format!("splat_{}", self.g.names[v]), vec![n]);
        kb.k.origin = vec!["constant"];
        let e = kb.k.constant(c);
        self.finish_kernel(kb, e, out);
    }

    /// An expression reading value `v` (viewed with extents `view`) at `index`; a
    /// splat constant read without a guard becomes a constant, an empty input the
    /// `otherwise` value.
    pub(crate) fn load(
        &mut self,
        kb: &mut KernelBuilder,
        v: Vid,
        view: Vec<usize>,
        index: Vec<DimIndex>,
        otherwise: Option<ExprId>,
    ) -> ExprId {
        let ty = &self.g.types[v];
        let len = ty.shape.num_elements();
        if let (0, Some(o)) = (len, otherwise) {
            return o;
        }
        // A guarded load keeps its bounds check, so only unguarded splats inline.
        if let Some(c) = self.splat[v].filter(|_| self.value_buf[v].is_none() && otherwise.is_none()) {
            return kb.k.constant(c);
        }
        let dtype = ty.dtype;
        let buf = self.buffer_of(v);
        let input = kb.input(buf, dtype, len);
        kb.k.push(crate::kernel::Expr::Load(crate::kernel::Load { input, view, index, otherwise }), dtype)
    }

    /// Adds the step computing `root` over `kb`'s domain into `out` (skipped when the
    /// domain is empty).
    pub(crate) fn finish_kernel(&mut self, mut kb: KernelBuilder, root: ExprId, out: BufferId) {
        if kb.k.domain.contains(&0) {
            return;
        }
        kb.k.add_output(root);
        let mut args = kb.args;
        args.push(out);
        self.steps.push(LoweredStep::Kernel { kernel: kb.k, args });
    }

    fn lower_op(&mut self, op: &GOp<'m>) -> Result<(), CodegenError> {
        let v = op.result;
        match op.kind {
            OpKind::Constant => return self.constant(op),
            OpKind::DotGeneral => return library::dot_general(self, op),
            OpKind::Convolution => return library::convolution(self, op),
            OpKind::ReduceWindow => return library::reduce_window(self, op),
            OpKind::Gather => return library::gather(self, op),
            OpKind::Call => return Err(CodegenError::Invalid("calls are inlined".into())),
            OpKind::Fusion => return self.fusion(op),
            _ => {}
        }
        let (kb, root) = if op.kind.info().class == OpClass::Elementwise {
            elementwise::lower(self, op)?
        } else {
            index_ops::lower(self, op)?
        };
        let (mut kb, root) = (kb, root);
        kb.k.origin = vec![op.kind.name()];
        let out = self.result_buffer(v);
        self.finish_kernel(kb, root, out);
        Ok(())
    }

    /// A `fusion` op: its prebuilt kernel over the operands' buffers, writing every
    /// result.
    fn fusion(&mut self, op: &GOp<'m>) -> Result<(), CodegenError> {
        let fk = op.fused.as_ref().ok_or_else(|| CodegenError::Invalid("fusion without a kernel".into()))?;
        let mut args: Vec<BufferId> = fk.inputs.iter().map(|&p| self.buffer_of(op.operands[p])).collect();
        for &r in &op.results {
            args.push(self.result_buffer(r));
        }
        if !fk.kernel.domain.contains(&0) {
            self.fusion_steps.push(self.steps.len());
            self.steps.push(LoweredStep::Kernel { kernel: fk.kernel.clone(), args });
        }
        Ok(())
    }

    fn constant(&mut self, op: &GOp<'m>) -> Result<(), CodegenError> {
        let v = op.result;
        let ty = &self.g.types[v];
        let lit = op.attrs.literal("value").ok_or_else(|| CodegenError::Invalid("constant without value".into()))?;
        let data = match lit {
            Literal::Splat(d) | Literal::Dense(d) => d,
            Literal::Weight { data, .. } => &data.data,
        };
        if data.len() == 1 {
            self.splat[v] = Some(Scalar::from_data(data, 0));
            if self.out_of[v].is_some() {
                self.buffer_of(v);
            }
            return Ok(());
        }
        if data.dtype() != ty.dtype || data.len() != ty.shape.num_elements() {
            return Err(CodegenError::Invalid(format!("constant data does not fit {ty}")));
        }
        let bytes: Arc<[u8]> = data.to_le_bytes().into();
        let b = self.new_buffer(bytes.len(), BufferKind::Const(bytes));
        self.value_buf[v] = Some(b);
        Ok(())
    }

    fn finish(mut self) -> Result<Lowered, CodegenError> {
        let g = self.g;
        let spec = |v: Vid, name: String| TensorSpec {
            name,
            elem: elem_type(g.types[v].dtype),
            dims: g.types[v].shape.dims().to_vec(),
        };
        let inputs = g.params.iter().map(|&p| spec(p, g.names[p].clone())).collect();
        let outputs = g.rets.iter().enumerate().map(|(i, &v)| spec(v, format!("result{i}"))).collect();
        let mut output_copies = Vec::new();
        for (i, &v) in g.rets.iter().enumerate() {
            if self.out_of[v] != Some(i) {
                let b = self.buffer_of(v);
                output_copies.push((i, b));
            }
        }
        let arena_bytes = arena::plan(&mut self.buffers, &self.steps);
        Ok(Lowered { inputs, outputs, buffers: self.buffers, steps: self.steps, arena_bytes, output_copies })
    }
}

/// Whether `v` is defined by a constant op with more than one element (a `Const` buffer).
fn is_dense_constant(g: &Graph, v: Vid) -> bool {
    g.ops.iter().any(|op| {
        op.result == v
            && op.kind == OpKind::Constant
            && match op.attrs.literal("value") {
                Some(Literal::Dense(d)) => d.len() != 1,
                Some(Literal::Weight { data, .. }) => data.data.len() != 1,
                _ => false,
            }
    })
}

impl fmt::Display for Lowered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        program::fmt_lowered(self, f)
    }
}
