//! The parser never panics: every example module, truncated, byte-flipped, with numbers
//! replaced by extreme values and with lines shuffled, parses to a module or to
//! diagnostics that render with a line and column.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use xlac_frontend::{load_module, parse_module};

/// Used in addition to `examples/*.ir`, so the test means something on its own.
const EMBEDDED: &[&str] = &[
    "weights \"w.safetensors\"\n\nfunc @helper(%a: f32[2,3]) -> (f32[2,3], f32[]) {\n  \
     %s = reduce %a, kind=sum, dims=[0,1] : f32[]\n  return %a, %s\n}\n\n\
     func @main(%x: f32[2,3], %idx: i64[2]) -> f32[2,2] {\n  \
     %c = constant value=[[1.0, 2.5, -3.0], [inf, -inf, nan]] : f32[2,3]\n  \
     %w = constant value=weight(\"w1\") : f32[2,3]\n  %y = add %x, %c : f32[2,3]\n  \
     %p = pad %y, %s, low=[1,0], high=[0,1], interior=[0,0] : f32[3,4]\n  \
     %rw = reduce_window %y, kind=max, window=[1,2], strides=[1,1], padding=[[0,0],[0,1]] : f32[2,3]\n  \
     %g = gather %y, %idx, axis=1 : f32[2,2]\n  %c1, %c2 = call %x, callee=@helper : f32[2,3], f32[]\n  \
     return %g\n}\n",
    "func @conv(%img: f32[1,2,4,4], %k: f32[2,1,3,3]) -> f32[1,2,4,4] {\n  \
     %c = convolution %img, %k, strides=[1,1], padding=[[1,1],[1,1]], rhs_dilation=[1,1], feature_groups=2 : f32[1,2,4,4]\n  \
     %t = transpose %c, perm=[0,1,3,2] : f32[1,2,4,4]\n  %s = slice %t, start=[0,0,0,0], limit=[1,2,4,4], strides=[1,1,2,1] : f32[1,2,2,4]\n  \
     %d = dot_general %s, %s, lhs_batch=[0,1], rhs_batch=[0,1], lhs_contract=[3], rhs_contract=[3] : f32[1,2,2,2]\n  \
     %i = iota dim=3 : i32[1,2,4,4]\n  %b = constant value=[true, false] : bool[2]\n  \
     %r = reshape %c : f32[2,16]\n  %cc = concatenate %r, %r, dim=0 : f32[4,16]\n  return %c\n}\n",
];

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn corpus() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(examples_dir())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ir"))
        .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(&p).ok()?)))
        .collect();
    files.sort();
    files.extend(EMBEDDED.iter().enumerate().map(|(i, t)| (format!("embedded{i}.ir"), t.to_string())));
    files
}

/// A small deterministic xorshift generator.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Parses `text`; returns a failure description if parsing panicked, an error did not
/// render with a position, or a parsed module does not print and reparse to the same text.
fn check(name: &str, text: &str) -> Option<String> {
    let base = examples_dir();
    let result = catch_unwind(AssertUnwindSafe(|| parse_module(name, text, Some(&base))));
    match result {
        Err(_) => Some(format!("panic on {name}:\n{text}")),
        Ok(Ok(m)) => {
            let printed = xlac_ir::print_module(&m);
            match parse_module("printed.ir", &printed, Some(&base)) {
                Ok(again) if xlac_ir::print_module(&again) == printed => None,
                _ => Some(format!("{name} parsed but its printed form does not round-trip:\n{printed}")),
            }
        }
        Ok(Err(d)) => {
            let rendered = d.render(false);
            let positioned = !d.is_empty()
                && rendered.contains(&format!("--> {name}:"))
                && d.messages().iter().all(|(line, col, msg)| *line >= 1 && *col >= 1 && !msg.is_empty());
            (!positioned).then(|| format!("bad diagnostics for {name}:\n{rendered}\n--- input:\n{text}"))
        }
    }
}

