//! `test pass NAME[,NAME...]` and `test optimize -ON`: runs the named passes (`simplify`
//! is the `-O1` fixed point of the classic passes), or the standard pipeline of a level,
//! with verification after each, keeps the printed result
//! in the trailing expected block (as `test cat` does), and checks that the optimized
//! module computes what the input did: both run on the interpreter with random inputs
//! and must agree within the run tolerance.
//!
//! A header line `// set fast_math` runs the passes with fast-math on; the semantic
//! check then skips elements where the input module's result is NaN or infinite (such
//! rewrites are allowed to turn them into numbers) and allows a relative error of 1e-3.

use crate::compare_tensors;
use crate::runner::Cx;
use crate::subtest_cat::MARKER;
use xlac_ir::{print_module, DType, Module, Tensor, TensorData, TensorType};
use xlac_passes::{pass_by_name, pipeline_for, simplify, standard_pass_names, Pipeline, PipelineOptions, SIMPLIFY};

/// Random input sets each file is checked with.
const SEEDS: u64 = 3;

/// Whether the text after `test ` is a pass line (`pass ...` or `optimize ...`).
pub(crate) fn is_pass_line(rest: &str) -> bool {
    matches!(rest.split_whitespace().next(), Some("pass" | "optimize"))
}

/// Returns `text` with its expected block replaced by the printed optimized module.
pub(crate) fn run(cx: &Cx, text: &str) -> Result<String, String> {
    let input = match text.lines().position(|l| l.trim_end() == MARKER) {
        Some(n) => text.split_inclusive('\n').take(n).collect::<String>(),
        None => text.to_string(),
    };
    let module = cx.parse(&input)?;
    let fast_math = fast_math(&input)?;
    let mut pipeline = pipeline_of(&input, fast_math)?;
    let mut optimized = module.clone();
    let opts = PipelineOptions { verify_each: true, fast_math, ..Default::default() };
    pipeline.run(&mut optimized, &opts, &mut std::io::sink()).map_err(|e| e.to_string())?;
    let printed = print_module(&optimized);
    cx.parse(&printed).map_err(|e| format!("the optimized module does not parse:\n{e}\n{printed}"))?;
    same_results(&module, &optimized, fast_math).map_err(|e| format!("{e}\noptimized module:\n{printed}"))?;
    let mut out = input.trim_end().to_string();
    out.push_str("\n\n");
    out.push_str(MARKER);
    out.push('\n');
    for line in printed.lines() {
        out.push_str(if line.is_empty() { "//" } else { "// " });
        out.push_str(line);
        out.push('\n');
    }
    Ok(out)
}

/// The text after `// ` of every header comment line.
fn header(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with("//"))
        .filter_map(|l| l.strip_prefix("//"))
        .map(str::trim)
}

/// Whether the header says `// set fast_math`; other `set` options are errors.
fn fast_math(text: &str) -> Result<bool, String> {
    let mut on = false;
    for option in header(text).filter_map(|l| l.strip_prefix("set ")) {
        match option.trim() {
            "fast_math" => on = true,
            other => return Err(format!("unknown option `set {other}` (known: fast_math)")),
        }
    }
    Ok(on)
}

/// The pipeline the header's `test pass` or `test optimize` line asks for.
fn pipeline_of(text: &str, fast_math: bool) -> Result<Pipeline, String> {
    let line = header(text)
        .filter_map(|l| l.strip_prefix("test "))
        .find(|rest| is_pass_line(rest))
        .ok_or("no `// test pass NAME` or `// test optimize -ON` line")?;
    let mut words = line.split([' ', ',']).filter(|w| !w.is_empty());
    match words.next() {
        Some("optimize") => {
            let level = words.next().and_then(|w| w.strip_prefix("-O")).and_then(|l| l.parse::<u8>().ok());
            let level = level.ok_or("expected `test optimize -O0`, `-O1` or `-O2`")?;
            Ok(pipeline_for(level, fast_math))
        }
        _ => {
            let mut p = Pipeline::new();
            let mut any = false;
            for name in words {
                any = true;
                if name == SIMPLIFY {
                    p = p.then_fixed_point(simplify());
                    continue;
                }
                let pass = pass_by_name(name, fast_math).ok_or_else(|| {
                    format!("unknown pass `{name}` (known: {}, {SIMPLIFY})", standard_pass_names().join(", "))
                })?;
                p.push(pass);
            }
            if !any {
                return Err("`test pass` needs at least one pass name".into());
            }
            Ok(p)
        }
    }
}

