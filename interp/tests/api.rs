//! The public API: entry resolution, input checking, errors as values, `eval_op`, and
//! no panics on extreme values.

use xlac_interp::{eval_op, run_entry, run_function, InterpError, MAX_TENSOR_BYTES};
use xlac_ir::{
    verify_module, AttrValue, Attrs, DType, FunctionBuilder, Literal, Module, OpKind, Tensor, TensorData, TensorType,
};

fn f32s(dims: &[usize], v: &[f32]) -> Tensor {
    Tensor::new(dims.to_vec(), TensorData::F32(v.to_vec())).unwrap()
}

/// `@name(%x: f32[2], %y: f32[2]) = x * y`.
fn mul_fn(name: &str) -> xlac_ir::Function {
    let t = TensorType::new(DType::F32, vec![2]);
    let mut b = FunctionBuilder::new(name);
    let (x, y) = (b.param("x", t.clone()), b.param("y", t));
    let r = b.op(OpKind::Mul, &[x, y], Attrs::new(OpKind::Mul), None).unwrap();
    b.finish(&[r])
}

fn module(functions: Vec<xlac_ir::Function>) -> Module {
    let m = Module { weights_file: None, functions };
    verify_module(&m).unwrap();
    m
}

#[test]
fn entry_is_main_or_the_only_function() {
    let inputs = [f32s(&[2], &[2.0, 3.0]), f32s(&[2], &[4.0, 5.0])];
    let want = vec![f32s(&[2], &[8.0, 15.0])];
    assert_eq!(run_entry(&module(vec![mul_fn("only")]), &inputs).unwrap(), want);
    assert_eq!(run_entry(&module(vec![mul_fn("a"), mul_fn("main")]), &inputs).unwrap(), want);
    assert_eq!(run_entry(&module(vec![mul_fn("a"), mul_fn("b")]), &inputs), Err(InterpError::NoEntry));
    assert_eq!(run_function(&module(vec![mul_fn("a"), mul_fn("b")]), "b", &inputs).unwrap(), want);
    assert_eq!(
        run_function(&module(vec![mul_fn("a")]), "nope", &inputs),
        Err(InterpError::NoSuchFunction("nope".into()))
    );
}

#[test]
fn inputs_are_checked() {
    let m = module(vec![mul_fn("main")]);
    let good = f32s(&[2], &[1.0, 2.0]);
    let err = run_entry(&m, std::slice::from_ref(&good)).unwrap_err();
    assert_eq!(err, InterpError::WrongInputCount { func: "main".into(), expected: 2, found: 1 });

    let wrong_dtype = Tensor::new(vec![2], TensorData::F64(vec![1.0, 2.0])).unwrap();
    let err = run_entry(&m, &[good.clone(), wrong_dtype]).unwrap_err();
    assert_eq!(err.to_string(), "input 1 (%y) of @main must be f32[2], found f64[2]");

    let err = run_entry(&m, &[f32s(&[1, 2], &[1.0, 2.0]), good.clone()]).unwrap_err();
    assert_eq!(err.to_string(), "input 0 (%x) of @main must be f32[2], found f32[1,2]");

    let malformed = Tensor { shape: vec![2].into(), data: TensorData::F32(vec![1.0]) };
    let err = run_entry(&m, &[good, malformed]).unwrap_err();
    assert!(matches!(err, InterpError::MalformedInput { index: 1, needed: 2, len: 1, .. }), "{err}");
}

#[test]
fn returning_parameters_and_repeated_values() {
    let t = TensorType::new(DType::I32, vec![1]);
    let mut b = FunctionBuilder::new("main");
    let x = b.param("x", t);
    let n = b.op(OpKind::Neg, &[x], Attrs::new(OpKind::Neg), None).unwrap();
    let m = module(vec![b.finish(&[n, x, n])]);
    let x = Tensor::new(vec![1], TensorData::I32(vec![4])).unwrap();
    let neg = Tensor::new(vec![1], TensorData::I32(vec![-4])).unwrap();
    assert_eq!(run_entry(&m, std::slice::from_ref(&x)).unwrap(), vec![neg.clone(), x, neg]);
}

