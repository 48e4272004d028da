//! Bad input gives diagnostics at the right line and column.

use super::{error_of, errors_of};

fn e(line: usize, col: usize, msg: &str) -> (usize, usize, String) {
    (line, col, msg.to_string())
}

#[test]
fn unknown_op_suggests_the_closest() {
    let text = "func @f(%x: f32[]) -> f32[] {\n  %y = mull %x, %x : f32[]\n  return %y\n}\n";
    assert_eq!(error_of(text), e(2, 8, "unknown op `mull`; did you mean `mul`?"));
    let text = text.replace("mull", "frobnicate");
    assert_eq!(error_of(&text), e(2, 8, "unknown op `frobnicate`"));
}

#[test]
fn undefined_value_at_its_use() {
    let text = "func @f(%x: f32[]) -> f32[] {\n  %y = add %x, %zz : f32[]\n  return %y\n}\n";
    assert_eq!(error_of(text), e(2, 16, "use of undefined value `%zz`"));
}

#[test]
fn several_errors_are_collected() {
    let text = "func @f(%x: f32[]) -> f32[] {\n  %y = add %x, %a : f32[]\n  %x = neg %y : f32[]\n  \
                %z = reduce %y, kind=avg, dims=[0] : f32[]\n  return %b\n}\n";
    assert_eq!(
        errors_of(text),
        vec![
            e(2, 16, "use of undefined value `%a`"),
            e(3, 3, "`%x` is defined twice"),
            e(4, 24, "`avg` is not a valid `kind`"),
            e(5, 10, "use of undefined value `%b`"),
        ]
    );
}

#[test]
fn verifier_errors_point_at_the_op() {
    let text = "func @f(%x: f32[]) -> f32[] {\n  %y = add %x, %x : f32[2]\n  return %x\n}\n";
    assert_eq!(error_of(text), e(2, 3, "%y = add: result type is declared f32[2] but the op produces f32[]"));
    let text = "func @f(%x: f32[]) -> i32[] {\n  %y = neg %x : f32[]\n  return %y\n}\n";
    assert_eq!(error_of(text), e(3, 3, "@f: returned value 0 (%y) is f32[] but the signature declares i32[]"));
    let text = "func @f(%x: f32[]) -> f32[] {\n  %y = transpose %x : f32[]\n  return %y\n}\n";
    assert_eq!(error_of(text), e(2, 3, "%y = transpose: missing required attribute `perm`"));
}

#[test]
fn bad_literals() {
    let op = |lit: &str| format!("func @f() -> f32[2] {{\n  %c = constant value={lit}\n  return %c\n}}\n");
    assert_eq!(
        error_of(&op("[1, 2, 3] : f32[2]")),
        e(2, 23, "dimension 0 of f32[2] has 2 elements, but this list has 3")
    );
    assert_eq!(error_of(&op("[[1], [2]] : f32[2]")), e(2, 24, "expected a number, found a list"));
    let text = op("3000000000 : i32[]").replace("f32[2]", "i32[]");
    assert_eq!(error_of(&text), e(2, 23, "`3000000000` does not fit i32"));
    assert_eq!(error_of(&op("[1e39, 0] : f32[2]")), e(2, 24, "`1e39` does not fit f32"));
    assert_eq!(error_of(&op("[1, true] : f32[2]")), e(2, 27, "`true` is not a number, as f32 needs"));
}

#[test]
fn attribute_errors() {
    let text = "func @f(%x: f32[2]) -> f32[2] {\n  %y = reverse %x, dim=[0] : f32[2]\n  return %y\n}\n";
    assert_eq!(error_of(text), e(2, 20, "`reverse` has no attribute `dim`; did you mean `dims`?"));
    let text = "func @f(%x: f32[2]) -> f32[2] {\n  %y = reverse %x, dims=0 : f32[2]\n  return %y\n}\n";
    assert_eq!(error_of(text), e(2, 25, "attribute `dims` must be a list of integers like [0,1]"));
    let text = "func @f(%x: f32[2]) -> f32[2] {\n  %y = neg %x, dims=[0] : f32[2]\n  return %y\n}\n";
    assert_eq!(error_of(text), e(2, 16, "`neg` takes no attributes, found `dims`"));
}

#[test]
fn result_count_and_types() {
    let text = "func @f(%x: f32[2]) -> f32[2] {\n  %y, %z = neg %x : f32[2]\n  return %y\n}\n";
    assert_eq!(error_of(text), e(2, 21, "2 result names but 1 declared types"));
    let text = "func @f(%x: f16[2]) -> f32[2] {\n  return %x\n}\n";
    assert_eq!(error_of(text), e(1, 13, "unknown dtype `f16`"));
    let text = text.replace("f16", "fp32");
    assert_eq!(error_of(&text), e(1, 13, "unknown dtype `fp32`; did you mean `f32`?"));
    let text = "func @f(%x: f32[99999999999,99999999999]) -> f32[2] {\n  return %x\n}\n";
    assert_eq!(error_of(text), e(1, 13, "type is too large"));
}

#[test]
fn syntax_errors() {
    assert_eq!(error_of("weights \"abc\nfunc"), e(1, 9, "unterminated string"));
    let text = "func @f(%x: f32[]) -> f32[] {\n  %y = neg %x : f32[]\n}\n";
    assert_eq!(error_of(text), e(3, 1, "expected `return`, a value name like `%x` or `,`, found `}`"));
    let text = "func @f(%x: f32[]) -> f32[] {\n  %y = neg %x : f32[]\n  return %y\n";
    assert_eq!(error_of(text), e(3, 12, "expected `}` or `,`, found end of file"));
    assert_eq!(error_of("func @f(%x: f32[]) -> f32[] { $ }"), e(1, 31, "unexpected character '$'"));
    let deep = format!("func @f() -> f32[] {{\n  %c = constant value={}", "[".repeat(1000));
    assert_eq!(error_of(&deep), e(2, 87, "lists nest deeper than 64 levels"));
}

#[test]
fn invalid_utf8_file_is_an_error() {
    let path = std::env::temp_dir().join(format!("xlac-frontend-utf8-{}.ir", std::process::id()));
    std::fs::write(&path, b"func @f(%x: f32[]) -> f32[] {\n  return %x \xff\n}\n").unwrap();
    let err = xlac_frontend::load_module(&path).unwrap_err();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(err.messages(), vec![e(2, 13, "the file is not valid UTF-8")]);
    let missing = xlac_frontend::load_module(std::path::Path::new("/nonexistent/x.ir")).unwrap_err();
    assert!(missing.render(false).contains("cannot read `/nonexistent/x.ir`"), "{missing}");
}

#[test]
fn renders_like_rustc() {
    let text = "func @f(%x: f32[]) -> f32[] {\n  %y = mull %x, %x : f32[]\n  %x = neg %y : f32[]\n  return %y\n}\n";
    let d = xlac_frontend::parse_module("t.ir", text, None).unwrap_err();
    assert_eq!(d.len(), 2);
    let expected = "\
error: unknown op `mull`; did you mean `mul`?
  --> t.ir:2:8
  |
2 |   %y = mull %x, %x : f32[]
  |        ^^^^

error: `%x` is defined twice
  --> t.ir:3:3
  |
3 |   %x = neg %y : f32[]
  |   ^^ redefined here
  |
  = first defined on line 1

";
    assert_eq!(d.to_string(), expected);
    assert!(d.render(true).contains("\x1b["));
}
