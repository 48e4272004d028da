//! Diagnostics: errors with a span, rendered like rustc by `codespan-reporting`.

use crate::ast::Span;
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::{Files, SimpleFile};
use codespan_reporting::term::{self, termcolor, Chars, Config};
use std::fmt;

/// A named source text: a module file, or a literal given on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// Shown in diagnostics (usually the path).
    pub name: String,
    /// The whole text.
    pub text: String,
}

/// One error: a message, where, and optional detail.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Where the error is.
    pub span: Span,
    /// The headline.
    pub message: String,
    /// Text under the caret.
    pub label: Option<String>,
    /// `= note:` lines.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn new(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { span, message: message.into(), label: None, notes: Vec::new() }
    }

    /// Sets the text under the caret.
    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }
}

/// The errors found in one source file, in source order of discovery. Never empty.
///
/// `Display` gives the plain (uncolored) rendering; [`Diagnostics::render`] can color it.
#[derive(Clone, PartialEq)]
pub struct Diagnostics {
    file: SourceFile,
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Diagnostics over `file`; spans are clamped to the text and to char boundaries.
    pub(crate) fn new(file: SourceFile, items: Vec<Diagnostic>) -> Diagnostics {
        let items = items
            .into_iter()
            .map(|mut d| {
                let start = floor_boundary(&file.text, d.span.start);
                let end = floor_boundary(&file.text, d.span.end).max(start);
                d.span = Span::new(start, end);
                d
            })
            .collect();
        Diagnostics { file, items }
    }

    /// One error about a whole file (or about something that has no source text),
    /// reported at line 1, column 1 of `text`.
    pub fn from_message(name: &str, text: &str, message: impl Into<String>) -> Diagnostics {
        Diagnostics::new(
            SourceFile { name: name.to_string(), text: text.to_string() },
            vec![Diagnostic::new(Span::default(), message)],
        )
    }

    /// The source the spans refer to.
    pub fn source(&self) -> &SourceFile {
        &self.file
    }

    /// Number of errors.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there are no errors (never, for diagnostics returned by this crate).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// `(line, column, message)` of every error; line and column are 1-based, the
    /// column counts characters.
    pub fn messages(&self) -> Vec<(usize, usize, String)> {
        let file = self.simple_file();
        self.items
            .iter()
            .map(|d| {
                let (line, col) = match file.location((), d.span.start) {
                    Ok(loc) => (loc.line_number, loc.column_number),
                    Err(_) => (1, 1),
                };
                (line, col, d.message.clone())
            })
            .collect()
    }

    /// Renders every error like rustc: `error: message`, `--> file:line:col`, the source
    /// line with the span underlined, and notes. `color` adds ANSI colors.
    pub fn render(&self, color: bool) -> String {
        let file = self.simple_file();
        let config = Config { chars: Chars::ascii(), ..Config::default() };
        let mut out = String::new();
        for d in &self.items {
            let mut label = Label::primary((), d.span.start..d.span.end);
            if let Some(text) = &d.label {
                label = label.with_message(text.clone());
            }
            let cs = CsDiagnostic::error()
                .with_message(d.message.clone())
                .with_labels(vec![label])
                .with_notes(d.notes.clone());
            let rendered = if color {
                let mut buffer = termcolor::Buffer::ansi();
                term::emit_to_write_style(&mut buffer, &config, &file, &cs)
                    .ok()
                    .map(|()| String::from_utf8_lossy(buffer.as_slice()).into_owned())
            } else {
                term::emit_into_string(&config, &file, &cs).ok()
            };
            out.push_str(&rendered.unwrap_or_else(|| self.fallback(d)));
        }
        out
    }

    fn simple_file(&self) -> SimpleFile<&str, &str> {
        SimpleFile::new(self.file.name.as_str(), self.file.text.as_str())
    }

    fn fallback(&self, d: &Diagnostic) -> String {
        format!("error: {}\n  --> {}:{}\n", d.message, self.file.name, d.span.start)
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl fmt::Debug for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_plain_and_colored() {
        let file = SourceFile { name: "m.ir".into(), text: "ab\ncdé f\n".into() };
        let d = Diagnostics::new(file, vec![Diagnostic::new(Span::new(8, 9), "bad f").label("here")]);
        assert_eq!(d.messages(), vec![(2, 5, "bad f".to_string())]);
        let plain = d.render(false);
        assert!(plain.starts_with("error: bad f\n"), "{plain}");
        assert!(plain.contains("m.ir:2:5"), "{plain}");
        assert!(plain.contains("^ here"), "{plain}");
        assert!(!plain.contains('\x1b'));
        assert!(d.render(true).contains('\x1b'));
    }

    #[test]
    fn clamps_spans() {
        let file = SourceFile { name: "m".into(), text: "é".into() };
        let d = Diagnostics::new(file, vec![Diagnostic::new(Span::new(1, 99), "x")]);
        assert_eq!(d.messages(), vec![(1, 1, "x".to_string())]);
        assert!(d.render(false).contains("m:1:1"));
    }
}
