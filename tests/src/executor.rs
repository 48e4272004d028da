//! How `test run` executes a module: behind a trait, so a JIT can run the same files.

use xlac_ir::{Module, Tensor};

/// Something that runs the entry function of a module on host tensors.
pub trait Executor {
    /// A short name for failure messages (`interp`, `jit-O2`).
    fn name(&self) -> &str;

    /// Runs the module's entry function (`@main`, or its only function) on `args` and
    /// returns its results, or an error message.
    fn execute(&self, module: &Module, args: &[Tensor]) -> Result<Vec<Tensor>, String>;
}

/// The reference interpreter, `xlac_interp`: the executor whose results `XLAC_BLESS=1`
/// records.
#[derive(Debug, Default, Clone, Copy)]
pub struct Interpreter;

impl Executor for Interpreter {
    fn name(&self) -> &str {
        "interp"
    }

    fn execute(&self, module: &Module, args: &[Tensor]) -> Result<Vec<Tensor>, String> {
        xlac_interp::run_entry(module, args).map_err(|e| e.to_string())
    }
}

/// The JIT at one optimization level, through the driver (`xlac::compile`).
#[derive(Debug, Clone, Copy)]
pub struct Jit {
    /// Optimization level.
    pub level: xlac::OptLevel,
}

impl Executor for Jit {
    fn name(&self) -> &str {
        match self.level {
            xlac::OptLevel::O0 => "jit-O0",
            xlac::OptLevel::O1 => "jit-O1",
            xlac::OptLevel::O2 => "jit-O2",
        }
    }

    fn execute(&self, module: &Module, args: &[Tensor]) -> Result<Vec<Tensor>, String> {
        let options = xlac::Options { opt_level: self.level, ..Default::default() };
        let exe = xlac::compile(module, &options).map_err(|e| format!("compile: {e}"))?;
        exe.run(args).map_err(|e| format!("run: {e}"))
    }
}
