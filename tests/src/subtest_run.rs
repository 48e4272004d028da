//! `test run`: each `// run: ARG ; ARG ...` line runs the entry function on its
//! arguments; the `// expect: LITERAL : TYPE` lines right below it give the results.

use crate::runner::Cx;
use crate::{compare_tensors, format_typed_literal};
use xlac_ir::{Module, Tensor};

const RUN: &str = "// run:";
const EXPECT: &str = "// expect:";

/// Returns `text` with the expect lines of every run block replaced by the reference
/// executor's results where they differ from the expectation. Fails on unparsable
/// arguments, an executor error, or another executor disagreeing with the expectation.
pub(crate) fn run(cx: &Cx, text: &str) -> Result<String, String> {
    let module = cx.parse(text)?;
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    let mut blocks = 0;
    let mut i = 0;
    while i < lines.len() {
        out.push_str(lines[i]);
        out.push('\n');
        let Some(args) = lines[i].trim_start().strip_prefix(RUN) else {
            i += 1;
            continue;
        };
        blocks += 1;
        let run_line = i + 1;
        let indent = &lines[i][..lines[i].len() - lines[i].trim_start().len()];
        i += 1;
        let mut expected = Vec::new();
        while i < lines.len() {
            let Some(e) = lines[i].trim_start().strip_prefix(EXPECT) else { break };
            expected.push((lines[i], e.trim()));
            i += 1;
        }
        cx.set_line(run_line);
        let block = run_block(cx, &module, args, &expected).map_err(|e| format!("line {run_line}: {e}"))?;
        match block {
            None => expected.iter().for_each(|(l, _)| {
                out.push_str(l);
                out.push('\n');
            }),
            Some(results) => results.iter().for_each(|t| {
                out.push_str(&format!("{indent}{EXPECT} {}\n", format_typed_literal(t)));
            }),
        }
    }
    if blocks == 0 {
        return Err("a `test run` file needs at least one `// run:` line".into());
    }
    Ok(out)
}

/// Runs one block on every executor. `None` if the expectation holds; otherwise the
/// reference executor's results, which replace it.
fn run_block(cx: &Cx, module: &Module, args: &str, expected: &[(&str, &str)]) -> Result<Option<Vec<Tensor>>, String> {
    let args = parse_args(cx, args)?;
    let mut executors = cx.config.executors.iter();
    let reference = executors.next().ok_or("no executor configured")?;
    let results = reference.execute(module, &args).map_err(|e| format!("{} failed: {e}", reference.name()))?;
    let wanted: Option<Vec<Tensor>> = expected.iter().map(|(_, e)| cx.literal(e).ok()).collect();
    let (holds, wanted) = match wanted {
        Some(w) => match matches(&results, &w) {
            Ok(()) => (true, w),
            Err(e) => {
                cx.note(format!("{} result differs from the expectation: {e}", reference.name()));
                (false, w)
            }
        },
        None => {
            cx.note("an `// expect:` line is not a valid `LITERAL : TYPE`".into());
            (false, Vec::new())
        }
    };
    let wanted = if holds { wanted } else { results.clone() };
    for e in executors {
        let other = e.execute(module, &args).map_err(|err| format!("{} failed: {err}", e.name()))?;
        matches(&other, &wanted).map_err(|err| format!("{} disagrees with {}: {err}", e.name(), reference.name()))?;
    }
    Ok((!holds).then_some(results))
}

fn parse_args(cx: &Cx, args: &str) -> Result<Vec<Tensor>, String> {
    args.split(';')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .enumerate()
        .map(|(i, a)| cx.literal(a).map_err(|e| format!("argument {i} `{a}`: {e}")))
        .collect()
}

fn matches(actual: &[Tensor], expected: &[Tensor]) -> Result<(), String> {
    if actual.len() != expected.len() {
        return Err(format!("{} results, expected {}", actual.len(), expected.len()));
    }
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        compare_tensors(a, e).map_err(|err| format!("result {i}: {err}"))?;
    }
    Ok(())
}
