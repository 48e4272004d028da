//! The driver API: `compile` then `run`, and the checks at the call boundary.

use xlac::{compile, Options};
use xlac_ir::{Tensor, TensorData};

fn module() -> xlac_ir::Module {
    let text = "func @main(%a: f32[2,3], %b: i64[3]) -> (f32[2,3], i64[3]) {\n  %s = add %a, %a : f32[2,3]\n  %n = neg %b : i64[3]\n  return %s, %n\n}\n";
    xlac_frontend::parse_module("api.ir", text, None).unwrap()
}

fn a() -> Tensor {
    Tensor::new(vec![2, 3], TensorData::F32(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0])).unwrap()
}

fn b() -> Tensor {
    Tensor::new(vec![3], TensorData::I64(vec![1, -2, i64::MIN])).unwrap()
}

#[test]
fn compiles_and_runs() {
    let exe = compile(&module(), &Options::default()).unwrap();
    let out = exe.run(&[a(), b()]).unwrap();
    assert_eq!(out[0].data, TensorData::F32(vec![2.0, 4.0, 6.0, 8.0, 10.0, 12.0]));
    assert_eq!(out[1].data, TensorData::I64(vec![-1, 2, i64::MIN]));
    assert!(exe.compile_time().as_secs_f64() > 0.0);
}

#[test]
fn wrong_inputs_are_errors_that_name_the_input() {
    let exe = compile(&module(), &Options::default()).unwrap();
    let count = exe.run(&[a()]).unwrap_err().to_string();
    assert!(count.contains("expected 2 inputs, found 1"), "{count}");
    let wrong_dtype = Tensor::new(vec![3], TensorData::I32(vec![1, 2, 3])).unwrap();
    let dtype = exe.run(&[a(), wrong_dtype]).unwrap_err().to_string();
    assert!(dtype.contains("input 1 `b`") && dtype.contains("I64") && dtype.contains("I32"), "{dtype}");
    let wrong_shape = Tensor::new(vec![3, 2], TensorData::F32(vec![0.0; 6])).unwrap();
    let shape = exe.run(&[wrong_shape, b()]).unwrap_err().to_string();
    assert!(shape.contains("input 0 `a`") && shape.contains("[2, 3]") && shape.contains("[3, 2]"), "{shape}");
    // The executable is still usable after rejected calls.
    assert_eq!(exe.run(&[a(), b()]).unwrap()[1].data, TensorData::I64(vec![-1, 2, i64::MIN]));
}

#[test]
fn an_unverified_module_is_refused() {
    let mut m = module();
    m.functions[0].result_types.pop();
    let err = compile(&m, &Options::default()).err().expect("must fail").to_string();
    assert!(err.contains("does not verify"), "{err}");
}
