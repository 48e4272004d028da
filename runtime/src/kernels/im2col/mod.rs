//! im2col: gathers the input patches of a convolution into a matrix, so the product
//! with the kernel is one GEMM. Handles strides, padding (negative crops), input
//! (lhs) dilation and kernel (rhs) dilation in any rank up to [`MAX_RANK`].

mod plane;

pub(crate) use plane::Plane;

use super::MAX_RANK;
use crate::program::ConvCall;

/// The spatial geometry of a convolution, in fixed-size arrays (no allocation per call).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geometry {
    /// Number of spatial dims.
    pub rank: usize,
    in_sp: [usize; MAX_RANK],
    in_stride: [usize; MAX_RANK],
    k_sp: [usize; MAX_RANK],
    out_sp: [usize; MAX_RANK],
    stride: [usize; MAX_RANK],
    pad_lo: [i64; MAX_RANK],
    ld: [usize; MAX_RANK],
    rd: [usize; MAX_RANK],
    /// Input positions per image.
    pub in_prod: usize,
    /// Kernel positions.
    pub k_prod: usize,
    /// Output positions per image.
    pub out_prod: usize,
}

impl Geometry {
    /// The geometry of a validated call (rank ≤ MAX_RANK, strides and dilations ≥ 1).
    pub fn new(c: &ConvCall) -> Geometry {
        let rank = c.in_spatial.len();
        assert!(rank <= MAX_RANK, "convolution rank {rank} > {MAX_RANK}");
        let mut g = Geometry {
            rank,
            in_sp: [1; MAX_RANK],
            in_stride: [1; MAX_RANK],
            k_sp: [1; MAX_RANK],
            out_sp: [1; MAX_RANK],
            stride: [1; MAX_RANK],
            pad_lo: [0; MAX_RANK],
            ld: [1; MAX_RANK],
            rd: [1; MAX_RANK],
            in_prod: c.in_spatial.iter().product(),
            k_prod: c.k_spatial.iter().product(),
            out_prod: c.out_spatial.iter().product(),
        };
        for d in 0..rank {
            g.in_sp[d] = c.in_spatial[d];
            g.in_stride[d] = c.in_spatial[d + 1..].iter().product();
            g.k_sp[d] = c.k_spatial[d];
            g.out_sp[d] = c.out_spatial[d];
            g.stride[d] = c.strides[d];
            g.pad_lo[d] = c.padding[d].0;
            g.ld[d] = c.lhs_dilation[d];
            g.rd[d] = c.rhs_dilation[d];
        }
        g
    }

    /// Whether the convolution is a plain matrix product (1×1 kernel, unit strides and
    /// dilations, no padding): the input itself is the im2col matrix.
    pub fn is_pointwise(&self) -> bool {
        (0..self.rank).all(|d| {
            self.k_sp[d] == 1 && self.stride[d] == 1 && self.pad_lo[d] == 0 && self.ld[d] == 1 && {
                self.out_sp[d] == self.in_sp[d]
            }
        })
    }

    /// The input coordinate along `d` that output coordinate `o` reads through kernel
    /// coordinate `k`, or `None` for padding and lhs-dilation holes.
    #[inline]
    fn src(&self, d: usize, o: usize, k: usize) -> Option<usize> {
        let q = (o * self.stride[d] + k * self.rd[d]) as i64 - self.pad_lo[d];
        if q < 0 {
            return None;
        }
        let (q, ld) = (q as usize, self.ld[d]);
        let i = if ld == 1 {
            q
        } else if q % ld == 0 {
            q / ld
        } else {
            return None;
        };
        (i < self.in_sp[d]).then_some(i)
    }

    /// Offset (in input positions) of the pixel that output position `o` reads through
    /// kernel position `k` over dims `0..dims`, or `None` if it is padding.
    #[inline]
    fn pixel(&self, o: &[usize; MAX_RANK], k: &[usize; MAX_RANK], dims: usize) -> Option<usize> {
        let mut off = 0;
        for d in 0..dims {
            off += self.src(d, o[d], k[d])? * self.in_stride[d];
        }
        Some(off)
    }
}

/// Row-major multi-index of `index` in `dims[..rank]`.
#[inline]
fn decode(mut index: usize, dims: &[usize; MAX_RANK], rank: usize) -> [usize; MAX_RANK] {
    let mut ix = [0; MAX_RANK];
    for d in (0..rank).rev() {
        ix[d] = index % dims[d];
        index /= dims[d];
    }
    ix
}

/// Channels-first im2col of output positions `p0..p0 + pt` of one image and group:
/// `col[r * pt + i]` with `r = c * k_prod + kernel position`. `x` points at the group's
/// first channel; channels are `in_prod` elements apart.
///
/// # Safety
/// `x` is valid for `cg * in_prod` elements; `col` holds `cg * k_prod * pt` elements.
pub(crate) unsafe fn nchw<T: Copy + Default>(
    g: &Geometry,
    x: *const T,
    cg: usize,
    p0: usize,
    pt: usize,
    col: &mut [T],
) {
    for (r, row) in col.chunks_exact_mut(pt).take(cg * g.k_prod).enumerate() {
        // SAFETY: forwarded contract; r < cg · k_prod.
        unsafe { nchw_row(g, x, r, p0, row) };
    }
}

