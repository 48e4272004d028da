//! Module-to-module passes: the pass manager, canonicalization, equality saturation,
//! fusion, scheduling.
//!
//! Invariant: every pass leaves a module the verifier accepts and the interpreter agrees
//! with (within the floating-point tolerance its rewrites allow).

mod pass;

pub use pass::{Pass, PassCx, PassError, PassStat};
