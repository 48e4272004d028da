//! Reusable, 64-byte aligned packing buffers, one of each kind per thread, so a call
//! does not allocate once its thread has run a product of the same size.

use std::cell::Cell;
use std::thread::LocalKey;

/// One cache line of floats: the allocation unit, for alignment.
#[derive(Copy, Clone)]
#[repr(C, align(64))]
struct Line([f32; 16]);

/// Which per-thread buffer to borrow.
#[derive(Copy, Clone)]
pub(super) enum Kind {
    /// A packed block of `A`.
    A,
    /// A packed block of `B` used by one task.
    B,
    /// The packed `B` of a whole call, shared by its tasks.
    Shared,
    /// An operand packed once for many calls.
    Prepacked,
    /// One row of an operand made on demand, before it is packed.
    Row,
}

/// Largest buffer a thread keeps for reuse (64 MiB); larger ones are freed after use.
const MAX_KEPT_LINES: usize = 1 << 20;

thread_local! {
    static A: Cell<Vec<Line>> = const { Cell::new(Vec::new()) };
    static B: Cell<Vec<Line>> = const { Cell::new(Vec::new()) };
    static SHARED: Cell<Vec<Line>> = const { Cell::new(Vec::new()) };
    static PREPACKED: Cell<Vec<Line>> = const { Cell::new(Vec::new()) };
    static ROW: Cell<Vec<Line>> = const { Cell::new(Vec::new()) };
}

/// A buffer borrowed from the current thread's slot of its kind (or a fresh one if
/// the slot is in use), returned to the slot on drop. Its contents are uninitialized.
pub(super) struct Scratch {
    lines: Vec<Line>,
    slot: &'static LocalKey<Cell<Vec<Line>>>,
}

impl Scratch {
    /// A buffer of at least `floats` floats (plus one line of slack).
    pub fn take(kind: Kind, floats: usize) -> Scratch {
        let slot = match kind {
            Kind::A => &A,
            Kind::B => &B,
            Kind::Shared => &SHARED,
            Kind::Prepacked => &PREPACKED,
            Kind::Row => &ROW,
        };
        let mut lines = slot.with(Cell::take);
        lines.reserve(floats.div_ceil(16) + 1);
        Scratch { lines, slot }
    }

    /// The first float; the buffer is writable for the requested length.
    pub fn ptr(&mut self) -> *mut f32 {
        self.lines.as_mut_ptr().cast()
    }

    /// The first `floats` floats (requested at [`Scratch::take`]) as a slice; zeroed
    /// the first time they are used.
    pub fn slice(&mut self, floats: usize) -> &mut [f32] {
        let lines = floats.div_ceil(16);
        if self.lines.len() < lines {
            self.lines.resize(lines, Line([0.0; 16]));
        }
        // SAFETY: the first `lines` lines are initialized floats.
        unsafe { std::slice::from_raw_parts_mut(self.ptr(), floats) }
    }

    /// The first float, for reading what was written through [`Scratch::ptr`].
    pub fn ptr_const(&self) -> *const f32 {
        self.lines.as_ptr().cast()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let lines = std::mem::take(&mut self.lines);
        self.slot.with(|s| {
            let old = s.take();
            let keep = if old.capacity() > lines.capacity() { old } else { lines };
            if keep.capacity() <= MAX_KEPT_LINES {
                s.set(keep);
            }
        });
    }
}
