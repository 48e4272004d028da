//! The pass manager: a [`Pipeline`] runs passes in order, verifying the module after
//! each one (in debug builds, or with [`PipelineOptions::verify_each`]) and checking
//! that the entry function's signature is unchanged, can dump the module after any pass,
//! skip passes by name, and records a [`PassStat`] per pass run. A [`FixedPoint`]
//! reruns a sub-pipeline until nothing changes, up to an iteration cap.

use crate::stats::count;
use crate::{Pass, PassCx, PassError, PassStat};
use std::io::Write;
use std::time::Instant;
use xlac_ir::{print_module, verify_module, Module, TensorType, VerifyError};

/// How a [`Pipeline`] runs.
#[derive(Clone, Debug, Default)]
pub struct PipelineOptions {
    /// Verify after every pass even in release builds (debug builds always do).
    pub verify_each: bool,
    /// Pass names (or `all`) after which the module is printed to the dump sink, as
    /// `// after NAME` and the module.
    pub dump_after: Vec<String>,
    /// Pass names to skip.
    pub disabled: Vec<String>,
    /// Allow rewrites that change floating-point results beyond reassociation.
    pub fast_math: bool,
}

/// Why a pipeline stopped.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// A `--disable-pass` or `--dump-after` name that no pass has.
    #[error("unknown pass `{name}` in {option}; known passes: {}", known.join(", "))]
    UnknownPass {
        /// The name given.
        name: String,
        /// Which option named it (`--disable-pass`, `--dump-after`).
        option: &'static str,
        /// Every valid name.
        known: Vec<&'static str>,
    },
    /// The module did not verify before the first pass.
    #[error("the input module does not verify:\n{}", list(.0))]
    InvalidInput(Vec<VerifyError>),
    /// A pass left a module the verifier rejects (a compiler bug).
    #[error("pass `{pass}` broke the module:\n{}", list(.errors))]
    Broken {
        /// The pass that ran last.
        pass: &'static str,
        /// What the verifier found.
        errors: Vec<VerifyError>,
    },
    /// A pass changed the entry function's parameters or result types (a compiler bug).
    #[error("pass `{pass}` changed the signature of the entry function @{func}")]
    Signature {
        /// The pass that ran last.
        pass: &'static str,
        /// The entry function.
        func: String,
    },
    /// A pass failed.
    #[error(transparent)]
    Pass(#[from] PassError),
    /// Writing a dump failed.
    #[error("cannot write the dump after `{pass}`: {source}")]
    Dump {
        /// The pass dumped after.
        pass: &'static str,
        /// The I/O error.
        source: std::io::Error,
    },
}

fn list(errors: &[VerifyError]) -> String {
    errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n")
}

/// What a pipeline run did.
#[derive(Clone, Debug, Default)]
pub struct PipelineRun {
    /// One entry per pass run (a fixed point's own entry follows its passes' entries).
    pub stats: Vec<PassStat>,
    /// Whether any pass changed the module.
    pub changed: bool,
}

enum Stage {
    Pass(Box<dyn Pass>),
    Fixed(FixedPoint),
}

/// Passes run in order. See the module documentation.
#[derive(Default)]
pub struct Pipeline {
    stages: Vec<Stage>,
    also_known: Vec<&'static str>,
}

/// A sub-pipeline rerun until an iteration changes nothing (XLA's `HloPassFix`), at
/// most [`FixedPoint::max_iterations`] times; its [`PassStat`] says why it stopped.
pub struct FixedPoint {
    name: &'static str,
    body: Pipeline,
    /// The iteration cap (default [`FixedPoint::DEFAULT_MAX_ITERATIONS`]).
    pub max_iterations: usize,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stages: Vec<String> = self
            .stages
            .iter()
            .map(|s| match s {
                Stage::Pass(p) => p.name().to_string(),
                Stage::Fixed(fixed) => format!("{}{:?}", fixed.name, fixed.body),
            })
            .collect();
        write!(f, "[{}]", stages.join(", "))
    }
}

impl std::fmt::Debug for FixedPoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{:?} (at most {} iterations)", self.name, self.body, self.max_iterations)
    }
}

impl FixedPoint {
    /// The default iteration cap.
    pub const DEFAULT_MAX_ITERATIONS: usize = 8;

    /// A fixed point named `name` (the name of its statistics entry) over `body`.
    pub fn new(name: &'static str, body: Pipeline) -> FixedPoint {
        FixedPoint { name, body, max_iterations: FixedPoint::DEFAULT_MAX_ITERATIONS }
    }

    /// The same fixed point with another iteration cap (at least 1).
    pub fn with_max_iterations(mut self, n: usize) -> FixedPoint {
        self.max_iterations = n.max(1);
        self
    }
}

impl Pipeline {
    /// An empty pipeline: running it only verifies.
    pub fn new() -> Pipeline {
        Pipeline::default()
    }

    /// Appends a pass.
    pub fn then(mut self, pass: impl Pass + 'static) -> Pipeline {
        self.push(Box::new(pass));
        self
    }

    /// Appends a boxed pass.
    pub fn push(&mut self, pass: Box<dyn Pass>) {
        self.stages.push(Stage::Pass(pass));
    }

    /// Appends a fixed point.
    pub fn then_fixed_point(mut self, fixed: FixedPoint) -> Pipeline {
        self.stages.push(Stage::Fixed(fixed));
        self
    }

