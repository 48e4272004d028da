//! Executable: argument checks, run vs run_into, concurrency, hand-written `extern "C"`
//! kernels with temps in the arena (split over threads), misaligned and empty buffers,
//! output copies, constants, and programs the runtime refuses.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use xlac_runtime::program::{BufferDecl, BufferKind, GemmCall, LibraryCall, Step};
use xlac_runtime::{
    ElemType, Executable, HostTensor, Program, ProgramError, RunError, Side, TensorMut, TensorRef, TensorSpec,
};

const W: usize = 64;

/// `args = [a, b, out]`, f32 rows of `W`: `out[r] = a[r] + b[r]` for rows `begin..end`.
unsafe extern "C" fn add_rows(args: *const *mut u8, begin: usize, end: usize) {
    // SAFETY: the program passes three buffers of `outer * W` f32 each.
    unsafe {
        let (a, b, out) = (*args as *const f32, *args.add(1) as *const f32, *args.add(2) as *mut f32);
        for i in begin * W..end * W {
            out.add(i).write_unaligned(a.add(i).read_unaligned() + b.add(i).read_unaligned());
        }
    }
}

static SPLIT_CALLS: AtomicUsize = AtomicUsize::new(0);

/// `add_rows`, counting its calls.
unsafe extern "C" fn add_rows_counted(args: *const *mut u8, begin: usize, end: usize) {
    SPLIT_CALLS.fetch_add(1, Ordering::Relaxed);
    // SAFETY: same contract as add_rows.
    unsafe { add_rows(args, begin, end) }
}

fn spec(name: &str, elem: ElemType, dims: &[usize]) -> TensorSpec {
    TensorSpec { name: name.into(), elem, dims: dims.to_vec() }
}

/// `out = (x + y) + x` over `[rows, W]` f32, through a temp in the arena.
fn add_program(rows: usize, func: xlac_runtime::program::KernelFn) -> Program {
    let bytes = rows * W * 4;
    let kernel = |args: Vec<usize>| Step::Kernel { name: "add".into(), func, args, outer: rows, work_per_iter: W };
    Program {
        inputs: vec![spec("x", ElemType::F32, &[rows, W]), spec("y", ElemType::F32, &[rows, W])],
        outputs: vec![spec("out", ElemType::F32, &[rows, W])],
        buffers: vec![
            BufferDecl { size_bytes: bytes, kind: BufferKind::Input(0) },
            BufferDecl { size_bytes: bytes, kind: BufferKind::Input(1) },
            BufferDecl { size_bytes: bytes, kind: BufferKind::Temp { offset: 64 } },
            BufferDecl { size_bytes: bytes, kind: BufferKind::Output(0) },
        ],
        steps: vec![kernel(vec![0, 1, 2]), kernel(vec![2, 0, 3])],
        arena_bytes: 64 + bytes,
        output_copies: vec![],
    }
}

fn inputs(rows: usize) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let x: Vec<f32> = (0..rows * W).map(|i| (i % 97) as f32 * 0.5).collect();
    let y: Vec<f32> = (0..rows * W).map(|i| (i % 13) as f32 - 6.0).collect();
    let want = x.iter().zip(&y).map(|(a, b)| (a + b) + a).collect();
    (x, y, want)
}

#[test]
fn extern_c_kernel_with_arena_temp_one_and_two_threads() {
    let rows = 4096;
    let (x, y, want) = inputs(rows);
    let dims = [rows, W];
    let mut exe = Executable::new(add_program(rows, add_rows_counted), Box::new(()));
    for threads in [1, 2] {
        exe.set_threads(threads);
        let before = SPLIT_CALLS.load(Ordering::Relaxed);
        let out = exe.run(&[TensorRef::from_slice(&dims, &x), TensorRef::from_slice(&dims, &y)]).unwrap();
        assert_eq!(out[0].as_slice::<f32>().unwrap(), &want[..]);
        let calls = SPLIT_CALLS.load(Ordering::Relaxed) - before;
        if threads == 1 {
            assert_eq!(calls, 2)
        } else {
            assert!(calls > 2, "not split: {calls} calls")
        }
    }
}

