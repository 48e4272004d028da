//! The AVX2/FMA bodies of [`super`]'s functions, 8 lanes at a time. Each is the
//! compiler's inline vector routine (`xlac-codegen`'s `vmath::exp`) operation for
//! operation: the same constants, the same fused multiply-adds, the same branch-free
//! selects; only the width differs, so a value gives the same bits either way.

use std::arch::x86_64::*;

/// `log2(e)`.
const LOG2E: f32 = std::f64::consts::LOG2_E as f32;
/// `1.5 · 2^23`: adding it rounds to an integer kept in the low mantissa bits.
const MAGIC: f32 = 12_582_912.0;
/// Its bits.
const MAGIC_BITS: i32 = 0x4b40_0000;
/// `ln 2` in a high part with a short mantissa (`n · hi` is exact) and a low part.
const LN2_HI: f32 = 0.693_359_4;
#[allow(clippy::excessive_precision)]
const LN2_LO: f32 = -0.00021219444005469057_f64 as f32;
/// The minimax polynomial `P` of `exp`'s reduction (see the compiler's `vmath::exp`).
#[allow(clippy::excessive_precision)]
const P: [f32; 5] = [
    0.4999999701976776_f64 as f32,
    0.1666654348373413_f64 as f32,
    0.04166720062494278_f64 as f32,
    0.008366547524929047_f64 as f32,
    0.0013882515486329794_f64 as f32,
];

/// Which ends of `exp`'s argument range are clamped (those the argument can reach).
#[derive(Copy, Clone, PartialEq, Eq)]
enum Clamp {
    Both,
    Low,
    None,
}

#[inline(always)]
unsafe fn c(x: f32) -> __m256 {
    // SAFETY: AVX is enabled in every caller.
    unsafe { _mm256_set1_ps(x) }
}

/// `max(x, lo)` keeping a NaN `x`.
#[inline(always)]
unsafe fn max_keep_nan(x: __m256, lo: f32) -> __m256 {
    // SAFETY: AVX is enabled in every caller.
    unsafe {
        let l = c(lo);
        _mm256_blendv_ps(x, l, _mm256_cmp_ps::<_CMP_LT_OQ>(x, l))
    }
}

/// `min(x, hi)` keeping a NaN `x`.
#[inline(always)]
unsafe fn min_keep_nan(x: __m256, hi: f32) -> __m256 {
    // SAFETY: AVX is enabled in every caller.
    unsafe {
        let h = c(hi);
        _mm256_blendv_ps(x, h, _mm256_cmp_ps::<_CMP_LT_OQ>(h, x))
    }
}

/// `2^(n + k)` for integer lanes `n` with `n + k` in the normal exponent range.
#[inline(always)]
unsafe fn pow2i_plus(n: __m256i, k: i32) -> __m256 {
    // SAFETY: AVX2 is enabled in every caller.
    unsafe { _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_add_epi32(n, _mm256_set1_epi32(127 + k)))) }
}

/// `exp(x) = 2^n (1 + p)`: the reduction of `x` (clamped per `clamp`).
#[inline(always)]
unsafe fn exp_parts(x: __m256, clamp: Clamp) -> (__m256i, __m256) {
    // SAFETY: AVX2 and FMA are enabled in every caller.
    unsafe {
        let x = if clamp == Clamp::None { x } else { max_keep_nan(x, -104.0) };
        let x = if clamp == Clamp::Both { min_keep_nan(x, 89.0) } else { x };
        let magic = c(MAGIC);
        let t = _mm256_fmadd_ps(x, c(LOG2E), magic);
        let nf = _mm256_sub_ps(t, magic);
        let n = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(MAGIC_BITS));
        let neg_n = _mm256_xor_ps(nf, c(-0.0));
        let r = _mm256_fmadd_ps(neg_n, c(LN2_HI), x);
        let r = _mm256_fmadd_ps(neg_n, c(LN2_LO), r);
        let mut q = c(P[4]);
        for &k in P[..4].iter().rev() {
            q = _mm256_fmadd_ps(q, r, c(k));
        }
        let r2 = _mm256_mul_ps(r, r);
        (n, _mm256_fmadd_ps(r2, q, r))
    }
}

