//! The lexer: `logos` tokens turned into the `(start, Tok, end)` triples the generated
//! parser reads. Lexing is a separate pass over the whole text so that every bad
//! character is reported, and so that bracket nesting is capped before parsing.

use crate::ast::Span;
use crate::diag::Diagnostic;
use logos::Logos;

/// Deepest `[` nesting accepted: deeper input is refused before it reaches the parser,
/// so no later recursive step (lowering, dropping the tree) can overflow the stack.
pub const MAX_NESTING: usize = 64;

/// A token with the source text it carries.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Tok<'a> {
    /// `func`.
    Func,
    /// `return`.
    Return,
    /// `weights`.
    Weights,
    /// `%name`.
    Value(&'a str),
    /// `@name`.
    FuncName(&'a str),
    /// Identifier.
    Ident(&'a str),
    /// Integer.
    Int(&'a str),
    /// Float (including `-inf`).
    Float(&'a str),
    /// String, with its quotes and escapes.
    Str(&'a str),
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `[`.
    LBracket,
    /// `]`.
    RBracket,
    /// `{`.
    LBrace,
    /// `}`.
    RBrace,
    /// `,`.
    Comma,
    /// `:`.
    Colon,
    /// `=`.
    Eq,
    /// `->`.
    Arrow,
}

#[derive(Logos, Copy, Clone, Debug, PartialEq)]
#[logos(skip r"[ \t\r\n\f]+")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
enum Raw {
    #[token("func")]
    Func,
    #[token("return")]
    Return,
    #[token("weights")]
    Weights,
    #[regex(r"%[A-Za-z0-9_.]+")]
    Value,
    #[regex(r"@[A-Za-z_][A-Za-z0-9_.]*")]
    FuncName,
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Ident,
    #[regex(r"-?[0-9]+")]
    Int,
    #[regex(r"-?[0-9]+\.[0-9]+([eE][+-]?[0-9]+)?|-?[0-9]+[eE][+-]?[0-9]+|-inf")]
    Float,
    #[regex(r#""([^"\\]|\\[^\n])*""#)]
    Str,
    #[regex(r#""([^"\\]|\\[^\n])*"#)]
    Unterminated,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token("=")]
    Eq,
    #[token("->")]
    Arrow,
}

/// Splits `text` into tokens, or reports every character that starts no token, every
/// unterminated string, and the first place nesting exceeds [`MAX_NESTING`].
pub fn lex(text: &str) -> Result<Vec<(usize, Tok<'_>, usize)>, Vec<Diagnostic>> {
    let mut tokens = Vec::new();
    let mut errors = Vec::new();
    let mut depth = 0usize;
    let mut lexer = Raw::lexer(text);
    while let Some(raw) = lexer.next() {
        let range = lexer.span();
        let span = Span::new(range.start, range.end);
        let slice = lexer.slice();
        let tok = match raw {
            Ok(Raw::Unterminated) => {
                errors.push(Diagnostic::new(span, "unterminated string").label("the string starts here"));
                continue;
            }
            Ok(raw) => convert(raw, slice),
            Err(()) => {
                let shown = slice.chars().next().map(|c| format!("{c:?}")).unwrap_or_default();
                errors.push(Diagnostic::new(span, format!("unexpected character {shown}")));
                continue;
            }
        };
        match tok {
            Tok::LBracket => {
                depth += 1;
                if depth == MAX_NESTING + 1 {
                    errors.push(Diagnostic::new(span, format!("lists nest deeper than {MAX_NESTING} levels")));
                }
            }
            Tok::RBracket => depth = depth.saturating_sub(1),
            _ => {}
        }
        tokens.push((span.start, tok, span.end));
    }
    if errors.is_empty() {
        Ok(tokens)
    } else {
        Err(errors)
    }
}

fn convert(raw: Raw, s: &str) -> Tok<'_> {
    match raw {
        Raw::Func => Tok::Func,
        Raw::Return => Tok::Return,
        Raw::Weights => Tok::Weights,
        Raw::Value => Tok::Value(s),
        Raw::FuncName => Tok::FuncName(s),
        Raw::Ident => Tok::Ident(s),
        Raw::Int => Tok::Int(s),
        Raw::Float => Tok::Float(s),
        Raw::Str | Raw::Unterminated => Tok::Str(s),
        Raw::LParen => Tok::LParen,
        Raw::RParen => Tok::RParen,
        Raw::LBracket => Tok::LBracket,
        Raw::RBracket => Tok::RBracket,
        Raw::LBrace => Tok::LBrace,
        Raw::RBrace => Tok::RBrace,
        Raw::Comma => Tok::Comma,
        Raw::Colon => Tok::Colon,
        Raw::Eq => Tok::Eq,
        Raw::Arrow => Tok::Arrow,
    }
}

/// The contents of a string token (quotes included) with `\"` and `\\` unescaped.
/// Any other escape is an error naming it.
pub fn unescape(token: &str) -> Result<String, String> {
    let inner = token.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(token);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(e @ ('"' | '\\')) => out.push(e),
            Some(e) => return Err(format!("unknown escape `\\{e}` (only `\\\"` and `\\\\` are allowed)")),
            None => return Err("string ends with a lone `\\`".into()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Tok<'_>> {
        lex(text).unwrap().into_iter().map(|(_, t, _)| t).collect()
    }

    #[test]
    fn tokens() {
        assert_eq!(
            toks("%h.1 = add @f.x, -1, 2.5e-3, 1e5, -inf, nan // c\n\"a\\\"b\" -> funcs"),
            vec![
                Tok::Value("%h.1"),
                Tok::Eq,
                Tok::Ident("add"),
                Tok::FuncName("@f.x"),
                Tok::Comma,
                Tok::Int("-1"),
                Tok::Comma,
                Tok::Float("2.5e-3"),
                Tok::Comma,
                Tok::Float("1e5"),
                Tok::Comma,
                Tok::Float("-inf"),
                Tok::Comma,
                Tok::Ident("nan"),
                Tok::Str("\"a\\\"b\""),
                Tok::Arrow,
                Tok::Ident("funcs"),
            ]
        );
    }

    #[test]
    fn errors() {
        let errs = lex("a $ b\n\"open").unwrap_err();
        let msgs: Vec<_> = errs.iter().map(|e| (e.span, e.message.as_str())).collect();
        assert_eq!(
            msgs,
            vec![(Span::new(2, 3), "unexpected character '$'"), (Span::new(6, 11), "unterminated string")]
        );
    }

    #[test]
    fn nesting_is_capped() {
        let deep = "[".repeat(100_000);
        let errs = lex(&deep).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].span, Span::new(MAX_NESTING, MAX_NESTING + 1));
    }

    #[test]
    fn unescapes() {
        assert_eq!(unescape(r#""a\"b\\c""#).unwrap(), "a\"b\\c");
        assert!(unescape(r#""a\nb""#).is_err());
    }
}
