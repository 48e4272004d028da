//! `reduce_window` (pooling): sum, max or min over strided, dilated, padded windows of a
//! row-major tensor of any rank (up to [`MAX_RANK`]) and any element type. Padding
//! elements are the identity, so they are skipped. Float sums accumulate in f64.

use super::{MAX_RANK, PARALLEL_WORK};
use crate::pool::ThreadPool;
use crate::program::{ElemType, PoolCall, PoolKind};

/// An element type pooling handles.
trait PoolElem: Copy + Send + Sync + 'static {
    /// Accumulator type.
    type Acc: Copy;
    fn identity(kind: PoolKind) -> Self::Acc;
    fn fold(kind: PoolKind, acc: Self::Acc, x: Self) -> Self::Acc;
    fn finish(acc: Self::Acc) -> Self;
}

macro_rules! float_elem {
    ($t:ty) => {
        impl PoolElem for $t {
            type Acc = f64;
            fn identity(kind: PoolKind) -> f64 {
                match kind {
                    PoolKind::Sum => 0.0,
                    PoolKind::Max => f64::NEG_INFINITY,
                    PoolKind::Min => f64::INFINITY,
                }
            }
            /// NaN-propagating max/min, as the interpreter.
            fn fold(kind: PoolKind, acc: f64, x: $t) -> f64 {
                let x = x as f64;
                match kind {
                    PoolKind::Sum => acc + x,
                    _ if acc.is_nan() || x.is_nan() => f64::NAN,
                    PoolKind::Max => acc.max(x),
                    PoolKind::Min => acc.min(x),
                }
            }
            fn finish(acc: f64) -> $t {
                acc as $t
            }
        }
    };
}
float_elem!(f32);
float_elem!(f64);

macro_rules! int_elem {
    ($t:ty) => {
        impl PoolElem for $t {
            type Acc = $t;
            fn identity(kind: PoolKind) -> $t {
                match kind {
                    PoolKind::Sum => 0,
                    PoolKind::Max => <$t>::MIN,
                    PoolKind::Min => <$t>::MAX,
                }
            }
            fn fold(kind: PoolKind, acc: $t, x: $t) -> $t {
                match kind {
                    PoolKind::Sum => acc.wrapping_add(x),
                    PoolKind::Max => acc.max(x),
                    PoolKind::Min => acc.min(x),
                }
            }
            fn finish(acc: $t) -> $t {
                acc
            }
        }
    };
}
int_elem!(i32);
int_elem!(i64);
// bool as a byte 0/1: max is `or`, min is `and`, sum is `or` (addition on pred).
int_elem!(u8);

/// Runs a [`PoolCall`].
///
/// # Safety
/// `input` and `out` are aligned to the element size and hold `Π in_dims` and
/// `Π out_dims` elements; they do not overlap; every vector of the call has the rank of
/// `in_dims` (≤ [`MAX_RANK`]), strides and dilations are ≥ 1.
pub unsafe fn pool(c: &PoolCall, input: *const u8, out: *mut u8, pool: &ThreadPool) {
    // SAFETY: forwarded contract.
    unsafe {
        match c.elem {
            ElemType::F32 => pool_t::<f32>(c, input.cast(), out.cast(), pool),
            ElemType::F64 => pool_t::<f64>(c, input.cast(), out.cast(), pool),
            ElemType::I32 => pool_t::<i32>(c, input.cast(), out.cast(), pool),
            ElemType::I64 => pool_t::<i64>(c, input.cast(), out.cast(), pool),
            ElemType::Bool => {
                let c =
                    PoolCall { kind: if c.kind == PoolKind::Min { PoolKind::Min } else { PoolKind::Max }, ..c.clone() };
                pool_t::<u8>(&c, input, out, pool)
            }
        }
    }
}

#[derive(Copy, Clone)]
struct Ptrs<T>(*const T, *mut T);
// SAFETY: tasks read the input and write disjoint ranges of the output.
unsafe impl<T> Sync for Ptrs<T> {}
// SAFETY: as above.
unsafe impl<T> Send for Ptrs<T> {}

impl<T> Ptrs<T> {
    /// The pointers (a method, so closures capture the whole `Ptrs`, which is Sync).
    fn get(&self) -> (*const T, *mut T) {
        (self.0, self.1)
    }
}

unsafe fn pool_t<T: PoolElem>(c: &PoolCall, input: *const T, out: *mut T, pool: &ThreadPool) {
    let rank = c.in_dims.len();
    assert!(rank <= MAX_RANK, "pool: rank {rank} > {MAX_RANK}");
    let total: usize = c.out_dims.iter().product();
    let win: usize = c.window.iter().product();
    let mut in_stride = [0usize; MAX_RANK];
    for (d, s) in in_stride.iter_mut().enumerate().take(rank) {
        *s = c.in_dims[d + 1..].iter().product();
    }
    let ptrs = Ptrs(input, out);
    let chunks = if total.saturating_mul(win) >= PARALLEL_WORK { pool.threads() * 4 } else { 1 };
    pool.parallel_for(total, chunks, &|range, _| {
        let (x, out) = ptrs.get();
        let mut o = [0usize; MAX_RANK];
        let mut rest = range.start;
        for d in (0..rank).rev() {
            o[d] = rest % c.out_dims[d];
            rest /= c.out_dims[d];
        }
        for flat in range {
            let acc = window(c, rank, &in_stride, &o, x);
            // SAFETY: flat < Π out_dims; this task alone writes it.
            unsafe { *out.add(flat) = T::finish(acc) };
            for d in (0..rank).rev() {
                o[d] += 1;
                if o[d] < c.out_dims[d] {
                    break;
                }
                o[d] = 0;
            }
        }
    });
}

/// Folds the window of output index `o`.
fn window<T: PoolElem>(
    c: &PoolCall,
    rank: usize,
    in_stride: &[usize; MAX_RANK],
    o: &[usize; MAX_RANK],
    x: *const T,
) -> T::Acc {
    // Per dim, the window offsets whose input coordinate o*s + w*dil - lo is in range.
    let (mut lo, mut hi, mut base) = ([0usize; MAX_RANK], [0usize; MAX_RANK], 0i64);
    let mut acc = T::identity(c.kind);
    for d in 0..rank {
        let (s, dil, n) = (c.strides[d] as i64, c.dilation[d] as i64, c.in_dims[d] as i64);
        let start = o[d] as i64 * s - c.padding[d].0;
        let first = if start >= 0 { 0 } else { (-start + dil - 1) / dil };
        let end = if n - start <= 0 { 0 } else { (n - start + dil - 1) / dil };
        let (first, end) = (first.min(c.window[d] as i64), end.min(c.window[d] as i64));
        if first >= end {
            return acc;
        }
        (lo[d], hi[d]) = (first as usize, end as usize);
        base += start * in_stride[d] as i64;
    }
    let mut w = lo;
    loop {
        let mut off = base;
        for d in 0..rank {
            off += (w[d] * c.dilation[d] * in_stride[d]) as i64;
        }
        // SAFETY: every coordinate start + w*dil lies in 0..in_dims[d] by the ranges above.
        acc = T::fold(c.kind, acc, unsafe { *x.add(off as usize) });
        let mut d = rank;
        loop {
            if d == 0 {
                return acc;
            }
            d -= 1;
            w[d] += 1;
            if w[d] < hi[d] {
                break;
            }
            w[d] = lo[d];
        }
    }
}
