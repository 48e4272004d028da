//! `test cat`: the canonical print of the file's module, kept in a trailing comment
//! block, and the print/parse round trip.

use crate::runner::Cx;
use xlac_ir::{print_module, Module};

/// The line that starts the expected block.
pub(crate) const MARKER: &str = "// ----- expected -----";

/// Returns `text` with its expected block replaced by the canonical print of the module
/// the text above the block parses to. Fails if it does not parse or the round trip
/// breaks.
pub(crate) fn run(cx: &Cx, text: &str) -> Result<String, String> {
    let input = match text.lines().position(|l| l.trim_end() == MARKER) {
        Some(n) => text.split_inclusive('\n').take(n).collect::<String>(),
        None => text.to_string(),
    };
    let module = cx.parse(&input)?;
    let printed = print_module(&module);
    check_round_trip(cx, &module, &printed)?;
    let mut out = input.trim_end().to_string();
    out.push_str("\n\n");
    out.push_str(MARKER);
    out.push('\n');
    for line in printed.lines() {
        if line.is_empty() {
            out.push_str("//\n");
        } else {
            out.push_str("// ");
            out.push_str(line);
            out.push('\n');
        }
    }
    Ok(out)
}

/// parse(print(m)) == m, and print(parse(print(m))) == print(m) byte for byte.
fn check_round_trip(cx: &Cx, module: &Module, printed: &str) -> Result<(), String> {
    let again = cx.parse(printed).map_err(|e| format!("the printed module does not parse:\n{e}\n{printed}"))?;
    if !same_module(&again, module) {
        return Err(format!(
            "parse(print(m)) != m\nprinted:\n{printed}\nm:\n{module:#?}\nparse(print(m)):\n{again:#?}"
        ));
    }
    let reprinted = print_module(&again);
    if reprinted != printed {
        return Err(format!("printing is not stable:\n{}", crate::runner::diff(printed, &reprinted)));
    }
    Ok(())
}

/// Structural equality in which NaN equals NaN (as `Debug` prints both alike) but 0.0
/// and -0.0 differ.
fn same_module(a: &Module, b: &Module) -> bool {
    a == b || format!("{a:?}") == format!("{b:?}")
}
