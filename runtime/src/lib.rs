//! The runtime: buffers and arena, executable steps, thread pool, GEMM/convolution
//! kernels called by generated code, and the C ABI.
//!
//! Its invariant: it depends on nothing of the compiler, so AOT programs link it alone.
//!
//! Memory contract with generated kernels: every buffer pointer is aligned to its
//! element size, and no more (caller tensors are only element-aligned; temps and
//! constants are 64-byte aligned, but kernels must not rely on it), so vector loads and
//! stores must be unaligned ones. Zero-sized buffers get a non-null, 64-byte-aligned
//! dangling pointer that must not be dereferenced.

mod aligned;
mod arena;
pub mod capi;
mod error;
mod exec;
mod executable;
pub mod kernels;
pub mod pool;
pub mod program;
mod tensor;
mod validate;
pub mod vmath;

pub use aligned::{AlignedBytes, ALIGN};
pub use error::{ProgramError, RunError, Side};
pub use executable::Executable;
pub use pool::ThreadPool;
pub use program::{ElemType, Program, TensorSpec};
pub use tensor::{as_bytes, as_bytes_mut, Element, HostTensor, Pod, TensorMut, TensorRef};
