//! The `xlac` command. See `xlac --help`.

use std::process::ExitCode;

fn main() -> ExitCode {
    xlac::cli::main()
}
