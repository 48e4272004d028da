//! Errors of code generation.

/// Why a module could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// The module has neither `@main` nor exactly one function.
    #[error("the module has no entry function: no @main, and not exactly one function")]
    NoEntry,
    /// The module breaks an invariant the verifier should have caught.
    #[error("invalid module: {0}")]
    Invalid(String),
    /// A construct code generation does not support (yet).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The host is not supported by Cranelift, or a Cranelift setting was rejected.
    #[error("target: {0}")]
    Target(String),
    /// Cranelift rejected a generated function (a code generator bug).
    #[error("cranelift failed on kernel `{kernel}`: {message}")]
    Cranelift {
        /// The kernel's name.
        kernel: String,
        /// Cranelift's message (with the verifier's errors, if any).
        message: String,
    },
}
