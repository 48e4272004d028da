//! N-d convolution: per image, group and tile of output positions, im2col into a
//! per-thread scratch slot and one GEMM with the group's kernel. Pointwise (1×1)
//! convolutions skip im2col. Tasks run in parallel when there are enough of them,
//! otherwise each GEMM is split over the pool. An optional [`RowEpilogue`] runs on each
//! image (row `i` = image `i`) once the last task writing it is done.

use super::gemm::{matmul, matmul_with_epilogue, MatMul, PackedLhs, Scalar, Tracker};
use super::im2col::{self, Geometry, Plane};
use super::{RowEpilogue, PARALLEL_WORK};
use crate::aligned::ALIGN;
use crate::pool::ThreadPool;
use crate::program::{ConvCall, ElemType};

/// Bytes of im2col matrix per tile (sized to stay in L2).
const TILE_BYTES: usize = 1 << 20;

/// im2col rows (`C/groups · kernel positions`) and output positions per tile.
fn tile(c: &ConvCall) -> (usize, usize) {
    let r = c.c / c.groups.max(1) * c.k_spatial.iter().product::<usize>();
    let p: usize = c.out_spatial.iter().product();
    let fit = TILE_BYTES / (r.max(1) * c.elem.size());
    let pt = if fit >= p { p } else { (fit / 16 * 16).max(32) };
    (r, pt.min(p))
}

fn slot_bytes(c: &ConvCall) -> usize {
    let (r, pt) = tile(c);
    (r * pt * c.elem.size()).next_multiple_of(ALIGN).max(ALIGN)
}

/// Scratch bytes [`conv`] needs with `threads` threads (one im2col tile per thread).
pub fn scratch_bytes(c: &ConvCall, threads: usize) -> usize {
    if Geometry::new(c).is_pointwise() {
        0
    } else {
        slot_bytes(c) * threads.max(1)
    }
}

/// Runs a [`ConvCall`] (f32 or f64).
///
/// # Safety
/// Pointers are aligned to the element size and valid for the extents of the call
/// (input `n·c·Π in_spatial`, kernel `o·c/groups·Π k_spatial`, out `n·o·Π out_spatial`
/// elements); out overlaps neither input; `scratch` holds at least
/// `scratch_bytes(c, 1)` bytes, and `scratch_bytes(c, pool.threads())` to run tasks
/// in parallel.
pub unsafe fn conv(
    c: &ConvCall,
    input: *const u8,
    kernel: *const u8,
    out: *mut u8,
    scratch: &mut [u8],
    pool: &ThreadPool,
) {
    // SAFETY: forwarded contract.
    unsafe { conv_with_epilogue(c, input, kernel, out, scratch, pool, None) }
}

/// [`conv`], calling `epilogue` on images (rows `0..n`) once every element of them is
/// written, per the contract of [`RowEpilogue`]: from the pool task that finished the
/// image's last piece where the tasks run in parallel.
///
/// # Safety
/// As [`conv`]; `epilogue` may read and write the images it is given.
pub unsafe fn conv_with_epilogue(
    c: &ConvCall,
    input: *const u8,
    kernel: *const u8,
    out: *mut u8,
    scratch: &mut [u8],
    pool: &ThreadPool,
    epilogue: Option<&RowEpilogue>,
) {
    // SAFETY: forwarded contract.
    unsafe {
        match c.elem {
            ElemType::F32 => conv_t::<f32>(c, input.cast(), kernel.cast(), out.cast(), scratch, pool, epilogue),
            ElemType::F64 => conv_t::<f64>(c, input.cast(), kernel.cast(), out.cast(), scratch, pool, epilogue),
            e => panic!("conv: {e:?} is not a convolution element type"),
        }
    }
}

/// Where one (image, group, tile) task reads and writes.
#[derive(Copy, Clone)]
struct Plan<T> {
    g: Geometry,
    c: usize,
    o: usize,
    cg: usize,
    og: usize,
    groups: usize,
    r: usize,
    pt: usize,
    tiles: usize,
    nhwc: bool,
    input: *const T,
    kernel: *const T,
    out: *mut T,
}

// SAFETY: a plan describes memory valid for the whole call; tasks read the input and
// kernel and write disjoint blocks of the output.
unsafe impl<T> Sync for Plan<T> {}

impl<T: Scalar + Default> Plan<T> {
    /// Image, group and first output position of task `t`, and its positions.
    fn place(&self, t: usize) -> (usize, usize, usize, usize) {
        let (img, grp, tile) = (t / (self.groups * self.tiles), t / self.tiles % self.groups, t % self.tiles);
        let p0 = tile * self.pt;
        (img, grp, p0, self.pt.min(self.g.out_prod - p0))
    }

