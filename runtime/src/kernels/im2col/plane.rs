//! The channels-first im2col of a 2-D convolution without dilation, row by row as a
//! product packs it: everything a row needs that depends on the row alone (channel,
//! kernel position, the columns inside the input) is computed once per call, so a row
//! costs one division and its copies.

use super::{copy_strided, inside, Geometry};

/// Input rows (channel, kernel position) of a 2-D convolution's im2col, precomputed.
pub(crate) struct Plane {
    rows: Vec<Source>,
    w_out: usize,
    h_in: i64,
    w_in: usize,
    sh: i64,
    sw: usize,
    in_prod: usize,
    /// Input rows an output row reads through the kernel's rows.
    span: usize,
}

/// Where one im2col row reads: channel offset, kernel offsets, valid output columns.
#[derive(Copy, Clone)]
struct Source {
    chan: usize,
    offh: i64,
    offw: i64,
    /// Output columns `lo..hi` read inside the input row.
    lo: usize,
    hi: usize,
    /// The channel's first row: prefetch a later channel.
    first: bool,
}

/// How many channels ahead [`Plane::row`] prefetches the input.
const PREFETCH_CHANNELS: usize = 1;

impl Plane {
    /// The rows of `channels` channels, if `g` is 2-D without dilation.
    pub fn new(g: &Geometry, channels: usize) -> Option<Plane> {
        if g.rank != 2 || g.ld[..2] != [1, 1] || g.rd[..2] != [1, 1] {
            return None;
        }
        let (sw, w_in, w_out) = (g.stride[1] as i64, g.in_sp[1] as i64, g.out_sp[1] as i64);
        let mut rows = Vec::with_capacity(channels * g.k_prod);
        for c in 0..channels {
            for kh in 0..g.k_sp[0] {
                for kw in 0..g.k_sp[1] {
                    let offw = kw as i64 - g.pad_lo[1];
                    let (lo, hi) = inside(offw, sw, w_in);
                    let (lo, hi) = (lo.min(w_out) as usize, hi.min(w_out) as usize);
                    let first = kh == 0 && kw == 0;
                    rows.push(Source { chan: c * g.in_prod, offh: kh as i64 - g.pad_lo[0], offw, lo, hi, first });
                }
            }
        }
        Some(Plane {
            rows,
            w_out: g.out_sp[1],
            h_in: g.in_sp[0] as i64,
            w_in: g.in_sp[1],
            sh: g.stride[0] as i64,
            sw: g.stride[1],
            in_prod: g.in_prod,
            span: g.k_sp[0],
        })
    }

    /// Row `r` of the im2col for output positions `p0..p0 + dst.len()` of the channels
    /// at `x`, into `dst`.
    ///
    /// # Safety
    /// `x` is valid for the channels this plane was made for; `r` is one of its rows.
    pub unsafe fn row<T: Copy + Default>(&self, x: *const T, r: usize, p0: usize, dst: &mut [T]) {
        let s = self.rows[r];
        let xc = x.wrapping_add(s.chan);
        let (mut oh, mut ow) = (p0 / self.w_out, p0 % self.w_out);
        if s.first {
            // The rows of a channel are short runs in planes far apart, which hardware
            // prefetchers do not follow: fetch the block a later channel reads.
            let oh1 = (p0 + dst.len()).div_ceil(self.w_out);
            self.prefetch(xc.wrapping_add(PREFETCH_CHANNELS * self.in_prod), oh, oh1, s.offh);
        }
        let mut i = 0;
        while i < dst.len() {
            let run = (self.w_out - ow).min(dst.len() - i);
            let d = &mut dst[i..i + run];
            let ih = oh as i64 * self.sh + s.offh;
            if (0..self.h_in).contains(&ih) {
                let (a, b) = (s.lo.clamp(ow, ow + run) - ow, s.hi.clamp(ow, ow + run) - ow);
                d[..a].fill(T::default());
                d[b..].fill(T::default());
                if a < b {
                    let first = (ih * self.w_in as i64 + ((ow + a) * self.sw) as i64 + s.offw) as usize;
                    // SAFETY: columns a..b of the run read inside input row ih (`lo..hi`).
                    unsafe { copy_strided(xc.add(first), self.sw, &mut d[a..b]) };
                }
            } else {
                d.fill(T::default());
            }
            i += run;
            (oh, ow) = (oh + 1, 0);
        }
    }