#[test]
fn run_and_run_into_agree_and_reuse_buffers() {
    let rows = 100;
    let (x, y, want) = inputs(rows);
    let dims = [rows, W];
    let exe = Executable::new(add_program(rows, add_rows), Box::new(()));
    let ins = [TensorRef::from_slice(&dims, &x), TensorRef::from_slice(&dims, &y)];
    let a = exe.run(&ins).unwrap();
    let mut out = vec![0f32; rows * W];
    for _ in 0..3 {
        exe.run_into(&ins, &mut [TensorMut::from_slice(&dims, &mut out)]).unwrap();
        assert_eq!(out, want);
    }
    assert_eq!(a[0].as_slice::<f32>().unwrap(), &out[..]);
}

#[test]
fn concurrent_runs_from_two_threads() {
    let rows = 2048;
    let (x, y, _) = inputs(rows);
    let dims = [rows, W];
    let exe = Executable::new(add_program(rows, add_rows), Box::new(()));
    std::thread::scope(|s| {
        for t in 0..2 {
            let (exe, x, y) = (&exe, &x, &y);
            s.spawn(move || {
                let scale = t as f32 + 1.0;
                let xs: Vec<f32> = x.iter().map(|v| v * scale).collect();
                let ws: Vec<f32> = xs.iter().zip(y).map(|(a, b)| (a + b) + a).collect();
                for i in 0..20 {
                    let ins = [TensorRef::from_slice(&dims, &xs), TensorRef::from_slice(&dims, y)];
                    let out = exe.run(&ins).unwrap();
                    assert_eq!(out[0].as_slice::<f32>().unwrap(), &ws[..], "thread {t} run {i}");
                }
            });
        }
    });
}

#[test]
fn wrong_arguments_are_errors_naming_the_tensor() {
    let rows = 4;
    let (x, y, _) = inputs(rows);
    let dims = [rows, W];
    let exe = Executable::new(add_program(rows, add_rows), Box::new(()));
    let xr = TensorRef::from_slice(&dims, &x);
    let yr = TensorRef::from_slice(&dims, &y);
    assert_eq!(exe.run(&[xr]).unwrap_err(), RunError::Count { side: Side::Input, expected: 2, found: 1 });
    let xd: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    let err = exe.run(&[xr, TensorRef::from_slice(&dims, &xd)]).unwrap_err();
    assert!(
        matches!(&err, RunError::Dtype { index: 1, name, expected: ElemType::F32, found: ElemType::F64, .. } if name == "y")
    );
    assert!(err.to_string().contains("`y`"), "{err}");
    let bad_dims = [W, rows];
    let err = exe.run(&[TensorRef::from_slice(&bad_dims, &x), yr]).unwrap_err();
    assert!(matches!(&err, RunError::Shape { index: 0, name, .. } if name == "x"), "{err}");
    let y_bytes = crate_bytes(&y);
    let short = TensorRef::new(ElemType::F32, &dims, &y_bytes[..10]);
    let err = exe.run(&[xr, short]).unwrap_err();
    assert_eq!(
        err,
        RunError::ByteLength { side: Side::Input, index: 1, name: "y".into(), expected: rows * W * 4, found: 10 }
    );
    let mut out = vec![0f32; rows * W];
    assert!(matches!(exe.run_into(&[xr, yr], &mut []), Err(RunError::Count { side: Side::Output, .. })));
    let err = exe.run_into(&[xr, yr], &mut [TensorMut::from_slice(&bad_dims, &mut out)]).unwrap_err();
    assert!(matches!(&err, RunError::Shape { side: Side::Output, name, .. } if name == "out"));
}

fn crate_bytes(v: &[f32]) -> Vec<u8> {
    xlac_runtime::as_bytes(v).to_vec()
}

#[test]
fn misaligned_inputs_and_outputs_work() {
    let rows = 3;
    let (x, y, want) = inputs(rows);
    let dims = [rows, W];
    let exe = Executable::new(add_program(rows, add_rows), Box::new(()));
    let mut xb = vec![0u8; x.len() * 4 + 1];
    xb[1..].copy_from_slice(&crate_bytes(&x));
    let mut ob = vec![0u8; x.len() * 4 + 3];
    let ins = [TensorRef::new(ElemType::F32, &dims, &xb[1..]), TensorRef::from_slice(&dims, &y)];
    exe.run_into(&ins, &mut [TensorMut::new(ElemType::F32, &dims, &mut ob[3..])]).unwrap();
    assert_eq!(ob[3..], crate_bytes(&want)[..]);
}