/// Row `r` of the channels-first im2col (see [`nchw`]) for output positions
/// `p0..p0 + dst.len()`, into `dst`.
///
/// # Safety
/// `x` is valid for `(r / k_prod + 1) * in_prod` elements.
pub(crate) unsafe fn nchw_row<T: Copy + Default>(g: &Geometry, x: *const T, r: usize, p0: usize, dst: &mut [T]) {
    let last = g.rank.saturating_sub(1);
    let (c, kf) = (r / g.k_prod, r % g.k_prod);
    let kk = decode(kf, &g.k_sp, g.rank);
    // SAFETY: channel c is inside the input (contract).
    let xc = unsafe { x.add(c * g.in_prod) };
    let pt = dst.len();
    let mut o = decode(p0, &g.out_sp, g.rank);
    let mut i = 0;
    while i < pt {
        let run = (g.out_sp[last] - o[last]).min(pt - i);
        let dst = &mut dst[i..i + run];
        match (g.rank, g.pixel(&o, &kk, last)) {
            // SAFETY: rank 0 has one position, the channel's only element.
            (0, _) => dst[0] = unsafe { *xc },
            (_, None) => dst.fill(T::default()),
            // SAFETY: `off` is the start of an input row along the last dim.
            (_, Some(off)) => unsafe { fill_run(g, last, xc.add(off), o[last], kk[last], dst) },
        }
        i += run;
        // The next run starts a row along the last dim (odometer carry, no divisions).
        o[last] = 0;
        for d in (0..last).rev() {
            o[d] += 1;
            if o[d] < g.out_sp[d] {
                break;
            }
            o[d] = 0;
        }
    }
}

/// Fills `dst[j]` with the element output coordinate `o0 + j` along the last dim `d`
/// reads from the input row `src` through kernel coordinate `k` (0 for padding).
///
/// # Safety
/// `src` is valid for `in_sp[d]` elements.
#[inline]
unsafe fn fill_run<T: Copy + Default>(g: &Geometry, d: usize, src: *const T, o0: usize, k: usize, dst: &mut [T]) {
    if g.ld[d] != 1 {
        for (j, v) in dst.iter_mut().enumerate() {
            // SAFETY: `src` returns in-range coordinates only.
            *v = g.src(d, o0 + j, k).map_or(T::default(), |i| unsafe { *src.add(i) });
        }
        return;
    }
    let s = g.stride[d] as i64;
    let off = (k * g.rd[d]) as i64 - g.pad_lo[d];
    let (lo, hi) = inside(off, s, g.in_sp[d] as i64);
    let clamp = |o: i64| (o - o0 as i64).clamp(0, dst.len() as i64) as usize;
    let (a, b) = (clamp(lo), clamp(hi));
    dst[..a].fill(T::default());
    dst[b..].fill(T::default());
    if a < b {
        let first = (o0 + a) as i64 * s + off;
        // SAFETY: o0 + a.. o0 + b lies in [lo, hi), so the coordinates are in 0..n.
        unsafe { copy_strided(src.add(first as usize), s as usize, &mut dst[a..b]) };
    }
}

/// The outputs `lo..hi` (`lo <= hi`) whose input coordinate `o · s + off` lies in
/// `0..n`, for a stride `s >= 1`.
fn inside(off: i64, s: i64, n: i64) -> (i64, i64) {
    let up = |v: i64| if s == 1 { v } else { (v + s - 1) / s };
    let lo = if off >= 0 { 0 } else { up(-off) };
    let hi = if n - off <= 0 { 0 } else { up(n - off) };
    (lo, hi.max(lo))
}

/// `dst[j] = src[j · stride]`; unit strides copy in blocks of 8 (short rows, where a
/// `memcpy` call costs more than the copy).
///
/// # Safety
/// `src` is valid for `(dst.len() - 1) · stride + 1` elements.
#[inline]
unsafe fn copy_strided<T: Copy>(src: *const T, stride: usize, dst: &mut [T]) {
    if stride != 1 {
        for (j, v) in dst.iter_mut().enumerate() {
            // SAFETY: j < dst.len().
            *v = unsafe { *src.add(j * stride) };
        }
        return;
    }
    let mut chunks = dst.chunks_exact_mut(8);
    let mut s = src;
    for c in &mut chunks {
        // SAFETY: 8 elements of the source row.
        unsafe {
            c.copy_from_slice(&s.cast::<[T; 8]>().read_unaligned());
            s = s.add(8);
        }
    }
    for (j, v) in chunks.into_remainder().iter_mut().enumerate() {
        // SAFETY: the remainder of the source row.
        *v = unsafe { *s.add(j) };
    }
}

/// Channels-last im2col of output positions `p0..p0 + pt` of one image and group:
/// `col[i * R + kernel position * cg + c]`, `R = k_prod * cg`. `x` points at the
/// group's first channel of pixel 0; pixels are `c_total` elements apart.
///
/// # Safety
/// `x` is valid for `(in_prod - 1) * c_total + cg` elements; `col` holds `pt * R`.
pub(crate) unsafe fn nhwc<T: Copy + Default>(
    g: &Geometry,
    x: *const T,
    cg: usize,
    c_total: usize,
    p0: usize,
    pt: usize,
    col: &mut [T],
) {
    let r_len = g.k_prod * cg;
    if r_len == 0 {
        return;
    }
    for (i, row) in col.chunks_exact_mut(r_len).take(pt).enumerate() {
        let o = decode(p0 + i, &g.out_sp, g.rank);
        let mut kk = [0; MAX_RANK];
        for dst in row.chunks_exact_mut(cg) {
            match g.pixel(&o, &kk, g.rank) {
                None => dst.fill(T::default()),
                Some(pix) => {
                    // SAFETY: pixel `pix` < in_prod, channels cg of the group.
                    let src = unsafe { std::slice::from_raw_parts(x.add(pix * c_total), cg) };
                    dst.copy_from_slice(src);
                }
            }
            for d in (0..g.rank).rev() {
                kk[d] += 1;
                if kk[d] < g.k_sp[d] {
                    break;
                }
                kk[d] = 0;
            }
        }
    }
}
