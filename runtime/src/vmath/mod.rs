//! Vector math over arrays for generated kernels: `exp`, `tanh` and `logistic` of an
//! `f32` buffer in place, the division of a buffer by a scalar into another, and the
//! sum, max or min of a buffer, 8 lanes at a time with AVX2/FMA.
//!
//! Cranelift has no 256-bit vectors, so a kernel whose work is a transcendental over a
//! row (softmax's `exp(x - max)`) writes the arguments to a stack buffer, calls one of
//! these, and reads the results back: twice the lanes of its own 4-lane code for the
//! price of one call per row. The compiler emits such calls only for targets with AVX2
//! and FMA; there the results are the bits its own inline routines give (they are the
//! same operations, see [`avx2`]). On a CPU without them (an object compiled for
//! another machine) the functions fall back to Rust's `f32` math, which is accurate but
//! not bit-identical.

#[cfg(target_arch = "x86_64")]
mod avx2;

/// A function [`apply`] computes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum VecFn {
    /// `e^x`.
    Exp,
    /// `tanh x`.
    Tanh,
    /// `1 / (1 + e^-x)`.
    Logistic,
}

impl VecFn {
    /// Every function.
    pub const ALL: [VecFn; 3] = [VecFn::Exp, VecFn::Tanh, VecFn::Logistic];

    /// The C symbol of its in-place `f32` entry point (`void f(float *x, size_t n)`).
    pub fn symbol(self) -> &'static str {
        match self {
            VecFn::Exp => "xlac_rt_vexp_f32",
            VecFn::Tanh => "xlac_rt_vtanh_f32",
            VecFn::Logistic => "xlac_rt_vlogistic_f32",
        }
    }

    /// The address of that entry point (for a JIT to resolve the symbol).
    pub fn address(self) -> *const u8 {
        let f: unsafe extern "C" fn(*mut f32, usize) = match self {
            VecFn::Exp => xlac_rt_vexp_f32,
            VecFn::Tanh => xlac_rt_vtanh_f32,
            VecFn::Logistic => xlac_rt_vlogistic_f32,
        };
        f as *const u8
    }

    /// The scalar fallback.
    fn scalar(self, x: f32) -> f32 {
        match self {
            VecFn::Exp => x.exp(),
            VecFn::Tanh => x.tanh(),
            VecFn::Logistic => {
                let e = (-x.abs()).exp();
                if x < 0.0 {
                    e / (1.0 + e)
                } else {
                    1.0 / (1.0 + e)
                }
            }
        }
    }
}

/// Every entry point: `(C symbol, address)` (for a JIT to resolve the symbols).
pub fn symbols() -> Vec<(&'static str, *const u8)> {
    let mut out: Vec<(&'static str, *const u8)> = VecFn::ALL.iter().map(|f| (f.symbol(), f.address())).collect();
    let div: unsafe extern "C" fn(*const f32, *mut f32, usize, f32, usize) = xlac_rt_vdivs_f32;
    out.push((DIV_SCALAR_SYMBOL, div as *const u8));
    let reduce: unsafe extern "C" fn(*const f32, usize, u32, u32, f32, f32) -> f32 = xlac_rt_vreduce_f32;
    out.push((REDUCE_SYMBOL, reduce as *const u8));
    let map: unsafe extern "C" fn(*const f32, *mut f32, usize, u32, u32, f32, f32) -> f32 = xlac_rt_vmap_f32;
    out.push((MAP_SYMBOL, map as *const u8));
    out
}

/// The C symbol of [`xlac_rt_vmap_f32`].
pub const MAP_SYMBOL: &str = "xlac_rt_vmap_f32";

/// [`xlac_rt_vmap_f32`]'s `mode` bit: multiply by `a` first.
pub const MAP_MUL: u32 = 1;
/// Its bit: then add `b`.
pub const MAP_ADD: u32 = 2;
/// Its bit: then subtract `b`.
pub const MAP_SUB: u32 = 4;
/// Its bit: then square (layernorm's `(x - mean)²`).
pub const MAP_SQUARE: u32 = 8;

impl VecFn {
    /// Its code in [`xlac_rt_vmap_f32`]'s `f` argument.
    pub fn code(self) -> u32 {
        match self {
            VecFn::Exp => 0,
            VecFn::Tanh => 1,
            VecFn::Logistic => 2,
        }
    }

    fn from_code(code: u32) -> VecFn {
        match code {
            0 => VecFn::Exp,
            1 => VecFn::Tanh,
            _ => VecFn::Logistic,
        }
    }
}

/// The C symbol of [`xlac_rt_vreduce_f32`].
pub const REDUCE_SYMBOL: &str = "xlac_rt_vreduce_f32";

/// A fold [`xlac_rt_vreduce_f32`] computes (its `kind` argument).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Fold {
    /// The sum (0).
    Sum = 0,
    /// The maximum, NaN if any element is NaN (1).
    Max = 1,
    /// The minimum, NaN if any element is NaN (2).
    Min = 2,
}

