//! Data-driven op cases: a [`Case`] is a one-op module (or a small hand-built one),
//! its inputs, and the hand-computed expected results; [`check`] verifies, runs and
//! compares every case and reports all failures at once.

use xlac_ir::{
    verify_module, AttrValue, Attrs, DType, FunctionBuilder, Module, OpKind, Tensor, TensorData, TensorType,
};

/// A tensor from extents and data; panics if they do not fit (test data).
fn tensor(dims: &[usize], data: TensorData) -> Tensor {
    Tensor::new(dims.to_vec(), data).expect("test data fits its shape")
}

pub fn f32s(dims: &[usize], v: &[f32]) -> Tensor {
    tensor(dims, TensorData::F32(v.to_vec()))
}

pub fn f64s(dims: &[usize], v: &[f64]) -> Tensor {
    tensor(dims, TensorData::F64(v.to_vec()))
}

pub fn i32s(dims: &[usize], v: &[i32]) -> Tensor {
    tensor(dims, TensorData::I32(v.to_vec()))
}

pub fn i64s(dims: &[usize], v: &[i64]) -> Tensor {
    tensor(dims, TensorData::I64(v.to_vec()))
}

pub fn bools(dims: &[usize], v: &[bool]) -> Tensor {
    tensor(dims, TensorData::Bool(v.to_vec()))
}

/// `0, 1, 2, ...` as f32 of extents `dims`.
pub fn f32_range(dims: &[usize]) -> Tensor {
    let n: usize = dims.iter().product();
    f32s(dims, &(0..n).map(|i| i as f32).collect::<Vec<_>>())
}

pub fn ty(dtype: DType, dims: &[usize]) -> TensorType {
    TensorType::new(dtype, dims.to_vec())
}

/// One test case.
#[derive(Clone)]
pub struct Case {
    pub name: String,
    /// The op kind under test (coverage is counted by this).
    pub kind: OpKind,
    /// The module to run; `Err` if building it failed.
    pub module: Result<Module, String>,
    pub inputs: Vec<Tensor>,
    pub expected: Vec<Tensor>,
    /// Relative tolerance for floats; 0 means bit-exact (NaN matches NaN).
    pub tol: f64,
}

/// Builds a one-op case: the function's parameters are the inputs' types.
pub struct CaseBuilder {
    name: String,
    kind: OpKind,
    attrs: Attrs,
    inputs: Vec<Tensor>,
    declared: Option<TensorType>,
    tol: f64,
}

pub fn case(kind: OpKind, name: &str) -> CaseBuilder {
    CaseBuilder { name: name.to_string(), kind, attrs: Attrs::new(kind), inputs: Vec::new(), declared: None, tol: 0.0 }
}

impl CaseBuilder {
    pub fn input(mut self, t: Tensor) -> Self {
        self.inputs.push(t);
        self
    }

    pub fn attr(mut self, name: &str, value: AttrValue) -> Self {
        self.attrs = self.attrs.with(name, value);
        self
    }

    pub fn ints(self, name: &str, v: &[i64]) -> Self {
        self.attr(name, AttrValue::Ints(v.to_vec()))
    }

    pub fn int(self, name: &str, v: i64) -> Self {
        self.attr(name, AttrValue::Int(v))
    }

    pub fn pairs(self, name: &str, v: &[(i64, i64)]) -> Self {
        self.attr(name, AttrValue::IntPairs(v.to_vec()))
    }

    pub fn enm(self, name: &str, v: &'static str) -> Self {
        self.attr(name, AttrValue::Enum(v))
    }

    pub fn declared(mut self, t: TensorType) -> Self {
        self.declared = Some(t);
        self
    }

    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    pub fn expect(self, expected: Tensor) -> Case {
        let mut b = FunctionBuilder::new("main");
        let params: Vec<_> = self.inputs.iter().enumerate().map(|(i, t)| b.param(&format!("x{i}"), t.ty())).collect();
        let module = b
            .op(self.kind, &params, self.attrs, self.declared)
            .map(|v| Module { weights_file: None, functions: vec![b.finish(&[v])] });
        Case { name: self.name, kind: self.kind, module, inputs: self.inputs, expected: vec![expected], tol: self.tol }
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    if tol == 0.0 {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    } else {
        a == b || (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol * b.abs()
    }
}

/// `None` if `got` matches `want`, else what differs.
pub fn compare(got: &Tensor, want: &Tensor, tol: f64) -> Option<String> {
    if got.ty() != want.ty() {
        return Some(format!("type {} instead of {}", got.ty(), want.ty()));
    }
    let n = want.data.len();
    let bad: Vec<usize> = (0..n)
        .filter(|&i| match (&got.data, &want.data) {
            (TensorData::F32(g), TensorData::F32(w)) => !close(g[i] as f64, w[i] as f64, tol),
            (TensorData::F64(g), TensorData::F64(w)) => !close(g[i], w[i], tol),
            (g, w) => g.get_i64(i) != w.get_i64(i),
        })
        .collect();
    (!bad.is_empty()).then(|| format!("elements {bad:?} differ: got {:?}, want {:?}", got.data, want.data))
}

/// Runs one case; `Err` says what went wrong.
fn run_case(c: &Case) -> Result<(), String> {
    let module = c.module.as_ref().map_err(|e| format!("building the module failed: {e}"))?;
    verify_module(module).map_err(|e| format!("the module does not verify: {e:?}"))?;
    let got = xlac_interp::run_entry(module, &c.inputs).map_err(|e| format!("run failed: {e}"))?;
    if got.len() != c.expected.len() {
        return Err(format!("{} results instead of {}", got.len(), c.expected.len()));
    }
    for (i, (g, w)) in got.iter().zip(&c.expected).enumerate() {
        if let Some(msg) = compare(g, w, c.tol) {
            return Err(format!("result {i}: {msg}"));
        }
    }
    Ok(())
}

/// Runs every case and panics listing all that fail.
pub fn check(cases: Vec<Case>) {
    assert!(!cases.is_empty());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| run_case(c).err().map(|e| format!("[{}] {}: {e}", c.kind.name(), c.name)))
        .collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// Builds, verifies and runs a one-op module; panics on any error.
pub fn run_op(kind: OpKind, attrs: Attrs, inputs: &[Tensor], declared: Option<TensorType>) -> Tensor {
    let mut b = FunctionBuilder::new("main");
    let params: Vec<_> = inputs.iter().enumerate().map(|(i, t)| b.param(&format!("x{i}"), t.ty())).collect();
    let v = b.op(kind, &params, attrs, declared).unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
    let module = Module { weights_file: None, functions: vec![b.finish(&[v])] };
    verify_module(&module).unwrap_or_else(|e| panic!("{e:?}"));
    xlac_interp::run_entry(&module, inputs).unwrap_or_else(|e| panic!("{e}")).remove(0)
}

/// Small integers in [-4, 4] as f32 (so sums of products are exact), from a fixed
/// linear congruential sequence.
pub fn small_ints(dims: &[usize], seed: u64) -> Tensor {
    let n: usize = dims.iter().product();
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let v: Vec<f32> = (0..n)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) % 9) as f32 - 4.0
        })
        .collect();
    f32s(dims, &v)
}
