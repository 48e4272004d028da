//! Where each function and op of a lowered module came from, so that verifier errors
//! (which locate by index; the IR has no spans) render at the right line.

use crate::ast::Span;
use crate::diag::Diagnostic;
use xlac_ir::VerifyError;

/// Spans of one function.
#[derive(Clone, Debug, Default)]
pub struct FuncSpans {
    /// From `func` to the end of the result types.
    pub signature: Span,
    /// The `return` line.
    pub ret: Span,
    /// One span per op, indexed like `Function::ops`.
    pub ops: Vec<Span>,
}

/// Spans of a module, indexed like `Module::functions`.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    /// One entry per function.
    pub funcs: Vec<FuncSpans>,
}

impl SourceMap {
    /// The verifier error as a diagnostic at its op's line, or at the function's
    /// signature (its `return` line for errors about returned values).
    pub fn diagnostic(&self, e: &VerifyError) -> Diagnostic {
        let span = self.funcs.get(e.loc.func).map_or(Span::default(), |f| match e.loc.op {
            Some(op) => f.ops.get(op).copied().unwrap_or(f.signature),
            None if e.message.starts_with("return") => f.ret,
            None => f.signature,
        });
        Diagnostic::new(span, e.to_string())
    }
}
