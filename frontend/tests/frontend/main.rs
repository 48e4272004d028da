//! Tests of the `.ir` frontend through its public API: text in, module or diagnostics out.

mod errors;
mod literals;
mod roundtrip;
mod weights;

use xlac_frontend::parse_module;

/// `(line, column, message)` of every error `text` produces; panics if it parses.
pub fn errors_of(text: &str) -> Vec<(usize, usize, String)> {
    match parse_module("t.ir", text, None) {
        Ok(m) => panic!("expected errors, parsed {m:?}"),
        Err(d) => {
            let rendered = d.render(false);
            assert!(rendered.contains("t.ir:"), "{rendered}");
            d.messages()
        }
    }
}

/// The single error of `text`.
pub fn error_of(text: &str) -> (usize, usize, String) {
    let mut errs = errors_of(text);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    errs.remove(0)
}