#[test]
fn too_large_results_are_errors() {
    let huge = TensorType::new(DType::F32, vec![1 << 20, 1 << 20]);
    let mut b = FunctionBuilder::new("main");
    let attrs =
        Attrs::new(OpKind::Constant).with("value", AttrValue::Literal(Literal::Splat(TensorData::F32(vec![0.0]))));
    let c = b.op(OpKind::Constant, &[], attrs, Some(huge.clone())).unwrap();
    let m = module(vec![b.finish(&[c])]);
    let err = run_entry(&m, &[]).unwrap_err();
    let InterpError::InOp { func, op, source, .. } = &err else { panic!("{err}") };
    assert_eq!((func.as_str(), *op), ("main", "constant"));
    assert_eq!(**source, InterpError::TooLarge { op: "constant".into(), ty: huge, limit: MAX_TENSOR_BYTES });
}

#[test]
fn eval_op_evaluates_and_rejects_inconsistent_ops() {
    let m = Module::default();
    let (a, b) = (f32s(&[2], &[1.0, 2.0]), f32s(&[2], &[3.0, 5.0]));
    let t = TensorType::new(DType::F32, vec![2]);
    let got = eval_op(OpKind::Sub, &Attrs::new(OpKind::Sub), &[&a, &b], std::slice::from_ref(&t), &m).unwrap();
    assert_eq!(got, vec![f32s(&[2], &[-2.0, -3.0])]);

    let wrong = TensorType::new(DType::F32, vec![3]);
    let err = eval_op(OpKind::Sub, &Attrs::new(OpKind::Sub), &[&a, &b], &[wrong], &m).unwrap_err();
    assert!(matches!(err, InterpError::InvalidOp { .. }), "{err}");
    let err = eval_op(OpKind::Sub, &Attrs::new(OpKind::Sub), &[&a], std::slice::from_ref(&t), &m).unwrap_err();
    assert!(matches!(err, InterpError::InvalidOp { .. }), "{err}");
    let err = eval_op(OpKind::Reverse, &Attrs::new(OpKind::Reverse), &[&a], std::slice::from_ref(&t), &m).unwrap_err();
    assert!(err.to_string().contains("missing required attribute `dims`"), "{err}");
    let bad_dims = Attrs::new(OpKind::Reverse).with("dims", AttrValue::Ints(vec![3]));
    let err = eval_op(OpKind::Reverse, &bad_dims, &[&a], &[t], &m).unwrap_err();
    assert!(matches!(err, InterpError::InvalidOp { .. }), "{err}");
}

#[test]
fn eval_op_runs_calls() {
    let m = module(vec![mul_fn("sq")]);
    let a = f32s(&[2], &[3.0, -2.0]);
    let attrs = Attrs::new(OpKind::Call).with("callee", AttrValue::FuncRef("sq".into()));
    let t = TensorType::new(DType::F32, vec![2]);
    assert_eq!(eval_op(OpKind::Call, &attrs, &[&a, &a], &[t], &m).unwrap(), vec![f32s(&[2], &[9.0, 4.0])]);
}

#[test]
fn recursion_in_an_unverified_module_is_an_error() {
    let t = TensorType::new(DType::F32, vec![1]);
    let mut b = FunctionBuilder::new("main");
    let x = b.param("x", t.clone());
    let attrs = Attrs::new(OpKind::Call).with("callee", AttrValue::FuncRef("main".into()));
    let r = b.op_typed(OpKind::Call, &[x], attrs, vec![t]);
    let m = Module { weights_file: None, functions: vec![b.finish(&r)] };
    assert!(verify_module(&m).is_err());
    let err = run_entry(&m, &[f32s(&[1], &[1.0])]).unwrap_err();
    assert!(err.to_string().contains("calls nest deeper than"), "{err}");
}

