//! Module-to-module passes: the pass manager, canonicalization, equality saturation,
//! fusion, scheduling.
//!
//! Invariant: every pass leaves a module the verifier accepts and the interpreter agrees
//! with (within the floating-point tolerance its rewrites allow).

mod pass;

pub use pass::{Pass, PassCx, PassError, PassStat};
mod canonicalize;
mod canonicalize_rules;
mod const_fold;
mod cse;
mod dce;
pub mod eqsat;
pub mod fusion;
mod pipeline;
pub mod rewrite;
mod schedule;
mod standard;
mod stats;
pub use canonicalize::Canonicalize;
pub use const_fold::ConstFold;
pub use cse::Cse;
pub use dce::Dce;
pub use fusion::Fusion;
pub use pipeline::{FixedPoint, Pipeline, PipelineError, PipelineOptions, PipelineRun};
pub use schedule::Schedule;
pub use standard::{pass_by_name, pipeline_for, simplify, standard_pass_names, SIMPLIFY};
pub use stats::format_pass_stats;
