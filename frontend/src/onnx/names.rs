//! ONNX names to xlac value names (`[A-Za-z0-9_.]+`).

/// Replaces every character outside `[A-Za-z0-9_.]` with `_`; an empty name becomes `v`.
pub(crate) fn sanitize(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '.' { c } else { '_' }).collect();
    if s.is_empty() {
        "v".to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn sanitizes() {
        assert_eq!(sanitize("input:0"), "input_0");
        assert_eq!(sanitize("a.b/c-d"), "a.b_c_d");
        assert_eq!(sanitize(""), "v");
    }
}
