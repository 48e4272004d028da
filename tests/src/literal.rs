//! Tensors printed in the IR's literal syntax, as `test run` expectations are written.

use xlac_ir::Tensor;
pub use xlac_ir::{format_element, format_tensor_literal as format_tensor};

/// `LITERAL : TYPE`, the form of `// run:` arguments and `// expect:` lines, which
/// `xlac_frontend::parse_tensor_literal` reads back.
pub fn format_typed_literal(t: &Tensor) -> String {
    format!("{} : {}", format_tensor(t), t.ty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use xlac_ir::TensorData;

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