/// `exp(x)`; lanes outside `|x| < 86` take the clamped path with a two-step `2^n`.
#[inline(always)]
unsafe fn exp(x: __m256) -> __m256 {
    // SAFETY: AVX2 and FMA are enabled in every caller.
    unsafe {
        let a = _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(i32::MAX)));
        let outside = _mm256_cmp_ps::<_CMP_NLT_UQ>(a, c(86.0));
        if _mm256_movemask_ps(outside) == 0 {
            let (n, p) = exp_parts(x, Clamp::None);
            let m = _mm256_add_ps(p, c(1.0));
            let e = _mm256_slli_epi32::<23>(n);
            return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(m), e));
        }
        let (n, p) = exp_parts(x, Clamp::Both);
        let m = _mm256_add_ps(p, c(1.0));
        let n1 = _mm256_srai_epi32::<1>(n);
        let n2 = _mm256_sub_epi32(n, n1);
        _mm256_mul_ps(_mm256_mul_ps(m, pow2i_plus(n1, 0)), pow2i_plus(n2, 0))
    }
}

/// `tanh(x) = sign(x) |u / (2 + u)|`, `u = expm1(-2 min(|x|, 10))`.
#[inline(always)]
unsafe fn tanh(x: __m256) -> __m256 {
    // SAFETY: AVX2 and FMA are enabled in every caller.
    unsafe {
        let a = _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(i32::MAX)));
        let a = min_keep_nan(a, 10.0);
        let a2 = _mm256_mul_ps(a, c(-2.0));
        let (n, p) = exp_parts(a2, Clamp::None);
        let s = pow2i_plus(n, 0);
        let u = _mm256_fmadd_ps(s, p, _mm256_sub_ps(s, c(1.0)));
        let t = _mm256_div_ps(u, _mm256_add_ps(u, c(2.0)));
        let t = _mm256_and_ps(t, _mm256_castsi256_ps(_mm256_set1_epi32(i32::MAX)));
        _mm256_or_ps(t, _mm256_and_ps(x, c(-0.0)))
    }
}

/// `logistic(x) = num / (1 + e)`, `e = exp(-|x|)`, `num = e` for `x < 0`, else 1.
#[inline(always)]
unsafe fn logistic(x: __m256) -> __m256 {
    // SAFETY: AVX2 and FMA are enabled in every caller.
    unsafe {
        let na = _mm256_or_ps(x, c(-0.0));
        let (n, p) = exp_parts(na, Clamp::Low);
        let m = _mm256_add_ps(p, c(1.0));
        let e = _mm256_mul_ps(_mm256_mul_ps(m, pow2i_plus(n, 64)), c(2f32.powi(-64)));
        let one = c(1.0);
        let d = _mm256_add_ps(one, e);
        let num = _mm256_blendv_ps(one, e, _mm256_cmp_ps::<_CMP_LT_OQ>(x, _mm256_setzero_ps()));
        _mm256_div_ps(num, d)
    }
}

/// `(x · a) ± b`, squared, per the bits of `MODE` (see `xlac_rt_vmap_f32`).
#[inline(always)]
unsafe fn map_arg<const MODE: u32>(x: __m256, a: __m256, b: __m256) -> __m256 {
    use super::{MAP_ADD, MAP_MUL, MAP_SQUARE, MAP_SUB};
    // SAFETY: AVX is enabled in every caller.
    unsafe {
        let t = if MODE & MAP_MUL != 0 { _mm256_mul_ps(x, a) } else { x };
        let t = if MODE & MAP_ADD != 0 {
            _mm256_add_ps(t, b)
        } else if MODE & MAP_SUB != 0 {
            _mm256_sub_ps(t, b)
        } else {
            t
        };
        if MODE & MAP_SQUARE != 0 {
            _mm256_mul_ps(t, t)
        } else {
            t
        }
    }
}

