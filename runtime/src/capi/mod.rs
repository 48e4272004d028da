//! The C ABI that ahead-of-time compiled objects call: `#[repr(C)]` descriptions of the
//! library calls ([`calls`]) and the `extern "C"` entry points (`xlac_rt_*`) that run
//! generated kernels on a thread pool and the library kernels (GEMM, convolution,
//! pooling, gather).
//!
//! Generated code owns the call descriptions (they are read-only data in its object)
//! and passes buffer pointers that satisfy the runtime's memory contract (see the crate
//! docs). The `threads` argument of every entry point picks the pool: `<= 0` the
//! process-wide default pool ([`crate::ThreadPool::global`]), `1` the calling thread
//! only, `n` a process-wide pool of `n` threads created on first use.

pub mod calls;
mod ffi;
mod threads;

/// Work (`outer · work_per_iter`) below which a kernel runs on the calling thread, so
/// generated code may call it directly instead of through [`xlac_rt_parallel_for`].
pub use crate::exec::KERNEL_PARALLEL_WORK;
pub use calls::{elem_code, elem_from_code, XlacConv, XlacGather, XlacGemm, XlacPool, CALL_RANK};
pub use ffi::{
    xlac_rt_conv, xlac_rt_conv_fused, xlac_rt_gather, xlac_rt_gemm, xlac_rt_gemm_fused, xlac_rt_parallel_for,
    xlac_rt_pool,
};
