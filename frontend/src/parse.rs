//! Text to syntax tree: the lexer, then the generated LALR parser.

use crate::ast::{Attr, ModuleAst, Span, TypeAst};
use crate::diag::Diagnostic;
use crate::lexer::{lex, Tok};
use lalrpop_util::ParseError;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused, missing_docs)]
    grammar
);

/// Parses a whole module.
pub fn parse_module_ast(text: &str) -> Result<ModuleAst<'_>, Vec<Diagnostic>> {
    let tokens = lex(text)?;
    grammar::ModuleParser::new().parse(tokens).map_err(|e| vec![syntax_error(text, e)])
}

/// Parses `LITERAL : TYPE`.
pub fn parse_literal_ast(text: &str) -> Result<(Attr<'_>, TypeAst<'_>), Vec<Diagnostic>> {
    let tokens = lex(text)?;
    grammar::TensorLiteralParser::new().parse(tokens).map_err(|e| vec![syntax_error(text, e)])
}

fn syntax_error(text: &str, e: ParseError<usize, Tok<'_>, ()>) -> Diagnostic {
    match e {
        ParseError::UnrecognizedToken { token: (l, tok, r), expected } => {
            Diagnostic::new(Span::new(l, r), format!("expected {}, found {}", expected_list(&expected), describe(tok)))
                .label("unexpected token")
        }
        ParseError::UnrecognizedEof { location, expected } => {
            let at = last_token_end(text, location);
            Diagnostic::new(Span::new(at, at), format!("expected {}, found end of file", expected_list(&expected)))
        }
        ParseError::ExtraToken { token: (l, tok, r) } => {
            Diagnostic::new(Span::new(l, r), format!("unexpected {}", describe(tok)))
        }
        ParseError::InvalidToken { location } => Diagnostic::new(Span::new(location, location), "invalid token"),
        ParseError::User { error: () } => Diagnostic::new(Span::default(), "syntax error"),
    }
}

/// Where an end-of-file error points: just after the last non-blank text, so the caret
/// sits on a line with something on it.
fn last_token_end(text: &str, location: usize) -> usize {
    let upto = text.get(..location.min(text.len())).unwrap_or(text);
    upto.trim_end().len()
}

/// Readable names for the grammar's terminals, deduplicated, in a stable order.
fn expected_list(expected: &[String]) -> String {
    let mut names: Vec<&str> = expected
        .iter()
        .map(|t| match t.as_str() {
            "VALUE" => "a value name like `%x`",
            "FUNC" => "a function name like `@f`",
            "IDENT" => "an identifier",
            "INT" => "an integer",
            "FLOAT" => "a number",
            "STRING" => "a string",
            other => other,
        })
        .collect();
    names.dedup();
    let quoted: Vec<String> = names
        .iter()
        .map(|n| n.strip_prefix('"').and_then(|n| n.strip_suffix('"')).map_or(n.to_string(), |n| format!("`{n}`")))
        .collect();
    match quoted.as_slice() {
        [] => "something else".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn describe(tok: Tok<'_>) -> String {
    match tok {
        Tok::Value(s) | Tok::FuncName(s) | Tok::Ident(s) | Tok::Int(s) | Tok::Float(s) => format!("`{s}`"),
        Tok::Str(_) => "a string".into(),
        Tok::Func => "`func`".into(),
        Tok::Return => "`return`".into(),
        Tok::Weights => "`weights`".into(),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::LBrace => "`{`".into(),
        Tok::RBrace => "`}`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Colon => "`:`".into(),
        Tok::Eq => "`=`".into(),
        Tok::Arrow => "`->`".into(),
    }
}
