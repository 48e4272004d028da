//! xlac's test support: the filetest runner.
//!
//! A filetest is a `.ir` file under `tests/filetests/` whose first comment lines name the
//! tests to run on it (`// test cat`, `// test verify`, `// test run`) and whose
//! expected output sits in comments in the same file. The runner runs every file,
//! compares, and either prints a unified diff of the file against what it should be or,
//! with `XLAC_BLESS=1`, rewrites the expectations in place. See
//! `tests/filetests/README.md` for the format.
//!
//! `test run` executes through the [`Executor`] trait, so the code generators can run
//! the same files as the reference interpreter.

mod compare;
mod executor;
mod file;
mod literal;
mod runner;
mod subtest_cat;
mod subtest_pass;
mod subtest_run;
mod subtest_verify;

pub use compare::{compare_tensors, values_close};
pub use executor::{Executor, Interpreter, Jit};
pub use file::{Command, TestFile};
pub use literal::{format_element, format_tensor, format_typed_literal};
pub use runner::{collect_files, ops_covered_by_run_tests, run_file, run_filetests, Config, Failure, Report};