/// `out0 = x` (an output copy of the input), `out1 = x[2,0] · c[0,3]` (a gemm with an
/// empty contraction: zeros), `out2 = the constant`.
fn copies_program() -> Program {
    let gemm = GemmCall {
        elem: ElemType::F64,
        lhs: 1,
        rhs: 2,
        out: 3,
        batch: 1,
        m: 2,
        n: 3,
        k: 0,
        lhs_strides: [0, 0, 1],
        rhs_strides: [0, 3, 1],
    };
    let konst: Arc<[u8]> = xlac_runtime::as_bytes(&[1.5f64, -2.0]).into();
    Program {
        inputs: vec![spec("x", ElemType::I32, &[3]), spec("e", ElemType::F64, &[2, 0])],
        outputs: vec![
            spec("same", ElemType::I32, &[3]),
            spec("zeros", ElemType::F64, &[2, 3]),
            spec("k", ElemType::F64, &[2]),
        ],
        buffers: vec![
            BufferDecl { size_bytes: 12, kind: BufferKind::Input(0) },
            BufferDecl { size_bytes: 0, kind: BufferKind::Input(1) },
            BufferDecl { size_bytes: 0, kind: BufferKind::Temp { offset: 0 } },
            BufferDecl { size_bytes: 48, kind: BufferKind::Output(1) },
            BufferDecl { size_bytes: 16, kind: BufferKind::Const(konst) },
        ],
        steps: vec![Step::Library(LibraryCall::Gemm(gemm))],
        arena_bytes: 0,
        output_copies: vec![(0, 0), (2, 4)],
    }
}

#[test]
fn output_copies_constants_and_empty_buffers() {
    let exe = Executable::new(copies_program(), Box::new(()));
    let x = [7i32, -1, 3];
    let out = exe.run(&[TensorRef::from_slice(&[3], &x), TensorRef::from_slice::<f64>(&[2, 0], &[])]).unwrap();
    assert_eq!(out[0].to_vec::<i32>().unwrap(), x);
    assert_eq!(out[1].to_vec::<f64>().unwrap(), vec![0.0; 6]);
    assert_eq!(out[2].to_vec::<f64>().unwrap(), vec![1.5, -2.0]);
    assert_eq!(out[1], HostTensor::from_slice(&[2, 3], &[0f64; 6]).unwrap());
}

#[test]
fn invalid_programs_are_refused() {
    let mut p = add_program(4, add_rows);
    p.arena_bytes = 100;
    assert!(matches!(Executable::try_new(p, Box::new(())), Err(ProgramError::BadBuffer { id: 2, .. })));
    let mut p = add_program(4, add_rows);
    p.steps.push(Step::Kernel { name: "k".into(), func: add_rows, args: vec![0, 9], outer: 1, work_per_iter: 1 });
    assert!(matches!(Executable::try_new(p, Box::new(())), Err(ProgramError::NoSuchBuffer { id: 9, .. })));
    let mut p = copies_program();
    if let Step::Library(LibraryCall::Gemm(g)) = &mut p.steps[0] {
        (g.k, g.lhs, g.rhs) = (2, 0, 0);
    }
    let err = Executable::try_new(p, Box::new(())).unwrap_err();
    assert!(matches!(&err, ProgramError::BadStep { step: 0, .. }), "{err}");
    let mut p = copies_program();
    if let Step::Library(LibraryCall::Gemm(g)) = &mut p.steps[0] {
        g.out = 4;
    }
    let err = Executable::try_new(p, Box::new(())).unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    let mut p = copies_program();
    p.output_copies.push((1, 0));
    assert!(matches!(Executable::try_new(p, Box::new(())), Err(ProgramError::BadOutputCopy { index: 2, .. })));
}

#[test]
fn executable_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Executable>();
    assert_send_sync::<HostTensor>();
    assert_send_sync::<xlac_runtime::ThreadPool>();
}
