//! The convolution's row epilogue: called on disjoint aligned ranges of images that
//! cover the batch, each image final when its range runs; the output matches the run
//! without epilogue. Tiled (3×3) and pointwise (1×1) convolutions, both layouts,
//! groups, 1 and 2 threads.

use std::ops::Range;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Mutex;

use xlac_runtime::kernels::conv::{conv, conv_with_epilogue, scratch_bytes};
use xlac_runtime::kernels::RowEpilogue;
use xlac_runtime::program::ConvCall;
use xlac_runtime::{AlignedBytes, ElemType, ThreadPool};

fn call(n: usize, c: usize, o: usize, hw: usize, k: usize, groups: usize, nhwc: bool) -> ConvCall {
    let pad = (k / 2) as i64;
    ConvCall {
        elem: ElemType::F32,
        input: 0,
        kernel: 1,
        out: 2,
        nhwc,
        n,
        c,
        o,
        in_spatial: vec![hw, hw],
        k_spatial: vec![k, k],
        out_spatial: vec![hw, hw],
        strides: vec![1, 1],
        padding: vec![(pad, pad), (pad, pad)],
        lhs_dilation: vec![1, 1],
        rhs_dilation: vec![1, 1],
        groups,
    }
}

/// Runs `c` with and without an epilogue of alignment `align` and checks the contract.
fn check(c: &ConvCall, pool: &ThreadPool, align: usize) {
    let k_len = c.o * c.c / c.groups * c.k_spatial.iter().product::<usize>();
    let x: Vec<f32> =
        (0..c.n * c.c * c.in_spatial.iter().product::<usize>()).map(|i| (i % 13) as f32 * 0.1 - 0.6).collect();
    let w: Vec<f32> = (0..k_len).map(|i| (i % 7) as f32 * 0.05 - 0.15).collect();
    let per_image = c.o * c.out_spatial.iter().product::<usize>();
    let mut scratch = AlignedBytes::zeroed(scratch_bytes(c, pool.threads()));
    let mut want = vec![0f32; c.n * per_image];
    // SAFETY: buffers have the extents the call states; scratch is sized for the pool.
    unsafe { conv(c, x.as_ptr().cast(), w.as_ptr().cast(), want.as_mut_ptr().cast(), &mut scratch, pool) };

    let mut out = vec![f32::NAN; c.n * per_image];
    let base = AtomicPtr::new(out.as_mut_ptr());
    let seen: Mutex<Vec<(Range<usize>, Vec<f32>)>> = Mutex::new(Vec::new());
    let run = |images: Range<usize>| {
        let p = base.load(Ordering::Relaxed);
        // SAFETY: the images of the range are final and ours to read.
        let sums = images.clone().map(|i| (0..per_image).map(|j| unsafe { *p.add(i * per_image + j) }).sum()).collect();
        seen.lock().unwrap().push((images, sums));
    };
    let epi = RowEpilogue { align, run: &run };
    // SAFETY: as above.
    unsafe {
        conv_with_epilogue(
            c,
            x.as_ptr().cast(),
            w.as_ptr().cast(),
            out.as_mut_ptr().cast(),
            &mut scratch,
            pool,
            Some(&epi),
        )
    };
    assert_eq!(out, want, "{c:?}");
    let mut seen = seen.into_inner().unwrap();
    seen.sort_by_key(|(r, _)| r.start);
    let mut next = 0;
    for (r, sums) in &seen {
        assert_eq!(r.start, next, "ranges {:?}", seen.iter().map(|s| &s.0).collect::<Vec<_>>());
        assert!(r.start < r.end);
        assert!(r.start % align == 0 && (r.end % align == 0 || r.end == c.n), "unaligned {r:?} (align {align})");
        for (i, &s) in r.clone().zip(sums) {
            let final_sum: f32 = out[i * per_image..(i + 1) * per_image].iter().sum();
            assert_eq!(s, final_sum, "image {i} not final when its epilogue ran");
        }
        next = r.end;
    }
    assert_eq!(next, c.n, "images not covered");
}

#[test]
fn conv_epilogue_contract() {
    for threads in [1, 2] {
        let pool = ThreadPool::new(threads);
        for nhwc in [false, true] {
            let calls = [
                call(5, 8, 16, 12, 3, 1, nhwc),
                call(4, 8, 8, 9, 3, 2, nhwc),
                call(3, 64, 16, 40, 3, 1, nhwc),
                call(6, 16, 24, 10, 1, 1, nhwc),
                call(3, 8, 8, 6, 1, 2, nhwc),
                call(2, 4, 0, 5, 3, 1, nhwc),
            ];
            for c in &calls {
                for align in [1, 2, 4, 7] {
                    check(c, &pool, align);
                }
            }
        }
    }
}
