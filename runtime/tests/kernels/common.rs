//! Helpers: a deterministic RNG, one-step programs, comparisons, index iteration.

use std::sync::Arc;
use xlac_runtime::program::{BufferDecl, BufferKind, LibraryCall, Step};
use xlac_runtime::{ElemType, Executable, HostTensor, Program, TensorRef, TensorSpec};

/// xorshift64*: deterministic values in [-1, 1).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
    pub fn vec(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.f64()).collect()
    }
    pub fn ints(&mut self, n: usize, range: i64) -> Vec<i64> {
        (0..n).map(|_| (self.next_u64() % (2 * range as u64 + 1)) as i64 - range).collect()
    }
}

/// A program with inputs `ins` (dtype, dims), one output, and the single library step.
pub fn one_step(ins: &[(ElemType, Vec<usize>)], out: (ElemType, Vec<usize>), call: LibraryCall) -> Program {
    let spec = |name: String, (elem, dims): (ElemType, Vec<usize>)| TensorSpec { name, elem, dims };
    let inputs: Vec<TensorSpec> = ins.iter().enumerate().map(|(i, t)| spec(format!("in{i}"), t.clone())).collect();
    let outputs = vec![spec("out".into(), out)];
    let mut buffers: Vec<BufferDecl> = inputs
        .iter()
        .enumerate()
        .map(|(i, s)| BufferDecl { size_bytes: s.size_bytes(), kind: BufferKind::Input(i) })
        .collect();
    buffers.push(BufferDecl { size_bytes: outputs[0].size_bytes(), kind: BufferKind::Output(0) });
    Program { inputs, outputs, buffers, steps: vec![Step::Library(call)], arena_bytes: 0, output_copies: vec![] }
}

/// Runs `program` with 1 and with 2 threads; asserts both agree (floats to rounding:
/// splitting a product changes its blocking).
pub fn run_both(program: &Program, inputs: &[HostTensor]) -> HostTensor {
    let refs: Vec<TensorRef> = inputs.iter().map(HostTensor::as_ref).collect();
    let mut results = vec![];
    for threads in [1, 2] {
        let mut exe = Executable::try_new(program.clone(), Box::new(())).expect("valid program");
        exe.set_pool(Arc::new(xlac_runtime::ThreadPool::new(threads)));
        results.push(exe.run(&refs).expect("run").remove(0));
    }
    let tol = match results[0].elem {
        ElemType::F32 => 1e-3,
        ElemType::F64 => 1e-9,
        _ => 0.0,
    };
    assert_close(&values(&results[1]), &values(&results[0]), tol, "2 threads vs 1");
    results.remove(0)
}

/// `data` (f64) as a tensor of float dtype `elem`.
pub fn float_tensor(elem: ElemType, dims: &[usize], data: &[f64]) -> HostTensor {
    match elem {
        ElemType::F32 => HostTensor::from_slice(dims, &data.iter().map(|&x| x as f32).collect::<Vec<_>>()),
        ElemType::F64 => HostTensor::from_slice(dims, data),
        ElemType::I32 => HostTensor::from_slice(dims, &data.iter().map(|&x| x as i32).collect::<Vec<_>>()),
        ElemType::I64 => HostTensor::from_slice(dims, &data.iter().map(|&x| x as i64).collect::<Vec<_>>()),
        ElemType::Bool => HostTensor::from_slice(dims, &data.iter().map(|&x| x != 0.0).collect::<Vec<_>>()),
    }
    .expect("element count")
}

/// A tensor's values as f64.
pub fn values(t: &HostTensor) -> Vec<f64> {
    match t.elem {
        ElemType::F32 => t.to_vec::<f32>().unwrap().into_iter().map(f64::from).collect(),
        ElemType::F64 => t.to_vec::<f64>().unwrap(),
        ElemType::I32 => t.to_vec::<i32>().unwrap().into_iter().map(f64::from).collect(),
        ElemType::I64 => t.to_vec::<i64>().unwrap().into_iter().map(|x| x as f64).collect(),
        ElemType::Bool => t.to_vec::<bool>().unwrap().into_iter().map(|b| b as u8 as f64).collect(),
    }
}

/// Asserts `|got - want| <= tol · (1 + |want|)` elementwise (NaN equals NaN).
pub fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let ok = g == w || (g.is_nan() && w.is_nan()) || (g - w).abs() <= tol * (1.0 + w.abs());
        assert!(ok, "{what}: element {i}: got {g}, want {w}");
    }
}

/// Every row-major multi-index of `dims`, in order.
pub fn indices(dims: &[usize]) -> Vec<Vec<usize>> {
    let total: usize = dims.iter().product();
    (0..total)
        .map(|mut f| {
            let mut ix = vec![0; dims.len()];
            for d in (0..dims.len()).rev() {
                ix[d] = f % dims[d];
                f /= dims[d];
            }
            ix
        })
        .collect()
}

/// Row-major offset of `ix` in `dims`.
pub fn offset(ix: &[usize], dims: &[usize]) -> usize {
    ix.iter().zip(dims).fold(0, |acc, (&i, &d)| acc * d + i)
}

/// `data` with extents `dims` permuted: `result dim j = source dim perm[j]`.
pub fn transpose(data: &[f64], dims: &[usize], perm: &[usize]) -> Vec<f64> {
    let out_dims: Vec<usize> = perm.iter().map(|&p| dims[p]).collect();
    indices(&out_dims)
        .iter()
        .map(|ix| {
            let mut src = vec![0; dims.len()];
            for (j, &p) in perm.iter().enumerate() {
                src[p] = ix[j];
            }
            data[offset(&src, dims)]
        })
        .collect()
}
