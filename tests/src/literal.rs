//! Tensors printed in the IR's literal syntax, as `test run` expectations are written.

use xlac_ir::{Tensor, TensorData};

/// Element `i` of `d` as the IR printer writes it: the shortest round-tripping decimal
/// for floats (always with a `.0` or an exponent), `nan`, `inf`, `-inf`, integers,
/// `true`/`false`.
pub fn format_element(d: &TensorData, i: usize) -> String {
    fn float(x: f64, text: String) -> String {
        if x.is_nan() {
            "nan".into()
        } else if x.is_infinite() {
            if x > 0.0 { "inf" } else { "-inf" }.into()
        } else {
            text
        }
    }
    match d {
        TensorData::F32(v) => float(v[i] as f64, format!("{:?}", v[i])),
        TensorData::F64(v) => float(v[i], format!("{:?}", v[i])),
        TensorData::I32(v) => v[i].to_string(),
        TensorData::I64(v) => v[i].to_string(),
        TensorData::Bool(v) => v[i].to_string(),
    }
}

/// The elements of `t` as a literal: a bare element for a scalar, otherwise lists
/// nested one level per dimension (`[[1.0, 2.0], [3.0, 4.0]]`; `[]` for an empty
/// dimension).
pub fn format_tensor(t: &Tensor) -> String {
    let mut out = String::new();
    let mut next = 0;
    nested(&mut out, &t.data, t.shape.dims(), &mut next);
    out
}

/// `LITERAL : TYPE`, the form of `// run:` arguments and `// expect:` lines, which
/// `xlac_frontend::parse_tensor_literal` reads back.
pub fn format_typed_literal(t: &Tensor) -> String {
    format!("{} : {}", format_tensor(t), t.ty())
}

fn nested(out: &mut String, d: &TensorData, dims: &[usize], next: &mut usize) {
    let Some((&n, rest)) = dims.split_first() else {
        if *next < d.len() {
            out.push_str(&format_element(d, *next));
        }
        *next += 1;
        return;
    };
    out.push('[');
    for i in 0..n {
        if i > 0 {
            out.push_str(", ");
        }
        nested(out, d, rest, next);
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_nested_lists_and_special_floats() {
        let t = Tensor::new(vec![2, 2], TensorData::F32(vec![1.0, -0.5, f32::NAN, f32::NEG_INFINITY])).unwrap();
        assert_eq!(format_typed_literal(&t), "[[1.0, -0.5], [nan, -inf]] : f32[2,2]");
        let s = Tensor::new(vec![], TensorData::F64(vec![1e-5])).unwrap();
        assert_eq!(format_typed_literal(&s), "1e-5 : f64[]");
        let b = Tensor::new(vec![3], TensorData::Bool(vec![true, false, true])).unwrap();
        assert_eq!(format_typed_literal(&b), "[true, false, true] : bool[3]");
        let e = Tensor::new(vec![2, 0], TensorData::I32(vec![])).unwrap();
        assert_eq!(format_typed_literal(&e), "[[], []] : i32[2,0]");
    }
}
