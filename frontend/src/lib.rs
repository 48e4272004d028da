//! The `.ir` text frontend of xlac: a `logos` lexer and a `lalrpop` grammar build a
//! syntax tree with spans; lowering turns it into an [`xlac_ir::Module`] using the op
//! table, loads `weight("key")` literals from the module's safetensors file, and runs the
//! verifier. Every error is a [`Diagnostics`] rendered like rustc, with line and column.
//!
//! The format is specified in `docs/text-format.md`. Parsing the output of
//! [`xlac_ir::print_module`] gives back an equal module.
//!
//! ```
//! let m = xlac_frontend::parse_module("m.ir", "func @f(%x: f32[]) -> f32[] {\n  return %x\n}\n", None)?;
//! assert_eq!(m.functions[0].name, "f");
//! # Ok::<(), xlac_frontend::Diagnostics>(())
//! ```

mod ast;
mod attr;
mod diag;
mod lexer;
mod literal;
mod lower;
mod parse;
mod source_map;
mod suggest;
mod types;
mod weights;

pub use diag::{Diagnostics, SourceFile};
pub use literal::MAX_MATERIALISED_ELEMENTS;
pub use weights::write_safetensors;

use std::path::Path;
use xlac_ir::{Module, Tensor};

/// Parses, lowers and verifies module text. `name` is shown in diagnostics; a relative
/// `weights` path is resolved against `base_dir` (the current directory if `None`).
pub fn parse_module(name: &str, text: &str, base_dir: Option<&Path>) -> Result<Module, Diagnostics> {
    let fail = |items| Diagnostics::new(SourceFile { name: name.to_string(), text: text.to_string() }, items);
    let ast = parse::parse_module_ast(text).map_err(fail)?;
    let (module, map) = lower::lower_module(&ast, text, base_dir).map_err(fail)?;
    xlac_ir::verify_module(&module).map_err(|errors| fail(errors.iter().map(|e| map.diagnostic(e)).collect()))?;
    Ok(module)
}

/// Reads and parses a module file; its weights path is relative to the file's directory.
/// Unreadable or non-UTF-8 files are diagnostics too.
pub fn load_module(path: &Path) -> Result<Module, Diagnostics> {
    let name = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|e| Diagnostics::from_message(&name, "", format!("cannot read `{name}`: {e}")))?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let d = diag::Diagnostic::new(ast::Span::new(at, at + 1), "the file is not valid UTF-8");
            return Err(Diagnostics::new(SourceFile { name, text: lossy }, vec![d]));
        }
    };
    parse_module(&name, &text, path.parent())
}

/// Parses a tensor written `LITERAL : TYPE`, such as `[[1, 2], [3, 4]] : f32[2,2]` or
/// `0.5 : f32[]`. A single element with a non-scalar type fills the whole tensor (up to
/// [`MAX_MATERIALISED_ELEMENTS`] elements). `weight(...)` is not allowed.
pub fn parse_tensor_literal(text: &str) -> Result<Tensor, Diagnostics> {
    let fail = |items| Diagnostics::new(SourceFile { name: "<literal>".into(), text: text.to_string() }, items);
    let (attr, ty) = parse::parse_literal_ast(text).map_err(fail)?;
    let ty = types::lower_type(&ty).map_err(|d| fail(vec![d]))?;
    let lit = literal::lower_literal(&attr, &ty, None).map_err(fail)?;
    literal::materialise(lit, &ty, attr.span).map_err(|d| fail(vec![d]))
}
pub mod onnx;
