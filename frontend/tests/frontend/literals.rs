//! `parse_tensor_literal`: `LITERAL : TYPE` to a tensor.

use xlac_frontend::parse_tensor_literal;
use xlac_ir::{Shape, Tensor, TensorData};

fn t(text: &str) -> Tensor {
    parse_tensor_literal(text).unwrap()
}

fn err(text: &str) -> (usize, usize, String) {
    let mut m = parse_tensor_literal(text).unwrap_err().messages();
    assert_eq!(m.len(), 1, "{m:?}");
    m.remove(0)
}

#[test]
fn dense_and_splat() {
    assert_eq!(
        t("[[1, 2], [3, 4.5]] : f32[2,2]"),
        Tensor::new(vec![2, 2], TensorData::F32(vec![1.0, 2.0, 3.0, 4.5])).unwrap()
    );
    assert_eq!(t("0.5 : f32[]"), Tensor::scalar_f32(0.5));
    assert_eq!(t("7 : i64[3]"), Tensor::new(vec![3], TensorData::I64(vec![7; 3])).unwrap());
    assert_eq!(t("[true, false] : bool[2]").data, TensorData::Bool(vec![true, false]));
    assert_eq!(t("[-2147483648] : i32[1]").data, TensorData::I32(vec![i32::MIN]));
    assert_eq!(t("[] : f64[0]").shape, Shape(vec![0]));
    let special = t("[inf, -inf, nan, 1e-45] : f32[4]");
    let TensorData::F32(v) = special.data else { panic!() };
    assert_eq!((v[0], v[1], v[2].is_nan(), v[3]), (f32::INFINITY, f32::NEG_INFINITY, true, 1e-45));
}

#[test]
fn literal_errors() {
    assert_eq!(err("[1, 2] : f32[3]"), (1, 1, "dimension 0 of f32[3] has 3 elements, but this list has 2".into()));
    assert_eq!(err("1.5 : i32[]"), (1, 1, "`1.5` is not an integer, as i32 needs".into()));
    assert_eq!(err("1 : bool[]"), (1, 1, "`1` is not a bool (`true` or `false`)".into()));
    assert_eq!(err("weight(\"w\") : f32[]"), (1, 1, "`weight(...)` is only allowed inside a module".into()));
    assert_eq!(err("0 : f32[1000000,1000000]"), (1, 1, "f32[1000000,1000000] is too large to materialise".into()));
    assert_eq!(err("0 f32[]"), (1, 3, "expected `:`, found `f32`".into()));
}
