//! The standard pipelines of the optimization levels, and the passes by name.

use crate::eqsat::Eqsat;
use crate::pipeline::{FixedPoint, Pipeline};
use crate::{Canonicalize, ConstFold, Cse, Dce, Fusion, Pass, Schedule};

/// The name of the `-O1` fixed point over the classic passes.
pub const SIMPLIFY: &str = "simplify";

/// The pipeline of optimization level `level` (0, 1, 2; higher counts as 2).
/// `-O0`: no passes (the pipeline only verifies). `-O1`: canonicalize, const_fold, cse
/// and dce to a fixed point. `-O2`: `-O1`, then equality saturation and the fixed point
/// again on its result. Fusion, then scheduling for a low arena peak, follow at `-O1`
/// and above. `fast_math` reaches the passes through [`crate::PassCx::fast_math`].
pub fn pipeline_for(level: u8, fast_math: bool) -> Pipeline {
    let known = standard_pipeline(2, fast_math).pass_names();
    standard_pipeline(level, fast_math).also_known(&known)
}

/// Every pass name the standard pipelines use.
pub fn standard_pass_names() -> Vec<&'static str> {
    standard_pipeline(2, false).pass_names()
}

fn standard_pipeline(level: u8, fast_math: bool) -> Pipeline {
    let _ = fast_math;
    let mut p = Pipeline::new();
    if level == 0 {
        return p;
    }
    p = p.then_fixed_point(simplify());
    if level >= 2 {
        p = p.then(Eqsat::default()).then_fixed_point(simplify());
    }
    p.then(Fusion::default()).then(Schedule)
}

/// The classic passes in their fixed-point order.
fn classic() -> Pipeline {
    Pipeline::new().then(Canonicalize).then(ConstFold::default()).then(Cse).then(Dce)
}

/// The `-O1` fixed point alone ([`SIMPLIFY`]): canonicalize, const_fold, cse, dce until
/// nothing changes.
pub fn simplify() -> FixedPoint {
    FixedPoint::new(SIMPLIFY, classic())
}

/// A fresh instance of the pass named `name`, for tests and tools; `None` if no pass
/// has that name.
pub fn pass_by_name(name: &str, fast_math: bool) -> Option<Box<dyn Pass>> {
    let _ = fast_math;
    Some(match name {
        "canonicalize" => Box::new(Canonicalize),
        "const_fold" => Box::new(ConstFold::default()),
        "cse" => Box::new(Cse),
        "dce" => Box::new(Dce),
        "eqsat" => Box::new(Eqsat::default()),
        "fusion" => Box::new(Fusion::default()),
        "schedule" => Box::new(Schedule),
        _ => return None,
    })
}
