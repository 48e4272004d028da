//! The rule coverage of `tests/filetests/eqsat/`: every rule has a filetest that names it
//! (`// rule: NAME`), and each named rule actually fires on its file (with fast-math when
//! the file says `// set fast_math`). The files themselves (expected output, verification,
//! interpreter equivalence, blessing) run in the shared filetest runner as
//! `test pass eqsat` (`tests/tests/filetests.rs`).

mod eqsat_util;

use eqsat_util::*;
use std::collections::BTreeSet;
use std::path::Path;
use xlac_passes::eqsat::{optimize_function, rules::catalog, Limits};

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

fn check_rules_fire(path: &Path) -> Result<(), String> {
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
    Ok(())
}

#[test]
fn named_rules_fire_on_their_filetests() {
    let files = ir_files(&root().join("tests/filetests/eqsat"));
    assert!(!files.is_empty(), "no eqsat filetests");
    let failures: Vec<String> =
        files.iter().filter_map(|p| check_rules_fire(p).err().map(|e| format!("FAIL {}\n{e}", p.display()))).collect();
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