fn extremes(dtype: DType) -> Tensor {
    let data = match dtype {
        DType::F32 => {
            TensorData::F32(vec![0.0, -0.0, 1.0, -1.0, f32::MIN, f32::MAX, f32::INFINITY, f32::NEG_INFINITY, f32::NAN])
        }
        DType::F64 => {
            TensorData::F64(vec![0.0, -0.0, 1.0, -1.0, f64::MIN, f64::MAX, f64::INFINITY, f64::NEG_INFINITY, f64::NAN])
        }
        DType::I32 => TensorData::I32(vec![0, 1, -1, 2, -2, i32::MIN, i32::MAX, i32::MIN + 1, 31]),
        DType::I64 => TensorData::I64(vec![0, 1, -1, 2, -2, i64::MIN, i64::MAX, i64::MIN + 1, 63]),
        DType::Bool => TensorData::Bool(vec![true, false, true, false, true, false, true, false, true]),
    };
    Tensor::new(vec![9], data).unwrap()
}

/// Every elementwise op on every allowed dtype, over all pairs of extreme values:
/// results are values, never panics or errors.
#[test]
fn elementwise_ops_never_fail_on_extreme_values() {
    let m = Module::default();
    let mut ran = 0;
    for &kind in OpKind::ALL {
        let info = kind.info();
        if info.class != xlac_ir::ops::OpClass::Elementwise || matches!(kind, OpKind::Select | OpKind::Clamp) {
            continue;
        }
        let mut attrs = Attrs::new(kind);
        if kind == OpKind::Compare {
            attrs = attrs.with("dir", AttrValue::Enum("lt"));
        }
        for dtype in DType::ALL {
            let x = extremes(dtype);
            // Each element of x against each element of y.
            let n = x.data.len();
            let idx_a: Vec<usize> = (0..n * n).map(|i| i / n).collect();
            let idx_b: Vec<usize> = (0..n * n).map(|i| i % n).collect();
            let pick = |idx: &[usize]| {
                let mut picked = Tensor::zeros(&TensorType::new(dtype, vec![n * n]));
                picked.data = match &x.data {
                    TensorData::F32(v) => TensorData::F32(idx.iter().map(|&i| v[i]).collect()),
                    TensorData::F64(v) => TensorData::F64(idx.iter().map(|&i| v[i]).collect()),
                    TensorData::I32(v) => TensorData::I32(idx.iter().map(|&i| v[i]).collect()),
                    TensorData::I64(v) => TensorData::I64(idx.iter().map(|&i| v[i]).collect()),
                    TensorData::Bool(v) => TensorData::Bool(idx.iter().map(|&i| v[i]).collect()),
                };
                picked
            };
            let (a, b) = (pick(&idx_a), pick(&idx_b));
            let operands: Vec<&Tensor> = match info.arity {
                xlac_ir::Arity::Fixed(1) => vec![&a],
                _ => vec![&a, &b],
            };
            let targets: Vec<DType> = if kind == OpKind::Convert { DType::ALL.to_vec() } else { vec![dtype] };
            for to in targets {
                let declared = [TensorType::new(to, vec![n * n])];
                let types: Vec<TensorType> = operands.iter().map(|t| t.ty()).collect();
                let cx = xlac_ir::InferCx { kind, operands: &types, attrs: &attrs, declared: &declared, module: None };
                let Ok(result_types) = (info.rule)(&cx) else { continue };
                let out = eval_op(kind, &attrs, &operands, &result_types, &m)
                    .unwrap_or_else(|e| panic!("{} on {dtype}: {e}", kind.name()));
                assert_eq!(out[0].data.len(), n * n);
                ran += 1;
            }
        }
    }
    assert!(ran > 60, "only {ran} op/dtype combinations ran");
}
