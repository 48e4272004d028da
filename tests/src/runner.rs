//! Running filetests: finding them, running each file's tests, blessing, reporting.

use crate::file::{Command, TestFile};
use crate::{subtest_cat, subtest_pass, subtest_run, subtest_verify, Executor, Interpreter, Jit};
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use xlac_ir::{Module, OpKind, Tensor};

/// How to run filetests.
pub struct Config {
    /// Rewrite expectations in place instead of failing (`XLAC_BLESS=1`).
    pub bless: bool,
    /// Executors for `test run`; the first is the reference whose results bless records,
    /// the others must agree with the expectations.
    pub executors: Vec<Box<dyn Executor>>,
    /// Run only files whose path contains this (`XLAC_FILETEST=...`).
    pub filter: Option<String>,
}

impl Config {
    /// Blessing from `XLAC_BLESS=1`, the filter from `XLAC_FILETEST`, and as
    /// executors the interpreter (the reference) and the JIT at `-O0` and `-O2`.
    pub fn from_env() -> Config {
        Config {
            bless: std::env::var("XLAC_BLESS").is_ok_and(|v| v == "1"),
            executors: vec![
                Box::new(Interpreter),
                Box::new(Jit { level: xlac::OptLevel::O0 }),
                Box::new(Jit { level: xlac::OptLevel::O2 }),
            ],
            filter: std::env::var("XLAC_FILETEST").ok().filter(|s| !s.is_empty()),
        }
    }
}

/// A file that failed, with why (including a diff when expectations differ).
#[derive(Debug)]
pub struct Failure {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

/// The outcome of a run over many files.
#[derive(Debug, Default)]
pub struct Report {
    /// Files that passed (including ones that were blessed).
    pub passed: Vec<PathBuf>,
    /// Files whose expectations were rewritten.
    pub blessed: Vec<PathBuf>,
    /// Files that failed.
    pub failed: Vec<Failure>,
}

impl Report {
    /// A summary: every failure with its message, then counts.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for f in &self.failed {
            out.push_str(&format!("FAIL {}\n{}\n\n", f.path.display(), f.message.trim_end()));
        }
        for p in &self.blessed {
            out.push_str(&format!("blessed {}\n", p.display()));
        }
        out.push_str(&format!("filetests: {} passed, {} failed\n", self.passed.len(), self.failed.len()));
        for f in &self.failed {
            out.push_str(&format!("  failed: {}\n", f.path.display()));
        }
        out
    }
}

/// What a subtest sees: the file, the configuration, and a place for notes that explain
/// a changed expectation.
pub(crate) struct Cx<'a> {
    pub(crate) file: &'a TestFile,
    pub(crate) config: &'a Config,
    notes: RefCell<Vec<String>>,
    line: Cell<usize>,
}

impl Cx<'_> {
    /// Parses (and verifies) `text` as this file's module; the error is the rendered
    /// diagnostics.
    pub(crate) fn parse(&self, text: &str) -> Result<Module, String> {
        xlac_frontend::parse_module(&self.file.module_name(), text, self.file.base_dir()).map_err(|d| d.render(false))
    }

    /// The `(line, column, message)` errors of `text`, or `None` if it parses and
    /// verifies cleanly.
    pub(crate) fn parse_diagnostics(&self, text: &str) -> Option<Vec<(usize, usize, String)>> {
        xlac_frontend::parse_module(&self.file.module_name(), text, self.file.base_dir()).err().map(|d| d.messages())
    }

    /// Parses `LITERAL : TYPE`.
    pub(crate) fn literal(&self, text: &str) -> Result<Tensor, String> {
        xlac_frontend::parse_tensor_literal(text).map_err(|d| d.render(false))
    }

    /// Records why an expectation changed, attributed to the current line.
    pub(crate) fn note(&self, msg: String) {
        self.notes.borrow_mut().push(format!("line {}: {msg}", self.line.get()));
    }

    /// Sets the line that notes refer to.
    pub(crate) fn set_line(&self, line: usize) {
        self.line.set(line);
    }
}

/// Every `.ir` file under `root`, recursively, sorted by path.
pub fn collect_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "ir") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Runs every test one file asks for. `Ok(true)` if it passed after its expectations
/// were rewritten (bless), `Ok(false)` if it passed as it was.
pub fn run_file(path: &Path, config: &Config) -> Result<bool, String> {
    let file = TestFile::read(path)?;
    let cx = Cx { file: &file, config, notes: RefCell::new(Vec::new()), line: Cell::new(0) };
    let mut text = file.text.clone();
    for &command in &file.commands {
        let step = match command {
            Command::Cat => subtest_cat::run(&cx, &text),
            Command::Verify => subtest_verify::run(&cx, &text),
            Command::Run => subtest_run::run(&cx, &text),
            Command::Pass => subtest_pass::run(&cx, &text),
        };
        text = step.map_err(|e| format!("test {}: {e}", command.name()))?;
    }
    if text == file.text {
        return Ok(false);
    }
    if config.bless {
        std::fs::write(path, &text).map_err(|e| format!("cannot bless: {e}"))?;
        return Ok(true);
    }
    let mut msg = String::from("expectations differ (rerun with XLAC_BLESS=1 to accept the actual output):\n");
    for note in cx.notes.borrow().iter() {
        msg.push_str(&format!("  {note}\n"));
    }
    msg.push_str(&diff(&file.text, &text));
    Err(msg)
}

/// Runs every filetest under `root` (all of them, even after a failure; a panic counts
/// as a failure of its file).
pub fn run_filetests(root: &Path, config: &Config) -> Report {
    let mut report = Report::default();
    for path in collect_files(root) {
        if config.filter.as_ref().is_some_and(|f| !path.to_string_lossy().contains(f.as_str())) {
            continue;
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| run_file(&path, config)))
            .unwrap_or_else(|p| Err(format!("panicked: {}", panic_message(&p))));
        match outcome {
            Ok(blessed) => {
                if blessed {
                    report.blessed.push(path.clone());
                }
                report.passed.push(path);
            }
            Err(message) => report.failed.push(Failure { path, message }),
        }
    }
    report
}

/// Every op kind used by a function of a `test run` file under `root` (files that do
/// not parse are skipped; the filetests themselves report them).
pub fn ops_covered_by_run_tests(root: &Path) -> BTreeSet<OpKind> {
    let mut ops = BTreeSet::new();
    for path in collect_files(root) {
        let Ok(file) = TestFile::read(&path) else { continue };
        if !file.commands.contains(&Command::Run) {
            continue;
        }
        let Ok(m) = xlac_frontend::parse_module(&file.module_name(), &file.text, file.base_dir()) else { continue };
        ops.extend(m.functions.iter().flat_map(|f| f.ops.iter().map(|op| op.kind)));
    }
    ops
}

/// A unified diff from `old` (the file) to `new` (what it should be).
pub(crate) fn diff(old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new).unified_diff().context_radius(3).header("expected", "actual").to_string()
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default()
}