/// Evaluates `$body` with `$m` a `const` equal to the four mode bits of `$mode`, so a
/// loop's argument ops are chosen once per call rather than tested per vector.
macro_rules! with_mode {
    ($mode:expr, $m:ident => $body:expr) => {
        with_mode!(@arms $mode, $m, $body, 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
    };
    (@arms $mode:expr, $m:ident, $body:expr, $($v:literal)*) => {
        match $mode & 15 {
            $($v => {
                const $m: u32 = $v;
                $body
            })*
            _ => unreachable!("four bits"),
        }
    };
}

/// `dst[i] = f((src[i] · a) ± b)` per `mode` (see `xlac_rt_vmap_f32`); returns the
/// sum of the `dst[i]`.
///
/// # Safety
/// AVX2 and FMA are available; `src` is valid for `n` reads and `dst` for `n` writes,
/// the same buffer or disjoint.
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn map_from(
    src: *const f32,
    dst: *mut f32,
    n: usize,
    f: super::VecFn,
    mode: u32,
    a: f32,
    b: f32,
) -> f32 {
    use super::VecFn;
    // SAFETY: forwarded contract.
    unsafe {
        let (av, bv) = (c(a), c(b));
        with_mode!(mode, M => match f {
            VecFn::Exp => map_into(src, dst, n, |x| exp(map_arg::<M>(x, av, bv))),
            VecFn::Tanh => map_into(src, dst, n, |x| tanh(map_arg::<M>(x, av, bv))),
            VecFn::Logistic => map_into(src, dst, n, |x| logistic(map_arg::<M>(x, av, bv))),
        })
    }
}

/// `dst[i] = g(src[i])`, 8 lanes at a time (the tail through a padded block); returns
/// the sum of the `dst[i]`.
///
/// # Safety
/// AVX2 is available; `src` is valid for `n` reads and `dst` for `n` writes, the same
/// buffer or disjoint.
#[inline(always)]
unsafe fn map_into(src: *const f32, dst: *mut f32, n: usize, g: impl Fn(__m256) -> __m256) -> f32 {
    // SAFETY: forwarded contract.
    unsafe {
        let mut sum = _mm256_setzero_ps();
        let mut i = 0;
        // Eight independent vectors per step: each function is a long chain of
        // dependent ops, and the core overlaps only a few of its iterations by itself.
        // The sum still adds the vectors in order.
        while i + 64 <= n {
            let y: [__m256; 8] = std::array::from_fn(|j| g(_mm256_loadu_ps(src.add(i + 8 * j))));
            for (j, y) in y.into_iter().enumerate() {
                _mm256_storeu_ps(dst.add(i + 8 * j), y);
                sum = _mm256_add_ps(sum, y);
            }
            i += 64;
        }
        while i + 8 <= n {
            let y = g(_mm256_loadu_ps(src.add(i)));
            _mm256_storeu_ps(dst.add(i), y);
            sum = _mm256_add_ps(sum, y);
            i += 8;
        }
        let mut lanes = [0f32; 8];
        _mm256_storeu_ps(lanes.as_mut_ptr(), sum);
        let mut total: f32 = lanes.iter().sum();
        if i < n {
            let mut block = [0f32; 8];
            std::ptr::copy_nonoverlapping(src.add(i), block.as_mut_ptr(), n - i);
            let y = g(_mm256_loadu_ps(block.as_ptr()));
            _mm256_storeu_ps(block.as_mut_ptr(), y);
            std::ptr::copy_nonoverlapping(block.as_ptr(), dst.add(i), n - i);
            total += block[..n - i].iter().sum::<f32>();
        }
        total
    }
}

/// `exp` of `x[0..n]` in place.
///
/// # Safety
/// AVX2 and FMA are available; `x` is valid for `n` reads and writes.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn exp_in_place(x: *mut f32, n: usize) {
    // SAFETY: forwarded contract.
    unsafe { map_into(x, x, n, |v| exp(v)) };
}

/// `tanh` of `x[0..n]` in place.
///
/// # Safety
/// As [`exp_in_place`].
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn tanh_in_place(x: *mut f32, n: usize) {
    // SAFETY: forwarded contract.
    unsafe { map_into(x, x, n, |v| tanh(v)) };
}

/// `logistic` of `x[0..n]` in place.
///
/// # Safety
/// As [`exp_in_place`].
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn logistic_in_place(x: *mut f32, n: usize) {
    // SAFETY: forwarded contract.
    unsafe { map_into(x, x, n, |v| logistic(v)) };
}

/// `dst[i] = src[i] / s` for `i < n`; `stream`: with non-temporal stores (from the
/// first 32-byte aligned element), which write `dst` without reading it into the cache.
///
/// # Safety
/// AVX2 is available; `src` is valid for `n` reads and `dst` for `n` writes, the same
/// buffer or disjoint.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn div_scalar(src: *const f32, dst: *mut f32, n: usize, s: f32, stream: bool) {
    // SAFETY: forwarded contract.
    unsafe {
        let d = _mm256_set1_ps(s);
        let mut i = 0;
        if stream {
            while i < n && !(dst.add(i) as usize).is_multiple_of(32) {
                *dst.add(i) = *src.add(i) / s;
                i += 1;
            }
            while i + 8 <= n {
                _mm256_stream_ps(dst.add(i), _mm256_div_ps(_mm256_loadu_ps(src.add(i)), d));
                i += 8;
            }
            _mm_sfence();
        }
        while i + 8 <= n {
            _mm256_storeu_ps(dst.add(i), _mm256_div_ps(_mm256_loadu_ps(src.add(i)), d));
            i += 8;
        }
        while i < n {
            *dst.add(i) = *src.add(i) / s;
            i += 1;
        }
    }
}

/// Longest row (floats, 8 KiB) whose successor [`reduce`] prefetches. Measured here:
/// softmax's 4 KiB rows fold 10–13% faster with it; a plain fold of 16 KiB rows, a
/// stream the hardware prefetchers follow, 10% slower.
const NEXT_ROW_FLOATS: usize = 2048;

