//! Runs the filetests of `tests/filetests/eqsat/` through the `eqsat` pass directly, in
//! the `test pass eqsat` format: the input, then the printed result after a
//! `// ----- expected -----` line (`XLAC_BLESS=1` rewrites it). Each file also names
//! the rules it covers (`// rule: NAME`), which must fire on it, and `// set fast_math`
//! turns fast-math on. Results are checked against the input on the interpreter.

mod eqsat_util;

use eqsat_util::*;
use std::collections::BTreeSet;
use std::path::Path;
use xlac_ir::print_module;
use xlac_passes::eqsat::{optimize_function, rules::catalog, Eqsat, Limits};
use xlac_passes::{Pass, PassCx};

const MARKER: &str = "// ----- expected -----";

fn header(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with("//"))
        .filter_map(|l| l.strip_prefix("//"))
        .map(str::trim)
}

/// The rules a file says it covers.
fn rules_of(text: &str) -> Vec<String> {
    header(text)
        .filter_map(|l| l.strip_prefix("rule:"))
        .flat_map(|r| r.split(','))
        .map(|r| r.trim().to_string())
        .collect()
}

fn run_file(path: &Path, bless: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let input = match text.lines().position(|l| l.trim_end() == MARKER) {
        Some(n) => text.split_inclusive('\n').take(n).collect::<String>(),
        None => text.clone(),
    };
    let fast_math = header(&input).any(|l| l == "set fast_math");
    let module = parse(path, &input)?;
    let mut applied = BTreeSet::new();
    for f in &module.functions {
        let out = optimize_function(f, fast_math, &Limits::default())?;
        applied.extend(out.applied.into_keys());
    }
    for rule in rules_of(&input) {
        if !applied.contains(&rule) {
            return Err(format!("rule `{rule}` did not fire (fired: {applied:?})"));
        }
    }
    let mut optimized = module.clone();
    let mut cx = PassCx { fast_math, notes: Vec::new() };
    Eqsat::default().run(&mut optimized, &mut cx).map_err(|e| e.to_string())?;
    xlac_ir::verify_module(&optimized).map_err(|e| format!("result does not verify: {e:?}"))?;
    let printed = print_module(&optimized);
    parse(path, &printed).map_err(|e| format!("result does not parse: {e}"))?;
    let (lo, hi) = if fast_math { (0.25, 3.0) } else { (-3.0, 3.0) };
    same_results(&module, &optimized, lo, hi)?;
    let mut want = input.trim_end().to_string();
    want.push_str("\n\n");
    want.push_str(MARKER);
    want.push('\n');
    for line in printed.lines() {
        want.push_str(if line.is_empty() { "//" } else { "// " });
        want.push_str(line);
        want.push('\n');
    }
    if want == text {
        return Ok(());
    }
    if bless {
        return std::fs::write(path, want).map_err(|e| e.to_string());
    }
    let diff: Vec<String> =
        text.lines().zip(want.lines()).filter(|(a, b)| a != b).map(|(a, b)| format!("-{a}\n+{b}")).collect();
    Err(format!("expected output differs (XLAC_BLESS=1 to accept):\n{}", diff.join("\n")))
}

#[test]
fn eqsat_filetests() {
    let bless = std::env::var("XLAC_BLESS").is_ok_and(|v| v == "1");
    let files = ir_files(&root().join("tests/filetests/eqsat"));
    assert!(!files.is_empty(), "no eqsat filetests");
    let failures: Vec<String> =
        files.iter().filter_map(|p| run_file(p, bless).err().map(|e| format!("FAIL {}\n{e}", p.display()))).collect();
    assert!(failures.is_empty(), "{} of {} files failed:\n{}", failures.len(), files.len(), failures.join("\n\n"));
}

#[test]
fn every_rule_has_a_filetest() {
    let files = ir_files(&root().join("tests/filetests/eqsat"));
    let covered: BTreeSet<String> =
        files.iter().flat_map(|p| rules_of(&std::fs::read_to_string(p).unwrap_or_default())).collect();
    let rules = catalog();
    let names: BTreeSet<String> = rules.iter().map(|r| r.name.clone()).collect();
    assert_eq!(names.len(), rules.len(), "rule names are not unique");
    assert!(rules.len() >= 40, "only {} rules", rules.len());
    let missing: Vec<&String> = names.difference(&covered).collect();
    assert!(missing.is_empty(), "rules without a filetest (`// rule: NAME`): {missing:?}");
    let unknown: Vec<&String> = covered.difference(&names).collect();
    assert!(unknown.is_empty(), "filetests name unknown rules: {unknown:?}");
    for topic in ["algebra", "shapes", "reduce", "dot"] {
        let n = rules.iter().filter(|r| r.topic == topic).count();
        eprintln!(
            "{topic}: {n} rules ({} fast-math)",
            rules.iter().filter(|r| r.topic == topic && r.fast_math).count()
        );
    }
}