/// Runs the entry functions of `before` and `after` on the same random inputs and
/// compares their results (loosely under fast-math, see the module documentation).
fn same_results(before: &Module, after: &Module, fast_math: bool) -> Result<(), String> {
    let Some(entry) = before.entry() else { return Ok(()) };
    for seed in 0..SEEDS {
        let inputs: Vec<Tensor> =
            entry.param_types().iter().enumerate().map(|(i, t)| random_tensor(t, seed, i)).collect();
        let want = xlac_interp::run_entry(before, &inputs).map_err(|e| format!("the input module fails: {e}"))?;
        let got = xlac_interp::run_entry(after, &inputs).map_err(|e| format!("the optimized module fails: {e}"))?;
        if want.len() != got.len() {
            return Err(format!("the optimized module returns {} results, the input {}", got.len(), want.len()));
        }
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            let same = if fast_math { compare_fast_math(g, w) } else { compare_tensors(g, w) };
            same.map_err(|e| format!("seed {seed}, result {i}: the optimized module differs: {e}"))?;
        }
    }
    Ok(())
}

/// Like [`compare_tensors`], but elements whose expected value is NaN or infinite are
/// skipped and floats may differ by 1e-3 relative (1e-5 absolute).
fn compare_fast_math(actual: &Tensor, expected: &Tensor) -> Result<(), String> {
    if actual.ty() != expected.ty() || !expected.dtype().is_float() {
        return compare_tensors(actual, expected);
    }
    for i in 0..expected.data.len() {
        let (a, e) = (actual.data.get_f64(i), expected.data.get_f64(i));
        let close = (a - e).abs() <= 1e-5 + 1e-3 * e.abs();
        if e.is_finite() && !close {
            return Err(format!("element {i} is {a}, expected {e} (fast-math tolerance)"));
        }
    }
    Ok(())
}

/// Reproducible data for `ty`: floats uniform in [-3, 3), integers in [0, 8), fair
/// booleans (SplitMix64 per parameter).
fn random_tensor(ty: &TensorType, seed: u64, index: usize) -> Tensor {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (index as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03);
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let n = ty.shape.num_elements();
    let mut unit = || (next() >> 11) as f64 / (1u64 << 53) as f64 * 6.0 - 3.0;
    let data = match ty.dtype {
        DType::F32 => TensorData::F32((0..n).map(|_| unit() as f32).collect()),
        DType::F64 => TensorData::F64((0..n).map(|_| unit()).collect()),
        DType::I32 => TensorData::I32((0..n).map(|_| (unit() + 3.0) as i32 % 8).collect()),
        DType::I64 => TensorData::I64((0..n).map(|_| (unit() + 3.0) as i64 % 8).collect()),
        DType::Bool => TensorData::Bool((0..n).map(|_| unit() >= 0.0).collect()),
    };
    Tensor { shape: ty.shape.clone(), data }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::{parse_commands, Command};

    fn parse(text: &str) -> Module {
        xlac_frontend::parse_module("t", text, None).unwrap()
    }

    #[test]
    fn pass_lines_take_the_whole_line() {
        let text = "// test pass canonicalize,cse dce\n// set fast_math\n// test run\nfunc @f";
        assert_eq!(parse_commands(text).unwrap(), vec![Command::Pass, Command::Run]);
        assert_eq!(pipeline_of(text, false).unwrap().pass_names(), ["canonicalize", "cse", "dce"]);
        assert!(fast_math(text).unwrap());
        assert_eq!(parse_commands("// test optimize -O1\n").unwrap(), vec![Command::Pass]);
        assert!(pipeline_of("// test pass bogus\n", false).unwrap_err().contains("unknown pass `bogus`"));
        assert!(pipeline_of("// test optimize -O7x\n", false).is_err());
        assert!(fast_math("// set frobnicate\n").is_err());
    }

    #[test]
    fn a_changed_result_is_caught() {
        let before = parse("func @main(%x: f32[3]) -> f32[3] {\n  %y = exp %x : f32[3]\n  return %y\n}\n");
        let after = parse("func @main(%x: f32[3]) -> f32[3] {\n  %y = tanh %x : f32[3]\n  return %y\n}\n");
        assert!(same_results(&before, &before, false).is_ok());
        let err = same_results(&before, &after, false).unwrap_err();
        assert!(err.contains("the optimized module differs"), "{err}");
    }
}