/// The C symbol of [`xlac_rt_vdivs_f32`].
pub const DIV_SCALAR_SYMBOL: &str = "xlac_rt_vdivs_f32";

/// Whether the CPU runs the 8-lane bodies (AVX2 and FMA, detected once).
pub fn vectorized() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        static HAS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *HAS.get_or_init(|| is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Applies `f` to every element of `x` in place.
pub fn apply(f: VecFn, x: &mut [f32]) {
    // SAFETY: a slice is valid for its length.
    unsafe { apply_raw(f, x.as_mut_ptr(), x.len()) }
}

/// [`apply`] over a raw buffer.
///
/// # Safety
/// `x` is valid for `n` reads and writes of `f32` (any alignment of `f32`), or `n` is 0.
unsafe fn apply_raw(f: VecFn, x: *mut f32, n: usize) {
    if n == 0 {
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if vectorized() {
        // SAFETY: AVX2 and FMA were detected; forwarded buffer contract.
        unsafe {
            match f {
                VecFn::Exp => avx2::exp_in_place(x, n),
                VecFn::Tanh => avx2::tanh_in_place(x, n),
                VecFn::Logistic => avx2::logistic_in_place(x, n),
            }
        }
        return;
    }
    // SAFETY: forwarded buffer contract.
    let xs = unsafe { std::slice::from_raw_parts_mut(x, n) };
    for v in xs {
        *v = f.scalar(*v);
    }
}

/// `x[i] = exp(x[i])` for `i < n`.
///
/// # Safety
/// `x` is valid for `n` reads and writes of `f32`, or `n` is 0.
#[no_mangle]
pub unsafe extern "C" fn xlac_rt_vexp_f32(x: *mut f32, n: usize) {
    // SAFETY: forwarded contract.
    unsafe { apply_raw(VecFn::Exp, x, n) }
}

/// `x[i] = tanh(x[i])` for `i < n`.
///
/// # Safety
/// As [`xlac_rt_vexp_f32`].
#[no_mangle]
pub unsafe extern "C" fn xlac_rt_vtanh_f32(x: *mut f32, n: usize) {
    // SAFETY: forwarded contract.
    unsafe { apply_raw(VecFn::Tanh, x, n) }
}

/// `x[i] = 1 / (1 + exp(-x[i]))` for `i < n`.
///
/// # Safety
/// As [`xlac_rt_vexp_f32`].
#[no_mangle]
pub unsafe extern "C" fn xlac_rt_vlogistic_f32(x: *mut f32, n: usize) {
    // SAFETY: forwarded contract.
    unsafe { apply_raw(VecFn::Logistic, x, n) }
}

/// `dst[i] = src[i] / s` for `i < n` (IEEE division: the bits of a 4-lane or scalar
/// `divps`/`divss`). `total` is the size in bytes of the whole output this row belongs
/// to: outputs of at least half the last-level cache ([`stream_threshold`]) are written
/// with non-temporal stores, which spare reading each line before writing it (a third
/// of the memory traffic of a copy) and would only evict data that fits in the cache.
///
/// # Safety
/// `src` is valid for `n` reads and `dst` for `n` writes of `f32` (or `n` is 0); the two
/// are the same buffer or do not overlap.
#[no_mangle]
pub unsafe extern "C" fn xlac_rt_vdivs_f32(src: *const f32, dst: *mut f32, n: usize, s: f32, total: usize) {
    if n == 0 {
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if vectorized() {
        // SAFETY: AVX2 was detected; forwarded buffer contract.
        unsafe { avx2::div_scalar(src, dst, n, s, total >= stream_threshold()) };
        return;
    }
    let _ = total;
    for i in 0..n {
        // SAFETY: forwarded buffer contract (an element is read before it is written).
        unsafe { *dst.add(i) = *src.add(i) / s };
    }
}

/// Outputs at least this large (bytes) are written with non-temporal stores: half the
/// last-level cache (Linux sysfs; 32 MiB assumed when it does not say).
pub fn stream_threshold() -> usize {
    static BYTES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *BYTES.get_or_init(|| llc_bytes().unwrap_or(32 << 20) / 2)
}

/// The size of the highest-level cache of CPU 0, from `/sys/devices/system/cpu`.
fn llc_bytes() -> Option<usize> {
    let dir = std::path::Path::new("/sys/devices/system/cpu/cpu0/cache");
    let mut best: Option<(u32, usize)> = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let read = |name: &str| std::fs::read_to_string(entry.path().join(name)).ok();
        let (Some(level), Some(size)) = (read("level"), read("size")) else { continue };
        let Ok(level) = level.trim().parse::<u32>() else { continue };
        let size = size.trim();
        let bytes = match size.strip_suffix('K') {
            Some(k) => k.parse::<usize>().ok()? * 1024,
            None => match size.strip_suffix('M') {
                Some(m) => m.parse::<usize>().ok()? << 20,
                None => size.parse().ok()?,
            },
        };
        if best.is_none_or(|(l, _)| level > l) {
            best = Some((level, bytes));
        }
    }
    best.map(|(_, b)| b)
}

/// The `kind` fold ([`Fold`] as `u32`: sum, max, min) of `t(x[i])` for `i < n`, with
/// `t` the argument of [`xlac_rt_vmap_f32`] (`mode`, `a`, `b`): the sum of no elements is
/// 0, the max `-inf`, the min `+inf`; max and min are NaN if an element is. The sum is
/// accumulated in 32 partial sums (another order than a sequential loop's).
///
/// # Safety
/// `x` is valid for `n` reads of `f32` (or `n` is 0).
#[no_mangle]
pub unsafe extern "C" fn xlac_rt_vreduce_f32(x: *const f32, n: usize, kind: u32, mode: u32, a: f32, b: f32) -> f32 {
    let fold = match kind {
        0 => Fold::Sum,
        1 => Fold::Max,
        _ => Fold::Min,
    };
    #[cfg(target_arch = "x86_64")]
    if vectorized() && n > 0 {
        // SAFETY: AVX2 was detected; forwarded buffer contract.
        return unsafe { avx2::reduce(x, n, fold, mode, a, b) };
    }
    // SAFETY: forwarded buffer contract.
    let xs = if n == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(x, n) } };
    scalar_fold(fold, xs.iter().map(|&v| map_arg(v, mode, a, b)))
}

