//! The executable program: buffers, steps, and the calling convention of generated
//! kernels. The compiler produces a [`Program`]; the runtime executes it. Nothing here
//! refers to the tensor IR.

use std::sync::Arc;

/// Element type of a runtime buffer (mirrors the IR's dtypes without depending on it).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ElemType {
    /// IEEE binary32.
    F32,
    /// IEEE binary64.
    F64,
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// One byte, 0 or 1.
    Bool,
}

impl ElemType {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            ElemType::F32 | ElemType::I32 => 4,
            ElemType::F64 | ElemType::I64 => 8,
            ElemType::Bool => 1,
        }
    }
}

/// Dtype and shape of a program input or output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorSpec {
    /// Name (the IR parameter name, for error messages).
    pub name: String,
    /// Element type.
    pub elem: ElemType,
    /// Row-major extents.
    pub dims: Vec<usize>,
}

impl TensorSpec {
    /// Number of elements.
    pub fn num_elements(&self) -> usize {
        self.dims.iter().product()
    }

    /// Dense size in bytes.
    pub fn size_bytes(&self) -> usize {
        self.num_elements() * self.elem.size()
    }
}

/// Index of a buffer in [`Program::buffers`].
pub type BufferId = usize;

/// Where a buffer's memory comes from.
#[derive(Clone, Debug)]
pub enum BufferKind {
    /// Input `i`, owned by the caller, read-only.
    Input(usize),
    /// Output `i`, owned by the caller (or allocated by `run`).
    Output(usize),
    /// Scratch at `offset` bytes into the arena (64-byte aligned).
    Temp {
        /// Byte offset into the arena.
        offset: usize,
    },
    /// Read-only constant data owned by the program (aligned to 64 bytes when loaded).
    Const(Arc<[u8]>),
}

/// One buffer: its size and where it lives.
#[derive(Clone, Debug)]
pub struct BufferDecl {
    /// Size in bytes.
    pub size_bytes: usize,
    /// Where its memory is.
    pub kind: BufferKind,
}

/// A generated kernel: `args[i]` points at buffer `Step::Kernel::args[i]`; the kernel
/// computes the iterations `begin..end` of its outermost loop. Calls on disjoint ranges
/// may run concurrently.
pub type KernelFn = unsafe extern "C" fn(args: *const *mut u8, begin: usize, end: usize);

/// One step of a program, run in order.
#[derive(Clone, Debug)]
pub enum Step {
    /// A generated kernel.
    Kernel {
        /// Name, for profiles and `--emit`.
        name: String,
        /// Entry point.
        func: KernelFn,
        /// Buffers passed as `args`, in order (the kernel's inputs, then outputs).
        args: Vec<BufferId>,
        /// Extent of the outermost loop (`end` of a full run).
        outer: usize,
        /// Estimated work of one outer iteration (elements touched); decides threading.
        work_per_iter: usize,
    },
    /// A library kernel of the runtime.
    Library(LibraryCall),
    /// A GEMM or convolution whose output rows run through a generated kernel as soon
    /// as they are final, while they are still in cache (see [`Epilogue`]).
    Fused {
        /// The library call.
        call: LibraryCall,
        /// The kernel run on its output rows.
        epilogue: Epilogue,
    },
}

/// A generated kernel fused into a library call ([`Step::Fused`]): bias, activation or
/// residual add computed on the call's output rows right after they are written.
///
/// The call's output is viewed as [`LibraryCall::output_rows`]; the kernel's `outer`
/// iterations split its elements evenly, so a range of rows maps to a range of outer
/// iterations. The compiler fuses a kernel only when each outer iteration reads the
/// call's output at the elements it covers (identity map, or the rest of a row in a
/// row reduction), so running it on the rows already final is the same as running it
/// after the call.
#[derive(Clone, Debug)]
pub struct Epilogue {
    /// Name, for profiles.
    pub name: String,
    /// Entry point.
    pub func: KernelFn,
    /// Buffers passed as `args` (the kernel's inputs, then outputs).
    pub args: Vec<BufferId>,
    /// Extent of the kernel's outermost loop.
    pub outer: usize,
}

impl Epilogue {
    /// The row alignment of this epilogue for an output of `rows` rows of `row_len`
    /// elements (see [`row_align`]).
    pub fn row_align(&self, rows: usize, row_len: usize) -> Option<usize> {
        row_align(rows, row_len, self.outer)
    }
}

