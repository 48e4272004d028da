//! Calls a [`RowEpilogue`] on rows as tasks finish them: directly when every task
//! finishes whole aligned ranges of rows, else through a count of unfinished parts
//! (each row is finished in `parts` pieces) per aligned segment, the task finishing a
//! segment running it (merged with its neighbours finished by the same task).

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::kernels::RowEpilogue;

/// The epilogue of one call over `0..total` rows.
pub(crate) struct Tracker<'a> {
    epi: Option<&'a RowEpilogue<'a>>,
    total: usize,
    /// Unfinished row pieces per segment of `align` rows, when task ranges are not aligned.
    left: Vec<AtomicUsize>,
}

impl<'a> Tracker<'a> {
    /// A tracker for `total` rows each finished in `parts` pieces (reported one by one
    /// with [`Tracker::done_parts`]); `aligned` says that every range later reported
    /// starts and ends at a multiple of the epilogue's alignment or at `total`.
    pub fn with_parts(epi: Option<&'a RowEpilogue<'a>>, total: usize, parts: usize, aligned: bool) -> Tracker<'a> {
        let align = epi.map_or(1, |e| e.align.max(1));
        let left = if epi.is_none() || (parts == 1 && (aligned || align == 1)) {
            Vec::new()
        } else {
            (0..total.div_ceil(align)).map(|s| AtomicUsize::new(parts * align.min(total - s * align))).collect()
        };
        Tracker { epi, total, left }
    }

    /// Records that `pieces` more pieces of each row of `rows` are final.
    pub fn done_parts(&self, rows: Range<usize>, pieces: usize) {
        let Some(epi) = self.epi else { return };
        if rows.is_empty() {
            return;
        }
        if self.left.is_empty() {
            return (epi.run)(rows);
        }
        let align = epi.align.max(1);
        let mut run: Option<Range<usize>> = None;
        for s in rows.start / align..rows.end.div_ceil(align) {
            let seg = s * align..((s + 1) * align).min(self.total);
            let overlap = (seg.end.min(rows.end) - seg.start.max(rows.start)) * pieces;
            // AcqRel: the task finishing the segment sees the rows other tasks wrote.
            let finished = self.left[s].fetch_sub(overlap, Ordering::AcqRel) == overlap;
            if !finished {
                if let Some(r) = run.take() {
                    (epi.run)(r);
                }
            } else if let Some(r) = run.as_mut().filter(|r| r.end == seg.start) {
                r.end = seg.end;
            } else if let Some(r) = run.replace(seg) {
                (epi.run)(r);
            }
        }
        if let Some(r) = run {
            (epi.run)(r);
        }
    }

    /// Reports all rows at once (for paths that finish the whole product first).
    pub fn all(epi: Option<&RowEpilogue>, total: usize) {
        if let Some(e) = epi {
            if total > 0 {
                (e.run)(0..total);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Reports `pieces` (rows, parts) in order and returns the ranges run.
    fn ranges(total: usize, align: usize, parts: usize, pieces: &[(Range<usize>, usize)]) -> Vec<Range<usize>> {
        let seen = Mutex::new(Vec::new());
        let run = |r: Range<usize>| seen.lock().unwrap().push(r);
        let epi = RowEpilogue { align, run: &run };
        let t = Tracker::with_parts(Some(&epi), total, parts, false);
        for (rows, n) in pieces {
            t.done_parts(rows.clone(), *n);
        }
        seen.into_inner().unwrap()
    }

    #[test]
    fn segments_run_when_complete_and_merge() {
        // Rows 0..10, align 4: segments 0..4, 4..8, 8..10.
        assert_eq!(ranges(10, 4, 1, &[(0..3, 1), (3..10, 1)]), vec![0..10]);
        assert_eq!(ranges(10, 4, 1, &[(0..6, 1), (6..10, 1)]), vec![0..4, 4..10]);
        assert_eq!(ranges(10, 4, 1, &[(5..10, 1), (0..5, 1)]), vec![8..10, 0..8]);
        // Two parts per row: nothing runs until both are in.
        assert_eq!(ranges(3, 1, 2, &[(0..3, 1), (1..2, 1), (0..1, 1), (2..3, 1)]), vec![1..2, 0..1, 2..3]);
    }
}