/// `t(x)` of [`xlac_rt_vmap_f32`].
fn map_arg(x: f32, mode: u32, a: f32, b: f32) -> f32 {
    let t = if mode & MAP_MUL != 0 { x * a } else { x };
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

/// [`xlac_rt_vreduce_f32`] one element at a time.
fn scalar_fold(fold: Fold, xs: impl Iterator<Item = f32>) -> f32 {
    let pick = |a: f32, b: f32| match fold {
        _ if a.is_nan() || b.is_nan() => f32::NAN,
        Fold::Max if b > a => b,
        Fold::Min if b < a => b,
        _ => a,
    };
    match fold {
        Fold::Sum => xs.sum(),
        Fold::Max => xs.fold(f32::NEG_INFINITY, pick),
        Fold::Min => xs.fold(f32::INFINITY, pick),
    }
}

/// `dst[i] = f(t)` with `t = src[i]`, then `t = t * a` if `mode` has [`MAP_MUL`], then
/// `t = t + b` ([`MAP_ADD`]) or `t = t - b` ([`MAP_SUB`]), then `t = t * t`
/// ([`MAP_SQUARE`]), each op rounded as written
/// (no fused multiply-add); `f` is a [`VecFn::code`]. A kernel's argument loop and the
/// in-place call in one pass: `exp(x - max)` of a softmax row straight from `x`.
/// Returns the sum of the `dst[i]` (in 8 partial sums), so a row's sum of them needs no
/// pass of its own.
///
/// # Safety
/// `src` is valid for `n` reads and `dst` for `n` writes of `f32` (or `n` is 0); the two
/// are the same buffer or do not overlap.
#[no_mangle]
pub unsafe extern "C" fn xlac_rt_vmap_f32(
    src: *const f32,
    dst: *mut f32,
    n: usize,
    f: u32,
    mode: u32,
    a: f32,
    b: f32,
) -> f32 {
    if n == 0 {
        return 0.0;
    }
    let f = VecFn::from_code(f);
    #[cfg(target_arch = "x86_64")]
    if vectorized() {
        // SAFETY: AVX2 was detected; forwarded buffer contract.
        return unsafe { avx2::map_from(src, dst, n, f, mode, a, b) };
    }
    let mut sum = 0.0;
    for i in 0..n {
        // SAFETY: forwarded buffer contract (an element is read before it is written).
        unsafe {
            *dst.add(i) = f.scalar(map_arg(*src.add(i), mode, a, b));
            sum += *dst.add(i);
        }
    }
    sum
}
