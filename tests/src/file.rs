//! A filetest file: its path, text and the tests its header asks for.

use std::path::{Path, PathBuf};

/// One test a file asks for in its header.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `// test cat`: parse, print canonically, compare with the trailing expected block.
    Cat,
    /// `// test verify`: the file has errors, each annotated `// error: ...` below its line.
    Verify,
    /// `// test run`: run the entry function on each `// run:` line's arguments and
    /// compare with the `// expect:` lines.
    Run,
    /// `// test pass NAME[,NAME...]` or `// test optimize -O1`: run passes, compare the
    /// printed result with the trailing expected block, and check the interpreter agrees.
    Pass,
}

impl Command {
    /// The name used in `// test NAME`.
    pub fn name(self) -> &'static str {
        match self {
            Command::Cat => "cat",
            Command::Verify => "verify",
            Command::Run => "run",
            Command::Pass => "pass",
        }
    }

    fn from_name(name: &str) -> Option<Command> {
        [Command::Cat, Command::Verify, Command::Run].into_iter().find(|c| c.name() == name)
    }
}

/// A filetest as read from disk.
#[derive(Clone, Debug)]
pub struct TestFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its whole text.
    pub text: String,
    /// The tests its header asks for, in order.
    pub commands: Vec<Command>,
}

impl TestFile {
    /// Reads `path` and its header.
    pub fn read(path: &Path) -> Result<TestFile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
        let commands = parse_commands(&text)?;
        Ok(TestFile { path: path.to_path_buf(), text, commands })
    }

    /// The file name without directories or extension, given to the parser as the
    /// module name.
    pub fn module_name(&self) -> String {
        self.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
    }

    /// The directory the file is in, which a `weights` line is relative to.
    pub fn base_dir(&self) -> Option<&Path> {
        self.path.parent()
    }
}

/// The commands of the header: every `// test NAME [NAME...]` line among the leading
/// comment and blank lines. At least one is required.
pub fn parse_commands(text: &str) -> Result<Vec<Command>, String> {
    let mut commands = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix("//") else { break };
        let Some(names) = comment.trim().strip_prefix("test ") else { continue };
        if crate::subtest_pass::is_pass_line(names) {
            if !commands.contains(&Command::Pass) {
                commands.push(Command::Pass);
            }
            continue;
        }
        for name in names.split([' ', ',']).filter(|s| !s.is_empty()) {
            let c = Command::from_name(name)
                .ok_or_else(|| format!("unknown test `{name}` (known: cat, verify, run, pass, optimize)"))?;
            if !commands.contains(&c) {
                commands.push(c);
            }
        }
    }
    if commands.is_empty() {
        return Err("no `// test cat|verify|run|pass` line at the top of the file".into());
    }
    Ok(commands)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_header_only() {
        let text = "// test cat\n// A comment.\n// test run verify\n\nfunc @f() -> f32[] {\n// test bogus\n";
        assert_eq!(parse_commands(text).unwrap(), vec![Command::Cat, Command::Run, Command::Verify]);
        assert!(parse_commands("func @f() -> f32[] {}\n// test cat\n").is_err());
        assert!(parse_commands("// test frobnicate\n").is_err());
    }
}