fn mutants(text: &str, rng: &mut XorShift) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let stride = (bytes.len() / 150).max(1);
    for len in (0..bytes.len()).step_by(stride) {
        out.push(String::from_utf8_lossy(&bytes[..len]).into_owned());
    }
    const ALPHABET: &[u8] = b"%@[](){},:=->\"\\0123456789.eE_ \nabcxyz\x7f\xc3\xff";
    for _ in 0..300 {
        let mut b = bytes.to_vec();
        for _ in 0..1 + rng.below(3) {
            let i = rng.below(b.len());
            if let Some(slot) = b.get_mut(i) {
                *slot = ALPHABET[rng.below(ALPHABET.len())];
            }
        }
        out.push(String::from_utf8_lossy(&b).into_owned());
    }
    const EXTREMES: &[&str] =
        &["0", "-1", "65536", "4294967296", "9223372036854775807", "-9223372036854775808", "99999999999999999999"];
    let digit_runs: Vec<(usize, usize)> = digit_runs(text);
    for _ in 0..200 {
        let Some(&(s, e)) = digit_runs.get(rng.below(digit_runs.len())) else { break };
        let with = EXTREMES[rng.below(EXTREMES.len())];
        out.push(format!("{}{}{}", &text[..s], with, &text[e..]));
    }
    let lines: Vec<&str> = text.lines().collect();
    for _ in 0..20 {
        let mut shuffled = lines.clone();
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, rng.below(i + 1));
        }
        out.push(shuffled.join("\n"));
        let mut dropped = lines.clone();
        if !dropped.is_empty() {
            dropped.remove(rng.below(dropped.len()));
        }
        out.push(dropped.join("\n"));
    }
    out
}

fn digit_runs(text: &str) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// `XLAC_ROBUSTNESS_ROUNDS=n` runs `n` rounds of mutations (default 1) for a longer search.
#[test]
fn mutated_modules_never_panic() {
    let rounds: u64 = std::env::var("XLAC_ROBUSTNESS_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(1);
    let mut failures = Vec::new();
    let corpus = corpus();
    assert!(corpus.len() >= EMBEDDED.len());
    for round in 0..rounds {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15 ^ round.wrapping_mul(0x2545_f491_4f6c_dd1d));
        for (path, text) in &corpus {
            let name = Path::new(path).file_name().map_or(path.clone(), |n| n.to_string_lossy().into_owned());
            failures.extend(check(&name, text));
            for m in mutants(text, &mut rng) {
                failures.extend(check(&name, &m));
            }
        }
    }
    if let Some(first) = failures.first() {
        panic!("{} failures; the first:\n{first}", failures.len());
    }
}

#[test]
fn deep_nesting_and_huge_shapes_are_errors() {
    for text in [
        format!("func @f() -> f32[] {{\n  %c = constant value={} : f32[]\n  return %c\n}}\n", "[".repeat(100_000)),
        format!("func @f(%x: f32[{}]) -> f32[] {{\n  return %x\n}}\n", ["4294967296"; 3].join(",")),
        format!("func @f(%x: f32[{}]) -> f32[] {{\n  return %x\n}}\n", ["1"; 100].join(",")),
        "func @f() -> f32[0,4294967296,4294967296] {\n  %c = constant value=[] : f32[0,4294967296,4294967296]\n  return %c\n}\n"
            .to_string(),
    ] {
        assert_eq!(check("t.ir", &text), None);
        assert!(parse_module("t.ir", &text, None).is_err());
    }
}

#[test]
fn invalid_utf8_files_are_errors() {
    let path = std::env::temp_dir().join(format!("xlac-robustness-{}.ir", std::process::id()));
    for bytes in [&b"\xff\xfe"[..], b"func @f(%x: f32[]) -> f32[] {\n  return %x\xc3\n}\n", b"\xe2\x82"] {
        std::fs::write(&path, bytes).unwrap();
        let result = catch_unwind(|| load_module(&path));
        let err = result.expect("load_module panicked").expect_err("invalid UTF-8 parsed");
        assert!(err.render(false).contains(":1:") || err.render(false).contains(":2:"), "{err}");
    }
    std::fs::remove_file(&path).unwrap();
}
