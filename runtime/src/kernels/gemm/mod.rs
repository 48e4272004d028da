//! Batched matrix product `out[b] = lhs[b] · rhs[b]` with arbitrary element strides.
//!
//! f32 on x86_64 CPUs with AVX2 and FMA (detected at run time) goes through a BLIS-style
//! kernel ([`driver`]: packed panels, cache blocking, a 6×16 FMA micro-kernel), which
//! can run a [`RowEpilogue`] on output rows as soon as they are final. Other element
//! types and targets go through the portable path ([`generic`]: the `gemm` and
//! `matrixmultiply` crates, a plain loop for integers), the epilogue after the product.

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod driver;
mod epilogue;
mod generic;
#[cfg(target_arch = "x86_64")]
mod pack;
#[cfg(target_arch = "x86_64")]
mod prepacked;
#[cfg(target_arch = "x86_64")]
mod scratch;
#[cfg(target_arch = "x86_64")]
mod threads;

pub(crate) use epilogue::Tracker;
pub(crate) use generic::{matmul, matmul_with_epilogue, MatMul, PackedLhs, Scalar};

use super::RowEpilogue;
use crate::pool::ThreadPool;
use crate::program::{ElemType, GemmCall};

/// The product `call` describes over dense `[batch, m, n]` output `out`.
fn desc<T>(c: &GemmCall, lhs: *const u8, rhs: *const u8, out: *mut u8) -> MatMul<T> {
    let (m, n) = (c.m as isize, c.n as isize);
    MatMul {
        batch: c.batch,
        m: c.m,
        n: c.n,
        k: c.k,
        lhs: lhs.cast(),
        ls: c.lhs_strides,
        rhs: rhs.cast(),
        rs: c.rhs_strides,
        out: out.cast(),
        os: [m * n, n, 1],
    }
}

/// Runs a [`GemmCall`]: `out[b] = lhs[b] · rhs[b]`, out dense `[batch, m, n]`.
///
/// # Safety
/// `lhs`, `rhs` and `out` are aligned to the element size; every element the call's
/// strides address is inside its buffer; `out` holds `batch·m·n` elements and does not
/// overlap the inputs.
pub unsafe fn gemm(call: &GemmCall, lhs: *const u8, rhs: *const u8, out: *mut u8, pool: &ThreadPool) {
    // SAFETY: forwarded contract.
    unsafe { gemm_with_epilogue(call, lhs, rhs, out, pool, None) }
}

/// [`gemm`], calling `epilogue` on the output rows (row `b·m + i`) as they are final,
/// per the contract of [`RowEpilogue`]: from the pool task that finished them where the
/// kernel allows, else on all rows after the product.
///
/// # Safety
/// As [`gemm`]; `epilogue` may read and write the rows it is given.
pub unsafe fn gemm_with_epilogue(
    call: &GemmCall,
    lhs: *const u8,
    rhs: *const u8,
    out: *mut u8,
    pool: &ThreadPool,
    epilogue: Option<&RowEpilogue>,
) {
    // SAFETY: forwarded contract.
    unsafe {
        match call.elem {
            ElemType::F32 => matmul_with_epilogue(&desc::<f32>(call, lhs, rhs, out), pool, epilogue),
            ElemType::F64 => matmul_with_epilogue(&desc::<f64>(call, lhs, rhs, out), pool, epilogue),
            ElemType::I32 => matmul_with_epilogue(&desc::<i32>(call, lhs, rhs, out), pool, epilogue),
            ElemType::I64 => matmul_with_epilogue(&desc::<i64>(call, lhs, rhs, out), pool, epilogue),
            ElemType::Bool => panic!("gemm: bool is not a GEMM element type"),
        }
    }
}

/// [`gemm`] through the portable (crate) path only, whatever the CPU: the baseline
/// for benchmarks and tests.
///
/// # Safety
/// As [`gemm`].
#[doc(hidden)]
pub unsafe fn gemm_portable(call: &GemmCall, lhs: *const u8, rhs: *const u8, out: *mut u8, pool: &ThreadPool) {
    // SAFETY: forwarded contract.
    unsafe {
        match call.elem {
            ElemType::F32 => generic::matmul_portable(&desc::<f32>(call, lhs, rhs, out), pool),
            ElemType::F64 => generic::matmul_portable(&desc::<f64>(call, lhs, rhs, out), pool),
            ElemType::I32 => generic::matmul_portable(&desc::<i32>(call, lhs, rhs, out), pool),
            ElemType::I64 => generic::matmul_portable(&desc::<i64>(call, lhs, rhs, out), pool),
            ElemType::Bool => panic!("gemm: bool is not a GEMM element type"),
        }
    }
}
