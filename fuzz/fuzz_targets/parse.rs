//! Fuzzes the `.ir` parser: arbitrary bytes (as lossy UTF-8) must parse to a module or to
//! diagnostics with positions, never panic; a module that parses must print to text
//! that parses and prints back to the same bytes. Also fuzzes `parse_tensor_literal`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // A directory that does not exist, so inputs cannot make the parser read files.
    let base = Path::new("/nonexistent-xlac-fuzz");
    match xlac_frontend::parse_module("fuzz.ir", &text, Some(base)) {
        Ok(m) => {
            let printed = xlac_ir::print_module(&m);
            let again = xlac_frontend::parse_module("printed.ir", &printed, Some(base))
                .unwrap_or_else(|d| panic!("printed module does not parse:\n{d}\n{printed}"));
            assert_eq!(xlac_ir::print_module(&again), printed);
        }
        Err(d) => {
            assert!(!d.messages().is_empty());
            assert!(d.render(false).contains("--> fuzz.ir:"));
        }
    }
    if let Err(d) = xlac_frontend::parse_tensor_literal(&text) {
        assert!(!d.render(false).is_empty());
    }
});
