//! The `extern "C"` functions AOT objects call. Their names are the C ABI: keep them.
//!
//! Every function trusts its caller, the generated entry function: descriptions come
//! from the compiler, and pointers satisfy the runtime's memory contract (aligned to
//! the element size, valid for the extents described, outputs not overlapping inputs).

use super::calls::{XlacConv, XlacGather, XlacGemm, XlacPool};
use super::threads::pool_for;
use crate::aligned::AlignedBytes;
use crate::kernels;
use crate::program::KernelFn;
use std::cell::RefCell;

/// Runs generated kernel `kernel` over `0..outer` with argument table `args`, split
/// into ranges over the pool of `threads` when `outer · work_per_iter` is large.
///
/// # Safety
/// `kernel` is a generated kernel and `args` its argument table, valid for the call.
#[no_mangle]
pub unsafe extern "C" fn xlac_rt_parallel_for(
    kernel: KernelFn,
    args: *const *mut u8,
    outer: usize,
    work_per_iter: usize,
    threads: i32,
) {
    let pool = pool_for(threads);
    // SAFETY: forwarded contract.
    unsafe { crate::exec::run_kernel(&pool, kernel, args, outer, work_per_iter) }
}

/// Batched matrix product (see [`crate::kernels::gemm::gemm`]).
///
/// # Safety
/// `call` points at a valid description; the pointers satisfy the contract of
/// [`crate::kernels::gemm::gemm`] for it.
#[no_mangle]
pub unsafe extern "C" fn xlac_rt_gemm(
    call: *const XlacGemm,
    lhs: *const u8,
    rhs: *const u8,
    out: *mut u8,
    threads: i32,
) {
    // SAFETY: forwarded contract.
    let call = unsafe { &*call }.to_call();
    // SAFETY: forwarded contract.
    unsafe { kernels::gemm::gemm(&call, lhs, rhs, out, &pool_for(threads)) }
}

thread_local! {
    /// Convolution scratch for calls whose caller-provided scratch is too small for the
    /// pool they run on (grown on demand, kept per thread).
    static CONV_SCRATCH: RefCell<AlignedBytes> = RefCell::new(AlignedBytes::zeroed(0));
}

/// N-d convolution (see [`crate::kernels::conv::conv`]). `scratch` (64-byte aligned,
/// `scratch_len` bytes, may be null when 0) is used when it is large enough for the
/// pool's thread count; otherwise a per-thread runtime buffer is (allocated once).
///
/// # Safety
/// `call` points at a valid description; the pointers satisfy the contract of
/// [`crate::kernels::conv::conv`]; `scratch` is valid for `scratch_len` bytes, used by
/// no one else during the call.
#[no_mangle]
pub unsafe extern "C" fn xlac_rt_conv(
    call: *const XlacConv,
    input: *const u8,
    kernel: *const u8,
    out: *mut u8,
    scratch: *mut u8,
    scratch_len: usize,
    threads: i32,
) {
    // SAFETY: forwarded contract.
    let call = unsafe { &*call }.to_call();
    let pool = pool_for(threads);
    // SAFETY: forwarded contract.
    unsafe {
        with_conv_scratch(&call, scratch, scratch_len, &pool, &mut |s| {
            kernels::conv::conv(&call, input, kernel, out, s, &pool)
        })
    }
}

/// Calls `body` with scratch for `call` on `pool`: the caller's when it is large
/// enough, otherwise a per-thread runtime buffer (allocated once).
///
/// # Safety
/// `scratch` is valid for `scratch_len` bytes (or null), used by no one else meanwhile.
unsafe fn with_conv_scratch(
    call: &crate::program::ConvCall,
    scratch: *mut u8,
    scratch_len: usize,
    pool: &crate::pool::ThreadPool,
    body: &mut dyn FnMut(&mut [u8]),
) {
    let need = kernels::conv::scratch_bytes(call, pool.threads());
    if !scratch.is_null() && scratch_len >= need {
        // SAFETY: the caller's scratch is valid for `scratch_len` bytes and ours alone.
        return body(unsafe { std::slice::from_raw_parts_mut(scratch, scratch_len) });
    }
    CONV_SCRATCH.with_borrow_mut(|s| {
        if s.len() < need {
            *s = AlignedBytes::zeroed(need);
        }
        body(s)
    });
}