    /// Also accepts `names` in `disabled` and `dump_after` without running them (so
    /// `--disable-pass=eqsat` is valid at `-O1`).
    pub fn also_known(mut self, names: &[&'static str]) -> Pipeline {
        self.also_known.extend_from_slice(names);
        self
    }

    /// The names of the passes this pipeline runs, nested ones included, once each.
    pub fn pass_names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        self.collect_names(&mut names);
        names
    }

    fn collect_names(&self, names: &mut Vec<&'static str>) {
        for stage in &self.stages {
            match stage {
                Stage::Pass(p) if !names.contains(&p.name()) => names.push(p.name()),
                Stage::Pass(_) => {}
                Stage::Fixed(fixed) => fixed.body.collect_names(names),
            }
        }
    }

    /// Every name `disabled` and `dump_after` accept (besides `all`).
    pub fn known_names(&self) -> Vec<&'static str> {
        let mut names = self.pass_names();
        for &n in &self.also_known {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names
    }

    /// Runs every pass on `m` in order, writing dumps to `dump`. Fails on an unknown
    /// pass name in `opts`, a failing pass, or a pass that breaks the module (the error
    /// names it).
    pub fn run(
        &mut self,
        m: &mut Module,
        opts: &PipelineOptions,
        dump: &mut dyn Write,
    ) -> Result<PipelineRun, PipelineError> {
        let known = self.known_names();
        check_names(&opts.disabled, "--disable-pass", &known, false)?;
        check_names(&opts.dump_after, "--dump-after", &known, true)?;
        let verify = cfg!(debug_assertions) || opts.verify_each;
        if verify {
            verify_module(m).map_err(PipelineError::InvalidInput)?;
        }
        let mut runner = Runner { opts, dump, verify, signature: signature(m), stats: Vec::new() };
        let changed = runner.run_stages(&mut self.stages, m)?;
        Ok(PipelineRun { stats: runner.stats, changed })
    }
}

fn check_names(
    names: &[String],
    option: &'static str,
    known: &[&'static str],
    all_ok: bool,
) -> Result<(), PipelineError> {
    for name in names {
        if !(known.contains(&name.as_str()) || all_ok && name == "all") {
            let mut known = known.to_vec();
            if all_ok {
                known.push("all");
            }
            return Err(PipelineError::UnknownPass { name: name.clone(), option, known });
        }
    }
    Ok(())
}

/// The entry function's name, parameter names and types, and result types.
type Signature = (String, Vec<(String, TensorType)>, Vec<TensorType>);

fn signature(m: &Module) -> Option<Signature> {
    let f = m.entry()?;
    let params = f.params.iter().map(|&p| (f.name_of(p).to_string(), f.ty(p).clone())).collect();
    Some((f.name.clone(), params, f.result_types.clone()))
}

struct Runner<'a> {
    opts: &'a PipelineOptions,
    dump: &'a mut dyn Write,
    verify: bool,
    signature: Option<Signature>,
    stats: Vec<PassStat>,
}

impl Runner<'_> {
    fn run_stages(&mut self, stages: &mut [Stage], m: &mut Module) -> Result<bool, PipelineError> {
        let mut changed = false;
        for stage in stages {
            changed |= match stage {
                Stage::Pass(p) => self.run_pass(p.as_mut(), m)?,
                Stage::Fixed(fixed) => self.run_fixed(fixed, m)?,
            };
        }
        Ok(changed)
    }

    fn run_pass(&mut self, pass: &mut dyn Pass, m: &mut Module) -> Result<bool, PipelineError> {
        let name = pass.name();
        if self.opts.disabled.iter().any(|d| d == name) {
            return Ok(false);
        }
        let mut cx = PassCx { fast_math: self.opts.fast_math, notes: Vec::new() };
        let start = Instant::now();
        let changed = pass.run(m, &mut cx)?;
        let time = start.elapsed();
        self.stats.push(PassStat { pass: name, time, changed, notes: cx.notes });
        if self.verify {
            verify_module(m).map_err(|errors| PipelineError::Broken { pass: name, errors })?;
        }
        if let Some(before) = &self.signature {
            if signature(m).as_ref() != Some(before) {
                return Err(PipelineError::Signature { pass: name, func: before.0.clone() });
            }
        }
        if self.opts.dump_after.iter().any(|d| d == name || d == "all") {
            write!(self.dump, "// after {name}\n{}", print_module(m))
                .map_err(|source| PipelineError::Dump { pass: name, source })?;
        }
        Ok(changed)
    }

    fn run_fixed(&mut self, fixed: &mut FixedPoint, m: &mut Module) -> Result<bool, PipelineError> {
        let start = Instant::now();
        let mut changed = false;
        let mut note = None;
        for iteration in 1..=fixed.max_iterations {
            if !self.run_stages(&mut fixed.body.stages, m)? {
                note = Some(format!("converged after {}", count(iteration, "iteration")));
                break;
            }
            changed = true;
        }
        let note = note
            .unwrap_or_else(|| format!("stopped at the iteration cap ({}) while still changing", fixed.max_iterations));
        self.stats.push(PassStat { pass: fixed.name, time: start.elapsed(), changed, notes: vec![note] });
        Ok(changed)
    }
}
