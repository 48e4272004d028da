//! The runtime's array math called directly: the division by a scalar with and without
//! streaming stores (every start alignment and tail), the row folds, and the mapped
//! functions against their in-place forms.

use xlac_runtime::vmath::{
    apply, xlac_rt_vdivs_f32, xlac_rt_vmap_f32, xlac_rt_vreduce_f32, Fold, VecFn, MAP_ADD, MAP_MUL, MAP_SQUARE, MAP_SUB,
};

/// The argument the mapped entry points compute, written out here as the reference:
/// `v · a` (with `MAP_MUL`), then `+ b` (`MAP_ADD`) or `- b` (`MAP_SUB`), then squared
/// (`MAP_SQUARE`).
fn argument(v: f32, mode: u32, a: f32, b: f32) -> f32 {
    let t = if mode & MAP_MUL != 0 { v * a } else { v };
    let t = if mode & MAP_ADD != 0 {
        t + b
    } else if mode & MAP_SUB != 0 {
        t - b
    } else {
        t
    };
    if mode & MAP_SQUARE != 0 {
        t * t
    } else {
        t
    }
}

fn data(n: usize) -> Vec<f32> {
    (0..n).map(|i| ((i * 7919 % 1013) as f32 - 506.0) * 0.37).collect()
}

#[test]
fn division_by_a_scalar_streams_or_not_with_the_bits_of_divss() {
    let src = data(300);
    for stream in [false, true] {
        // `total` decides streaming: 0 never streams, usize::MAX always does.
        let total = if stream { usize::MAX } else { 0 };
        for start in 0..8 {
            for n in [0, 1, 7, 8, 9, 31, 64, 200] {
                let mut dst = vec![f32::NAN; start + n + 3];
                // SAFETY: src holds n floats, dst start + n.
                unsafe { xlac_rt_vdivs_f32(src.as_ptr(), dst.as_mut_ptr().add(start), n, 3.7, total) };
                for i in 0..n {
                    let want = src[i] / 3.7;
                    assert_eq!(dst[start + i].to_bits(), want.to_bits(), "stream={stream} start={start} n={n} i={i}");
                }
                assert!(dst[..start].iter().chain(&dst[start + n..]).all(|v| v.is_nan()), "wrote outside the row");
            }
        }
    }
}

#[test]
fn folds_match_a_sequential_fold() {
    for n in [1, 7, 8, 33, 64, 100, 1000] {
        let x = data(n);
        let get = |fold: Fold| unsafe { xlac_rt_vreduce_f32(x.as_ptr(), n, fold as u32, 0, 1.0, 0.0) };
        let sum: f64 = x.iter().map(|&v| v as f64).sum();
        assert!((get(Fold::Sum) as f64 - sum).abs() <= 1e-5 * x.iter().map(|v| v.abs() as f64).sum::<f64>());
        assert_eq!(get(Fold::Max), x.iter().copied().fold(f32::NEG_INFINITY, f32::max));
        assert_eq!(get(Fold::Min), x.iter().copied().fold(f32::INFINITY, f32::min));
        for at in [0, n / 2, n - 1] {
            let mut y = x.clone();
            y[at] = f32::NAN;
            for fold in [Fold::Max, Fold::Min, Fold::Sum] {
                // SAFETY: y holds n floats.
                assert!(
                    unsafe { xlac_rt_vreduce_f32(y.as_ptr(), n, fold as u32, 0, 1.0, 0.0) }.is_nan(),
                    "{fold:?} n={n} at={at}"
                );
            }
        }
    }
    // SAFETY: no element is read.
    unsafe {
        assert_eq!(xlac_rt_vreduce_f32(std::ptr::null(), 0, Fold::Sum as u32, 0, 1.0, 0.0), 0.0);
        assert_eq!(xlac_rt_vreduce_f32(std::ptr::null(), 0, Fold::Max as u32, 0, 1.0, 0.0), f32::NEG_INFINITY);
    }
}

#[test]
fn folds_of_a_scaled_shifted_row_fold_the_mapped_values() {
    for n in [1, 9, 40, 333] {
        let x = data(n);
        for mode in [MAP_MUL, MAP_SUB, MAP_MUL | MAP_ADD, MAP_SQUARE, MAP_SUB | MAP_SQUARE] {
            let t: Vec<f32> = x.iter().map(|&v| argument(v, mode, 0.125, 3.0)).collect();
            // SAFETY: x holds n floats.
            let max = unsafe { xlac_rt_vreduce_f32(x.as_ptr(), n, Fold::Max as u32, mode, 0.125, 3.0) };
            assert_eq!(max, t.iter().copied().fold(f32::NEG_INFINITY, f32::max), "mode={mode} n={n}");
            // SAFETY: as above.
            let sum = unsafe { xlac_rt_vreduce_f32(x.as_ptr(), n, Fold::Sum as u32, mode, 0.125, 3.0) };
            let want: f64 = t.iter().map(|&v| v as f64).sum();
            assert!(
                (sum as f64 - want).abs() <= 1e-5 * t.iter().map(|v| v.abs() as f64).sum::<f64>(),
                "mode={mode} n={n}"
            );
        }
    }
}

#[test]
fn mapped_functions_equal_the_argument_then_the_function() {
    let (a, b) = (0.125f32, 1.75f32);
    for f in VecFn::ALL {
        for mode in [
            0,
            MAP_MUL,
            MAP_ADD,
            MAP_SUB,
            MAP_MUL | MAP_ADD,
            MAP_MUL | MAP_SUB,
            MAP_SQUARE,
            MAP_MUL | MAP_SUB | MAP_SQUARE,
        ] {
            for n in [1, 8, 13, 100] {
                let x = data(n);
                let mut want: Vec<f32> = x.iter().map(|&v| argument(v, mode, a, b)).collect();
                apply(f, &mut want);
                let mut got = vec![0f32; n];
                // SAFETY: x and got hold n floats.
                let sum = unsafe { xlac_rt_vmap_f32(x.as_ptr(), got.as_mut_ptr(), n, f.code(), mode, a, b) };
                for i in 0..n {
                    assert_eq!(got[i].to_bits(), want[i].to_bits(), "{f:?} mode={mode} n={n} i={i}");
                }
                // The sum of what it wrote, to a few ulps of the row's size (infinite
                // when an `exp` overflowed).
                let exact: f64 = want.iter().map(|&v| v as f64).sum();
                let scale: f64 = want.iter().map(|&v| (v as f64).abs()).sum();
                let close =
                    if exact.is_finite() { (sum as f64 - exact).abs() <= 1e-6 * scale } else { sum as f64 == exact };
                assert!(close, "{f:?} mode={mode} n={n}: sum {sum} vs {exact}");
            }
        }
    }
}
