//! Library kernels against naive reference loops written here, run through a
//! one-step `Program` (so validation is exercised too) with 1 and 2 threads.

mod common;
mod conv;
mod gather;
mod gemm;
mod pool;
