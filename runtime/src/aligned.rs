//! [`AlignedBytes`]: an owned, zero-initialised byte buffer aligned to 64 bytes (2 MiB
//! for large buffers, so transparent huge pages can back them).

use std::alloc::{self, Layout};
use std::ptr::NonNull;

/// Alignment of every buffer the runtime allocates (a cache line, the widest vector).
pub const ALIGN: usize = 64;

/// Buffers of at least this size are aligned to 2 MiB and advised as huge pages.
const HUGE: usize = 4 << 20;

/// A non-null, [`ALIGN`]-aligned pointer for zero-sized buffers (never dereferenced).
pub fn dangling() -> *mut u8 {
    std::ptr::without_provenance_mut(ALIGN)
}

/// An owned byte buffer aligned to [`ALIGN`] bytes, every page touched at creation (so
/// using it later takes no page faults). Zero-sized buffers allocate nothing.
pub struct AlignedBytes {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: AlignedBytes owns its allocation exclusively, like a Vec<u8>.
unsafe impl Send for AlignedBytes {}
// SAFETY: shared access only hands out `&[u8]`, like a Vec<u8>.
unsafe impl Sync for AlignedBytes {}

impl AlignedBytes {
    /// `len` zero bytes.
    pub fn zeroed(len: usize) -> AlignedBytes {
        let Some(layout) = Self::layout(len) else {
            return AlignedBytes { ptr: NonNull::new(dangling()).expect("non-null"), len: 0 };
        };
        // SAFETY: the layout has a non-zero size.
        let raw = unsafe { alloc::alloc(layout) };
        let Some(ptr) = NonNull::new(raw) else { alloc::handle_alloc_error(layout) };
        advise_huge(raw, len);
        // SAFETY: `raw` points at `len` writable bytes; writing them also prefaults every page.
        unsafe { std::ptr::write_bytes(raw, 0, len) };
        AlignedBytes { ptr, len }
    }

    /// A copy of `data`.
    pub fn from_slice(data: &[u8]) -> AlignedBytes {
        let mut b = AlignedBytes::zeroed(data.len());
        b.copy_from_slice(data);
        b
    }

    fn layout(len: usize) -> Option<Layout> {
        if len == 0 {
            return None;
        }
        let align = if len >= HUGE { 2 << 20 } else { ALIGN };
        Some(Layout::from_size_align(len, align).expect("buffer size overflows isize"))
    }

    /// Base pointer (aligned; dangling but aligned when empty).
    pub fn as_ptr(&self) -> *const u8 {
        self.ptr.as_ptr()
    }

    /// Mutable base pointer (aligned; dangling but aligned when empty).
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.ptr.as_ptr()
    }
}

#[cfg(target_os = "linux")]
fn advise_huge(ptr: *mut u8, len: usize) {
    if len >= HUGE {
        // SAFETY: madvise only gives the kernel a hint about our own mapping; failure is harmless.
        unsafe { libc::madvise(ptr.cast(), len, libc::MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge(_ptr: *mut u8, _len: usize) {}

impl Drop for AlignedBytes {
    fn drop(&mut self) {
        if let Some(layout) = Self::layout(self.len) {
            // SAFETY: allocated in `zeroed` with this very layout.
            unsafe { alloc::dealloc(self.ptr.as_ptr(), layout) };
        }
    }
}

impl std::ops::Deref for AlignedBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: `ptr` is valid for `len` initialised bytes (or dangling with len 0).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl std::ops::DerefMut for AlignedBytes {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `deref`, and `&mut self` makes the access exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Clone for AlignedBytes {
    fn clone(&self) -> AlignedBytes {
        AlignedBytes::from_slice(self)
    }
}

impl std::fmt::Debug for AlignedBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AlignedBytes({} bytes)", self.len)
    }
}

impl PartialEq for AlignedBytes {
    fn eq(&self, other: &AlignedBytes) -> bool {
        **self == **other
    }
}
