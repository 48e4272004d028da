//! The `--pass-stats` table.

use crate::PassStat;

/// A table of `stats`, one row per pass run: pass, time in ms, changed, notes.
pub fn format_pass_stats(stats: &[PassStat]) -> String {
    let width = stats.iter().map(|s| s.pass.len()).max().unwrap_or(0).max("pass".len());
    let mut out = format!("{:<width$}  {:>9}  {:<7}  notes\n", "pass", "time ms", "changed");
    for s in stats {
        let changed = if s.changed { "yes" } else { "no" };
        let ms = s.time.as_secs_f64() * 1e3;
        out.push_str(format!("{:<width$}  {ms:>9.3}  {changed:<7}  {}", s.pass, s.notes.join("; ")).trim_end());
        out.push('\n');
    }
    out
}

/// `n` and `noun`, plural unless `n` is 1 (`1 op`, `3 ops`); for pass notes.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
