//! The runtime: buffers and arena, executable steps, thread pool, GEMM/convolution
//! kernels called by generated code, and the C ABI.
//!
//! Empty shell: the runtime lands with the JIT issue. Its invariant: it depends on
//! nothing of the compiler, so AOT programs link it alone.
