//! `test verify`: the file has errors, and every reported error is annotated as a
//! `// error: MESSAGE` line directly below the line it is reported on.

use crate::runner::Cx;

const ANNOTATION: &str = "// error:";

/// One reported or expected error: the line (1-based, in the file without its
/// annotation lines) and the message.
type Expected = (usize, String);

/// Returns `text` with its `// error:` annotations replaced by the errors the parser
/// and verifier report. Fails if the file has no error at all.
pub(crate) fn run(cx: &Cx, text: &str) -> Result<String, String> {
    let (code, expected) = split_annotations(text);
    let stripped: String = code.iter().map(|l| format!("{l}\n")).collect();
    let diagnostics = match cx.parse_diagnostics(&stripped) {
        Some(d) => d,
        None => return Err("expected errors, but the file parses and verifies cleanly".into()),
    };
    let last = code.len().max(1);
    let mut reported: Vec<Expected> =
        diagnostics.into_iter().map(|(line, _col, msg)| (line.clamp(1, last), one_line(&msg))).collect();
    let mut want = expected.clone();
    want.sort();
    let mut got = reported.clone();
    got.sort();
    if want == got {
        return Ok(text.to_string());
    }
    reported.sort_by_key(|(line, _)| *line);
    Ok(annotate(&code, &reported))
}

/// The lines that are not annotations, and the annotations, each attached to the
/// nearest preceding non-annotation line.
fn split_annotations(text: &str) -> (Vec<&str>, Vec<Expected>) {
    let mut code = Vec::new();
    let mut expected = Vec::new();
    for line in text.lines() {
        match line.trim_start().strip_prefix(ANNOTATION) {
            Some(msg) => expected.push((code.len().max(1), msg.trim().to_string())),
            None => code.push(line),
        }
    }
    (code, expected)
}

/// `code` with one annotation line per error below its line, indented like that line.
fn annotate(code: &[&str], errors: &[Expected]) -> String {
    let mut out = String::new();
    for (i, line) in code.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        let indent = &line[..line.len() - line.trim_start().len()];
        for (_, msg) in errors.iter().filter(|(l, _)| *l == i + 1) {
            out.push_str(&format!("{indent}{ANNOTATION} {msg}\n"));
        }
    }
    out
}

fn one_line(msg: &str) -> String {
    msg.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_attach_to_the_line_above() {
        let text = "a\nb\n  // error: one\n  // error: two\nc\n";
        let (code, expected) = split_annotations(text);
        assert_eq!(code, vec!["a", "b", "c"]);
        assert_eq!(expected, vec![(2, "one".to_string()), (2, "two".to_string())]);
        assert_eq!(annotate(&code, &expected), "a\nb\n// error: one\n// error: two\nc\n");
    }
}
