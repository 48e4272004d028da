//! Comparing run results with expectations, with a tolerance for floats.

use xlac_ir::{Tensor, TensorData};

/// Absolute part of the float tolerance.
const ATOL: f64 = 1e-5;
/// Relative part of the float tolerance.
const RTOL: f64 = 1e-5;

/// Whether `actual` is within `1e-5 + 1e-5 * |expected|` of `expected`; NaN equals NaN,
/// and infinities must match exactly.
pub fn values_close(actual: f64, expected: f64) -> bool {
    if actual.is_nan() || expected.is_nan() {
        return actual.is_nan() && expected.is_nan();
    }
    if actual.is_infinite() || expected.is_infinite() {
        return actual == expected;
    }
    (actual - expected).abs() <= ATOL + RTOL * expected.abs()
}

/// Checks that `actual` has `expected`'s dtype and shape and close elements: floats
/// within [`values_close`], integers and booleans exactly. The error names the first
/// differing element.
pub fn compare_tensors(actual: &Tensor, expected: &Tensor) -> Result<(), String> {
    if actual.ty() != expected.ty() {
        return Err(format!("type is {}, expected {}", actual.ty(), expected.ty()));
    }
    let float = matches!(expected.data, TensorData::F32(_) | TensorData::F64(_));
    for i in 0..expected.data.len() {
        let same = if float {
            values_close(actual.data.get_f64(i), expected.data.get_f64(i))
        } else {
            actual.data.get_i64(i) == expected.data.get_i64(i)
        };
        if !same {
            return Err(format!(
                "element {i} (index {:?}) is {}, expected {}",
                unravel(i, expected.shape.dims()),
                crate::format_element(&actual.data, i),
                crate::format_element(&expected.data, i)
            ));
        }
    }
    Ok(())
}

fn unravel(mut i: usize, dims: &[usize]) -> Vec<usize> {
    let mut index = vec![0; dims.len()];
    for (k, &d) in dims.iter().enumerate().rev() {
        index[k] = i % d.max(1);
        i /= d.max(1);
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance() {
        assert!(values_close(1.0 + 1e-6, 1.0));
        assert!(!values_close(1.001, 1.0));
        assert!(values_close(f64::NAN, f64::NAN));
        assert!(!values_close(f64::NAN, 0.0));
        assert!(values_close(f64::INFINITY, f64::INFINITY));
        assert!(!values_close(f64::INFINITY, f64::NEG_INFINITY));
        assert!(values_close(1e6 + 5.0, 1e6));
    }

    #[test]
    fn names_the_first_difference() {
        let a = Tensor::new(vec![2, 2], TensorData::I32(vec![1, 2, 3, 5])).unwrap();
        let b = Tensor::new(vec![2, 2], TensorData::I32(vec![1, 2, 3, 4])).unwrap();
        assert_eq!(compare_tensors(&a, &b).unwrap_err(), "element 3 (index [1, 1]) is 5, expected 4");
    }
}
