//! The `Pass` trait and the context passes share.

use std::time::Duration;
use xlac_ir::Module;

/// Why a pass failed. A pass fails only on a module it cannot handle, never on a
/// module it merely cannot improve.
#[derive(Debug, thiserror::Error)]
#[error("pass `{pass}`: {message}")]
pub struct PassError {
    /// The pass's name.
    pub pass: &'static str,
    /// What went wrong.
    pub message: String,
}

/// What one run of a pass did, for `--pass-stats`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PassStat {
    /// The pass's name.
    pub pass: &'static str,
    /// Wall time.
    pub time: Duration,
    /// Whether the module changed.
    pub changed: bool,
    /// Pass-specific notes (e.g. "12 ops removed", an e-graph's stop reason).
    pub notes: Vec<String>,
}

/// State shared by the passes of one pipeline run.
#[derive(Debug, Default)]
pub struct PassCx {
    /// Allow rewrites that change floating-point results beyond reassociation.
    pub fast_math: bool,
    /// Notes the running pass adds to its [`PassStat`].
    pub notes: Vec<String>,
}

impl PassCx {
    /// Adds a note to the current pass's statistics.
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }
}

/// A module-to-module transformation. `run` returns whether it changed the module.
pub trait Pass {
    /// Short name, used by `--dump-after`, `--disable-pass` and `--pass-stats`; the
    /// file that defines the pass has the same name.
    fn name(&self) -> &'static str;

    /// Transforms `m`.
    fn run(&mut self, m: &mut Module, cx: &mut PassCx) -> Result<bool, PassError>;
}