    /// Runs task `t` on one thread: with the kernel packed in `packed` (one group,
    /// channels first), its im2col made row by row as the product packs it; otherwise
    /// gathered into `col` first.
    ///
    /// # Safety
    /// The pointers of the plan are valid per [`conv`]; `col` holds `r · pt` elements;
    /// `packed` was packed from the kernel.
    unsafe fn run(&self, t: usize, col: &mut [T], packed: Option<&PackedLhs>, plane: Option<&Plane>) {
        if let (Some(lhs), false) = (packed, self.nhwc) {
            let (img, grp, p0, pt) = self.place(t);
            // SAFETY: contract of `conv`.
            let (x, out) = unsafe { self.nchw_at(img, grp, p0) };
            let p = self.g.out_prod;
            // SAFETY: rows r < cg · k_prod of the group's channels.
            let rows = |r: usize, j0: usize, dst: &mut [T]| unsafe {
                match plane {
                    Some(plane) => plane.row(x, r, p0 + j0, dst),
                    None => im2col::nchw_row(&self.g, x, r, p0 + j0, dst),
                }
            };
            // SAFETY: the output block of the task; `rows` reads only the input.
            if unsafe { T::block_packed_rows(lhs, pt, out, [p as isize, 1], &rows) } {
                return;
            }
        }
        // SAFETY: forwarded contract.
        unsafe { block(&self.task(t, col), packed) }
    }

    /// Channels-first: the first input channel of group `grp` of image `img`, and its
    /// output at position `p0` of the group's first output channel.
    ///
    /// # Safety
    /// The pointers of the plan are valid per [`conv`]; `img`, `grp`, `p0` are inside.
    unsafe fn nchw_at(&self, img: usize, grp: usize, p0: usize) -> (*const T, *mut T) {
        // SAFETY: forwarded contract.
        unsafe {
            (
                self.input.add((img * self.c + grp * self.cg) * self.g.in_prod),
                self.out.add((img * self.o + grp * self.og) * self.g.out_prod + p0),
            )
        }
    }

