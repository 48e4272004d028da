//! Lowering of kernels to Cranelift IR, vector math, and the JIT/AOT backends.
//!
//! Empty shell: code generation lands with the JIT issue. Its invariant: codegen never
//! re-runs a pass; it only lowers what the passes produced.