    /// Prefetches the input rows of the channel at `xc` that output rows `oh0..oh1`
    /// read through any kernel row (`offh` is the first's offset).
    fn prefetch<T>(&self, xc: *const T, oh0: usize, oh1: usize, offh: i64) {
        let lo = (oh0 as i64 * self.sh + offh).clamp(0, self.h_in) as usize;
        let hi = ((oh1 as i64 - 1) * self.sh + offh + self.span as i64).clamp(0, self.h_in) as usize;
        let step = (64 / std::mem::size_of::<T>().max(1)).max(1);
        for e in (lo * self.w_in..hi * self.w_in).step_by(step) {
            prefetch(xc.wrapping_add(e));
        }
    }
}

/// A hint to fetch the cache line at `p` (never faults).
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetches do not fault, whatever the address; SSE is baseline on x86_64.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::{ConvCall, ElemType};

    fn call(h: usize, w: usize, k: [usize; 2], s: [usize; 2], pad: [(i64, i64); 2]) -> ConvCall {
        let out =
            |d: usize, n: usize| ((n as i64 + pad[d].0 + pad[d].1 - k[d] as i64) / s[d] as i64 + 1).max(0) as usize;
        ConvCall {
            elem: ElemType::F32,
            input: 0,
            kernel: 1,
            out: 2,
            nhwc: false,
            n: 1,
            c: 3,
            o: 1,
            in_spatial: vec![h, w],
            k_spatial: k.to_vec(),
            out_spatial: vec![out(0, h), out(1, w)],
            strides: s.to_vec(),
            padding: pad.to_vec(),
            lhs_dilation: vec![1, 1],
            rhs_dilation: vec![1, 1],
            groups: 1,
        }
    }

    /// Every row over many position ranges (starting mid-row, crossing rows) equals
    /// the general im2col's, with strides, padding wider than the kernel and crops.
    #[test]
    fn rows_match_the_general_im2col() {
        let cases = [
            call(7, 6, [3, 3], [1, 1], [(1, 1), (1, 1)]),
            call(9, 11, [3, 2], [2, 3], [(1, 2), (0, 1)]),
            call(8, 9, [2, 3], [1, 1], [(-1, 0), (1, -2)]),
            call(5, 4, [2, 2], [1, 2], [(4, 3), (3, 5)]),
            call(20, 19, [3, 3], [1, 1], [(1, 1), (1, 1)]),
        ];
        for c in &cases {
            let g = Geometry::new(c);
            let plane = Plane::new(&g, c.c).expect("2-D without dilation");
            let x: Vec<f32> = (0..c.c * g.in_prod).map(|i| i as f32 + 1.0).collect();
            let p = g.out_prod;
            for r in 0..c.c * g.k_prod {
                for (p0, len) in [(0, p), (1, p - 1), (p / 3, p / 2), (p - 1, 1), (5.min(p), 0)] {
                    let (mut want, mut got) = (vec![-1.0; len], vec![-2.0; len]);
                    // SAFETY: x holds c channels; r is a row of them.
                    unsafe {
                        super::super::nchw_row(&g, x.as_ptr(), r, p0, &mut want);
                        plane.row(x.as_ptr(), r, p0, &mut got);
                    }
                    assert_eq!(got, want, "{:?} row {r} positions {p0}+{len}", c.padding);
                }
            }
        }
    }

    #[test]
    fn dilated_and_other_ranks_take_the_general_path() {
        let mut c = call(7, 6, [3, 3], [1, 1], [(1, 1), (1, 1)]);
        c.rhs_dilation = vec![1, 2];
        assert!(Plane::new(&Geometry::new(&c), 3).is_none());
        let mut c = call(7, 6, [3, 3], [1, 1], [(1, 1), (1, 1)]);
        (c.in_spatial, c.k_spatial, c.out_spatial) = (vec![7], vec![3], vec![5]);
        (c.strides, c.padding, c.lhs_dilation, c.rhs_dilation) = (vec![1], vec![(0, 0)], vec![1], vec![1]);
        assert!(Plane::new(&Geometry::new(&c), 3).is_none());
    }
}