    /// im2col of task `t` into `col`, and the product that finishes it.
    ///
    /// # Safety
    /// The pointers of the plan are valid per [`conv`]; `col` holds `r · pt` elements.
    unsafe fn task(&self, t: usize, col: &mut [T]) -> MatMul<T> {
        let (img, grp, p0, pt) = self.place(t);
        let p = self.g.out_prod;
        let col = &mut col[..self.r * pt];
        let (cg, og, r) = (self.cg, self.og, self.r);
        let (ri, ro) = (r as isize, self.o as isize);
        // SAFETY: offsets stay inside image `img`, group `grp` (contract of `conv`).
        unsafe {
            if self.nhwc {
                let x = self.input.add(img * self.g.in_prod * self.c + grp * cg);
                im2col::nhwc(&self.g, x, cg, self.c, p0, pt, col);
                let out = self.out.add((img * p + p0) * self.o + grp * og);
                let kernel = self.kernel.add(grp * og);
                mm(pt, og, r, col.as_ptr(), [ri, 1], kernel, [ro, 1], out, [ro, 1])
            } else {
                let (x, out) = self.nchw_at(img, grp, p0);
                im2col::nchw(&self.g, x, cg, p0, pt, col);
                let kernel = self.kernel.add(grp * og * r);
                mm(og, pt, r, kernel, [ri, 1], col.as_ptr(), [pt as isize, 1], out, [p as isize, 1])
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn mm<T>(
    m: usize,
    n: usize,
    k: usize,
    lhs: *const T,
    ls: [isize; 2],
    rhs: *const T,
    rs: [isize; 2],
    out: *mut T,
    os: [isize; 2],
) -> MatMul<T> {
    MatMul { batch: 1, m, n, k, lhs, ls: [0, ls[0], ls[1]], rhs, rs: [0, rs[0], rs[1]], out, os: [0, os[0], os[1]] }
}

/// One task's product, with the prepacked lhs if there is one.
///
/// # Safety
/// As [`Scalar::block`]; `packed` was packed from `p`'s lhs.
unsafe fn block<T: Scalar>(p: &MatMul<T>, packed: Option<&PackedLhs>) {
    // SAFETY: forwarded contract.
    unsafe {
        match packed {
            Some(lhs) => T::block_packed(p, lhs),
            None => T::block(p),
        }
    }
}

/// A raw scratch pointer shared by tasks that each use their own slot.
#[derive(Copy, Clone)]
struct Slots<T>(*mut T, usize);
// SAFETY: each participant index (unique among concurrent tasks) owns one slot.
unsafe impl<T> Sync for Slots<T> {}
// SAFETY: as above.
unsafe impl<T> Send for Slots<T> {}

impl<T> Slots<T> {
    /// Slot `i` (a method, so closures capture the whole `Slots`, which is Sync).
    ///
    /// # Safety
    /// `i` is less than the number of slots and no one else uses slot `i`.
    unsafe fn slot<'a>(&self, i: usize) -> &'a mut [T] {
        // SAFETY: forwarded contract; the scratch is ALIGN-aligned and slot sizes are
        // multiples of ALIGN, so the slot is aligned for T.
        unsafe { std::slice::from_raw_parts_mut(self.0.add(i * self.1), self.1) }
    }
}

unsafe fn conv_t<T: Scalar + Default>(
    c: &ConvCall,
    input: *const T,
    kernel: *const T,
    out: *mut T,
    scratch: &mut [u8],
    pool: &ThreadPool,
    epi: Option<&RowEpilogue>,
) {
    let g = Geometry::new(c);
    let groups = c.groups.max(1);
    let (cg, og) = (c.c / groups, c.o / groups);
    if g.is_pointwise() {
        // SAFETY: forwarded contract.
        return unsafe { pointwise(c, &g, input, kernel, out, pool, epi) };
    }
    let (r, pt) = tile(c);
    let p = g.out_prod;
    if c.n == 0 || p == 0 || og == 0 {
        return Tracker::all(epi, c.n);
    }
    let tiles = p.div_ceil(pt);
    let plan = Plan { g, c: c.c, o: c.o, cg, og, groups, r, pt, tiles, nhwc: c.nhwc, input, kernel, out };
    let tasks = c.n * groups * tiles;
    let tracker = Tracker::with_parts(epi, c.n, groups * tiles, false);
    let image = |t: usize| t / (groups * tiles)..t / (groups * tiles) + 1;
    let slot_elems = slot_bytes(c) / std::mem::size_of::<T>();
    let slots = scratch.len() / slot_bytes(c);
    assert!(slots >= 1, "conv: scratch of {} bytes < {}", scratch.len(), slot_bytes(c));
    let base = Slots(scratch.as_mut_ptr().cast::<T>(), slot_elems);
    let work = c.n * c.o * p * r;
    let threads = pool.threads();
    let parallel = threads > 1 && tasks >= threads && slots >= threads && work >= PARALLEL_WORK;
    if parallel || threads == 1 {
        let packed = if !c.nhwc && groups == 1 {
            let lhs = mm(og, 0, r, kernel, [r as isize, 1], std::ptr::null(), [0, 0], std::ptr::null_mut(), [0, 0]);
            // SAFETY: the kernel is the og × r lhs of every task (one group).
            unsafe { T::pack_lhs(&lhs) }
        } else {
            None
        };
        let plane = packed.as_ref().and_then(|_| Plane::new(&g, cg));
        pool.parallel_for(tasks, tasks, &|range, part| {
            // SAFETY: part < threads <= slots (or part 0 on one thread), and slot
            // `part` is this participant's alone.
            let col = unsafe { base.slot(part) };
            for t in range {
                // SAFETY: contract of `conv`; tasks write disjoint output blocks; the
                // packed lhs is the kernel, the lhs of every task.
                unsafe { plan.run(t, col, packed.as_ref(), plane.as_ref()) };
                tracker.done_parts(image(t), 1);
            }
        });
    } else {
        // SAFETY: slot 0 exists and is ours.
        let col = unsafe { base.slot(0) };
        for t in 0..tasks {
            // SAFETY: contract of `conv`.
            unsafe { matmul(&plan.task(t, col), pool) };
            tracker.done_parts(image(t), 1);
        }
    }
}

/// 1×1 convolution: per group, one batched product straight from the input. With one
/// group, the product's rows of image `i` are `i·m..(i+1)·m`, so its epilogue runs the
/// convolution's on images; with several, the epilogue runs after all groups.
///
/// # Safety
/// Contract of [`conv`].
unsafe fn pointwise<T: Scalar>(
    c: &ConvCall,
    g: &Geometry,
    input: *const T,
    kernel: *const T,
    out: *mut T,
    pool: &ThreadPool,
    epi: Option<&RowEpilogue>,
) {
    let groups = c.groups.max(1);
    let (cg, og, p) = (c.c / groups, c.o / groups, g.out_prod);
    let (ci, oi, pi) = (c.c as isize, c.o as isize, p as isize);
    for grp in 0..groups {
        let mm = if c.nhwc {
            MatMul {
                batch: c.n,
                m: p,
                n: og,
                k: cg,
                lhs: input.wrapping_add(grp * cg),
                ls: [pi * ci, ci, 1],
                rhs: kernel.wrapping_add(grp * og),
                rs: [0, oi, 1],
                out: out.wrapping_add(grp * og),
                os: [pi * oi, oi, 1],
            }
        } else {
            MatMul {
                batch: c.n,
                m: og,
                n: p,
                k: cg,
                lhs: kernel.wrapping_add(grp * og * cg),
                ls: [0, cg as isize, 1],
                rhs: input.wrapping_add(grp * cg * p),
                rs: [ci * pi, pi, 1],
                out: out.wrapping_add(grp * og * p),
                os: [oi * pi, pi, 1],
            }
        };
        if let (Some(e), 1) = (epi, groups) {
            if mm.m > 0 {
                let rows = mm.m;
                let run = |r: std::ops::Range<usize>| (e.run)(r.start / rows..r.end / rows);
                let per_image = RowEpilogue { align: rows.saturating_mul(e.align.max(1)), run: &run };
                // SAFETY: as below.
                return unsafe { matmul_with_epilogue(&mm, pool, Some(&per_image)) };
            }
        }
        // SAFETY: every block addresses group `grp` of each image, inside the buffers.
        unsafe { matmul(&mm, pool) };
    }
    Tracker::all(epi, c.n);
}