/// The row alignment of an epilogue kernel with `outer` outer iterations over an
/// output of `rows` rows of `row_len` elements: ranges of rows that start and end at
/// multiples of it (or at `rows`) map to whole outer iterations. `None` when the outer
/// loop does not split the output evenly.
pub fn row_align(rows: usize, row_len: usize, outer: usize) -> Option<usize> {
    let total = rows.checked_mul(row_len)?;
    if outer == 0 || total == 0 || !total.is_multiple_of(outer) {
        return None;
    }
    let per_iter = total / outer;
    Some(per_iter / gcd(per_iter, row_len))
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// A call into the runtime's library kernels.
#[derive(Clone, Debug)]
pub enum LibraryCall {
    /// Batched matrix product `out[b] = lhs[b] · rhs[b]` with arbitrary element strides
    /// (so any transposed layout works without copies).
    Gemm(GemmCall),
    /// N-d convolution (see [`ConvCall`]).
    Conv(ConvCall),
    /// Pooling (see [`PoolCall`]).
    Pool(PoolCall),
    /// numpy-style take along an axis (see [`GatherCall`]).
    Gather(GatherCall),
}

impl LibraryCall {
    /// The call's output as `(rows, elements per row)` for a fused [`Epilogue`]: a
    /// GEMM's `batch · m` rows of `n`, a convolution's `n` images; `None` for calls that
    /// take no epilogue.
    pub fn output_rows(&self) -> Option<(usize, usize)> {
        match self {
            LibraryCall::Gemm(c) => Some(c.output_rows()),
            LibraryCall::Conv(c) => Some(c.output_rows()),
            LibraryCall::Pool(_) | LibraryCall::Gather(_) => None,
        }
    }
}

impl GemmCall {
    /// The output's `batch · m` rows of `n` elements.
    pub fn output_rows(&self) -> (usize, usize) {
        (self.batch * self.m, self.n)
    }
}

impl ConvCall {
    /// The output's `n` images of `o · Π out_spatial` elements.
    pub fn output_rows(&self) -> (usize, usize) {
        (self.n, self.o * self.out_spatial.iter().product::<usize>())
    }
}

/// `out[b, m, n] = Σ_k lhs[b, m, k] · rhs[b, k, n]`, every operand addressed by element
/// strides, `out` dense row-major `[batch, m, n]`.
#[derive(Clone, Debug)]
pub struct GemmCall {
    /// Element type (f32, f64, i32, i64).
    pub elem: ElemType,
    /// Buffers.
    pub lhs: BufferId,
    /// Buffers.
    pub rhs: BufferId,
    /// Buffers.
    pub out: BufferId,
    /// Batch count.
    pub batch: usize,
    /// Rows of the output.
    pub m: usize,
    /// Columns of the output.
    pub n: usize,
    /// Contraction length.
    pub k: usize,
    /// Element strides of lhs: (batch, m, k).
    pub lhs_strides: [isize; 3],
    /// Element strides of rhs: (batch, k, n).
    pub rhs_strides: [isize; 3],
}

/// Convolution in layout NCHW / OIHW (N-d spatial), the compiler having transposed
/// other layouts (or passing `nhwc: true` for N..C / ..IO layouts).
#[derive(Clone, Debug)]
pub struct ConvCall {
    /// Element type (f32 or f64).
    pub elem: ElemType,
    /// Input buffer.
    pub input: BufferId,
    /// Kernel buffer.
    pub kernel: BufferId,
    /// Output buffer.
    pub out: BufferId,
    /// true: input `[N, spatial.., C]`, kernel `[spatial.., C/g, O]`, output `[N, spatial.., O]`;
    /// false: `[N, C, spatial..]`, `[O, C/g, spatial..]`, `[N, O, spatial..]`.
    pub nhwc: bool,
    /// Batch.
    pub n: usize,
    /// Input channels.
    pub c: usize,
    /// Output channels.
    pub o: usize,
    /// Input spatial extents.
    pub in_spatial: Vec<usize>,
    /// Kernel spatial extents.
    pub k_spatial: Vec<usize>,
    /// Output spatial extents.
    pub out_spatial: Vec<usize>,
    /// Strides per spatial dim.
    pub strides: Vec<usize>,
    /// (lo, hi) padding per spatial dim; negative crops.
    pub padding: Vec<(i64, i64)>,
    /// Input (lhs) dilation per spatial dim.
    pub lhs_dilation: Vec<usize>,
    /// Kernel (rhs) dilation per spatial dim.
    pub rhs_dilation: Vec<usize>,
    /// Feature groups.
    pub groups: usize,
}

/// Pooling kind.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PoolKind {
    /// Sum (padding contributes 0).
    Sum,
    /// Maximum (padding is -inf / MIN).
    Max,
    /// Minimum (padding is +inf / MAX).
    Min,
}

/// `reduce_window` over every dim of a row-major tensor.
#[derive(Clone, Debug)]
pub struct PoolCall {
    /// Element type.
    pub elem: ElemType,
    /// Kind.
    pub kind: PoolKind,
    /// Input buffer.
    pub input: BufferId,
    /// Output buffer.
    pub out: BufferId,
    /// Input extents.
    pub in_dims: Vec<usize>,
    /// Output extents.
    pub out_dims: Vec<usize>,
    /// Window extents.
    pub window: Vec<usize>,
    /// Strides.
    pub strides: Vec<usize>,
    /// (lo, hi) padding.
    pub padding: Vec<(i64, i64)>,
    /// Window dilation.
    pub dilation: Vec<usize>,
}

/// `out[a.., i.., b..] = x[a.., clamp(idx[i..]), b..]`.
#[derive(Clone, Debug)]
pub struct GatherCall {
    /// Element size in bytes of `x` and `out` (the gather copies elements).
    pub elem_size: usize,
    /// Index element type (I32 or I64).
    pub index_elem: ElemType,
    /// Data buffer.
    pub x: BufferId,
    /// Index buffer.
    pub indices: BufferId,
    /// Output buffer.
    pub out: BufferId,
    /// Product of x's extents before the axis.
    pub outer: usize,
    /// x's extent along the axis.
    pub axis_len: usize,
    /// Product of x's extents after the axis.
    pub inner: usize,
    /// Number of indices.
    pub num_indices: usize,
}

/// Everything needed to execute a compiled function.
#[derive(Clone, Debug)]
pub struct Program {
    /// Inputs, in parameter order.
    pub inputs: Vec<TensorSpec>,
    /// Outputs, in result order.
    pub outputs: Vec<TensorSpec>,
    /// Every buffer the steps use.
    pub buffers: Vec<BufferDecl>,
    /// Steps, in execution order.
    pub steps: Vec<Step>,
    /// Bytes of scratch the temps need (the arena size).
    pub arena_bytes: usize,
    /// When an output is also an input or a constant (e.g. `return %param`), the steps
    /// do not write it: `run` copies buffer `.1` into output `.0` at the end.
    pub output_copies: Vec<(usize, BufferId)>,
}