/// The `fold` of `t(x[i])` for `i < n` (`n > 0`; `t` per `mode`, `a`, `b` as in
/// `xlac_rt_vmap_f32`): 4 accumulators of 8 lanes, NaN lanes collected apart for max
/// and min (`maxps`/`minps` drop a NaN operand). Prefetches the `n` floats after the
/// row if they are few ([`NEXT_ROW_FLOATS`]).
///
/// # Safety
/// AVX2 is available; `x` is valid for `n` reads.
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn reduce(x: *const f32, n: usize, fold: super::Fold, mode: u32, a: f32, b: f32) -> f32 {
    use super::Fold;
    // SAFETY: forwarded contract.
    unsafe {
        with_mode!(mode, M => match fold {
            Fold::Sum => fold_row::<M, { Fold::Sum as u32 }>(x, n, a, b),
            Fold::Max => fold_row::<M, { Fold::Max as u32 }>(x, n, a, b),
            Fold::Min => fold_row::<M, { Fold::Min as u32 }>(x, n, a, b),
        })
    }
}

/// [`reduce`] with the mode and the fold (`Fold as u32`) known at compile time.
///
/// # Safety
/// As [`reduce`].
#[inline(always)]
unsafe fn fold_row<const MODE: u32, const FOLD: u32>(x: *const f32, n: usize, a: f32, b: f32) -> f32 {
    use super::Fold;
    let fold = match FOLD {
        0 => Fold::Sum,
        1 => Fold::Max,
        _ => Fold::Min,
    };
    // SAFETY: forwarded contract.
    unsafe {
        let identity = match fold {
            Fold::Sum => 0.0,
            Fold::Max => f32::NEG_INFINITY,
            Fold::Min => f32::INFINITY,
        };
        let combine = |a: __m256, b: __m256| match fold {
            Fold::Sum => _mm256_add_ps(a, b),
            Fold::Max => _mm256_max_ps(b, a),
            Fold::Min => _mm256_min_ps(b, a),
        };
        let (av, bv) = (c(a), c(b));
        let mut acc = [_mm256_set1_ps(identity); 4];
        let mut nan = _mm256_setzero_ps();
        // Rows are usually folded one after another, with work on each in between
        // (softmax's exponentials): fetch the next row while folding this one, so
        // its memory latency overlaps that work.
        let ahead = if n <= NEXT_ROW_FLOATS { n } else { 0 };
        let mut i = 0;
        while i + 32 <= n {
            if ahead > 0 {
                _mm_prefetch::<_MM_HINT_T0>(x.wrapping_add(i + ahead).cast());
                _mm_prefetch::<_MM_HINT_T0>(x.wrapping_add(i + ahead + 16).cast());
            }
            for (j, a) in acc.iter_mut().enumerate() {
                let v = map_arg::<MODE>(_mm256_loadu_ps(x.add(i + 8 * j)), av, bv);
                *a = combine(*a, v);
                if fold != Fold::Sum {
                    nan = _mm256_or_ps(nan, _mm256_cmp_ps::<_CMP_UNORD_Q>(v, v));
                }
            }
            i += 32;
        }
        while i + 8 <= n {
            let v = map_arg::<MODE>(_mm256_loadu_ps(x.add(i)), av, bv);
            acc[0] = combine(acc[0], v);
            if fold != Fold::Sum {
                nan = _mm256_or_ps(nan, _mm256_cmp_ps::<_CMP_UNORD_Q>(v, v));
            }
            i += 8;
        }
        let all = combine(combine(acc[0], acc[1]), combine(acc[2], acc[3]));
        let combine4 = |a: __m128, b: __m128| match fold {
            Fold::Sum => _mm_add_ps(a, b),
            Fold::Max => _mm_max_ps(b, a),
            Fold::Min => _mm_min_ps(b, a),
        };
        let v4 = combine4(_mm256_castps256_ps128(all), _mm256_extractf128_ps::<1>(all));
        let v2 = combine4(v4, _mm_movehl_ps(v4, v4));
        let v1 = combine4(v2, _mm_shuffle_ps::<1>(v2, v2));
        let mut out = _mm_cvtss_f32(v1);
        let mut any_nan = _mm256_movemask_ps(nan) != 0;
        for j in i..n {
            let v = super::map_arg(*x.add(j), MODE, a, b);
            any_nan |= v.is_nan();
            out = match fold {
                Fold::Sum => out + v,
                Fold::Max if v > out => v,
                Fold::Min if v < out => v,
                _ => out,
            };
        }
        if fold != Fold::Sum && any_nan {
            return f32::NAN;
        }
        out
    }
}
