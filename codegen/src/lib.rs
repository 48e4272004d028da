//! Code generation: lowering of an `xlac_ir::Module` to loop [`kernel::Kernel`]s and
//! runtime library calls ([`lower`]), of kernels to Cranelift IR ([`clif`]), and the
//! JIT ([`jit`]) that turns them into an [`xlac_runtime::program::Program`].
//!
//! Its invariant: codegen never re-runs a pass; it only lowers what the passes produced.
//! The backend sits behind `cranelift_module::Module`, so an AOT `ObjectModule` can take
//! the JIT's place.

pub mod clif;
mod error;
pub mod jit;
pub mod kernel;
pub mod lower;
pub mod report;
pub mod vmath;

pub use error::CodegenError;
pub use jit::{compile_module, CodegenOptions, JitCode};
pub use lower::{lower_module, Lowered, LoweredStep};
pub use report::{step_reports, StepReport};
pub mod aot;
