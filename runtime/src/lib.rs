//! The runtime: buffers and arena, executable steps, thread pool, GEMM/convolution
//! kernels called by generated code, and the C ABI.
//!
//! Its invariant: it depends on nothing of the compiler, so AOT programs link it alone.

pub mod program;