/// A batched matrix product whose output rows then run through generated kernel
/// `epilogue` (argument table `args`, `outer` outer iterations) as soon as they are
/// final; see [`crate::program::Epilogue`].
///
/// # Safety
/// As [`xlac_rt_gemm`]; `epilogue` is a generated kernel whose iterations read only the
/// product's rows they cover, `args` its argument table.
#[no_mangle]
pub unsafe extern "C" fn xlac_rt_gemm_fused(
    call: *const XlacGemm,
    lhs: *const u8,
    rhs: *const u8,
    out: *mut u8,
    epilogue: KernelFn,
    args: *const *mut u8,
    outer: usize,
    threads: i32,
) {
    // SAFETY: forwarded contract.
    let call = unsafe { &*call }.to_call();
    let pool = pool_for(threads);
    // SAFETY: forwarded contract.
    unsafe {
        let (rows, row_len) = call.output_rows();
        crate::exec::with_row_epilogue(rows, row_len, epilogue, args, outer, &mut |epi| {
            kernels::gemm::gemm_with_epilogue(&call, lhs, rhs, out, &pool, Some(epi))
        })
    }
}

/// A convolution whose output images then run through generated kernel `epilogue`
/// (as [`xlac_rt_gemm_fused`]); scratch as [`xlac_rt_conv`].
///
/// # Safety
/// As [`xlac_rt_conv`] and [`xlac_rt_gemm_fused`].
#[no_mangle]
pub unsafe extern "C" fn xlac_rt_conv_fused(
    call: *const XlacConv,
    input: *const u8,
    kernel: *const u8,
    out: *mut u8,
    scratch: *mut u8,
    scratch_len: usize,
    epilogue: KernelFn,
    args: *const *mut u8,
    outer: usize,
    threads: i32,
) {
    // SAFETY: forwarded contract.
    let call = unsafe { &*call }.to_call();
    let pool = pool_for(threads);
    let (rows, row_len) = call.output_rows();
    // SAFETY: forwarded contract.
    unsafe {
        with_conv_scratch(&call, scratch, scratch_len, &pool, &mut |s| {
            crate::exec::with_row_epilogue(rows, row_len, epilogue, args, outer, &mut |epi| {
                kernels::conv::conv_with_epilogue(&call, input, kernel, out, s, &pool, Some(epi))
            })
        })
    }
}

/// Pooling (see [`crate::kernels::pool::pool`]).
///
/// # Safety
/// `call` points at a valid description; the pointers satisfy the contract of
/// [`crate::kernels::pool::pool`].
#[no_mangle]
pub unsafe extern "C" fn xlac_rt_pool(call: *const XlacPool, input: *const u8, out: *mut u8, threads: i32) {
    // SAFETY: forwarded contract.
    let call = unsafe { &*call }.to_call();
    // SAFETY: forwarded contract.
    unsafe { kernels::pool::pool(&call, input, out, &pool_for(threads)) }
}

/// Gather (see [`crate::kernels::gather::gather`]).
///
/// # Safety
/// `call` points at a valid description; the pointers satisfy the contract of
/// [`crate::kernels::gather::gather`].
#[no_mangle]
pub unsafe extern "C" fn xlac_rt_gather(
    call: *const XlacGather,
    x: *const u8,
    indices: *const u8,
    out: *mut u8,
    threads: i32,
) {
    // SAFETY: forwarded contract.
    let call = unsafe { &*call }.to_call();
    // SAFETY: forwarded contract.
    unsafe { kernels::gather::gather(&call, x, indices, out, &pool_for(threads)) }
}
