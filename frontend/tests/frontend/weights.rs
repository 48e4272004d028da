//! `weight("key")` literals read the module's safetensors file.

use std::path::PathBuf;
use xlac_frontend::{load_module, parse_module, write_safetensors};
use xlac_ir::{Literal, Tensor, TensorData};

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xlac-frontend-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const MODULE: &str = "weights \"w.safetensors\"\n\nfunc @main(%x: f32[2,2]) -> f32[2,2] {\n  \
                      %w = constant value=weight(\"w1\") : f32[2,2]\n  %y = add %x, %w : f32[2,2]\n  return %y\n}\n";

#[test]
fn loads_weights_relative_to_the_module() {
    let dir = temp_dir("ok");
    let w1 = Tensor::new(vec![2, 2], TensorData::F32(vec![1.0, 2.0, 3.0, 4.0])).unwrap();
    let idx = Tensor::new(vec![3], TensorData::I64(vec![1, -2, 3])).unwrap();
    write_safetensors(&dir.join("w.safetensors"), &[("w1", &w1), ("idx", &idx)]).unwrap();
    std::fs::write(dir.join("m.ir"), MODULE).unwrap();
    let m = load_module(&dir.join("m.ir")).unwrap();
    let lit = m.functions[0].ops[0].attrs.literal("value").unwrap();
    match lit {
        Literal::Weight { key, data } => assert_eq!((key.as_str(), &**data), ("w1", &w1)),
        other => panic!("{other:?}"),
    }
    assert_eq!(xlac_ir::print_module(&m), MODULE);
    let text = MODULE
        .replace("weight(\"w1\") : f32[2,2]", "weight(\"idx\") : i64[3]")
        .replace("%y = add %x, %w : f32[2,2]\n  return %y", "return %x");
    let m = parse_module("m.ir", &text, Some(&dir)).unwrap();
    assert_eq!(m.functions[0].ops[0].attrs.literal("value").unwrap().dtype(), xlac_ir::DType::I64);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn weight_errors_point_at_the_literal() {
    let dir = temp_dir("bad");
    let w1 = Tensor::new(vec![4], TensorData::F64(vec![1.0; 4])).unwrap();
    write_safetensors(&dir.join("w.safetensors"), &[("w1", &w1)]).unwrap();
    let errs = |text: &str| parse_module("m.ir", text, Some(&dir)).unwrap_err().messages();
    assert_eq!(
        errs(MODULE),
        vec![(4, 23, "weight `w1` is f64[4] in the weights file but the declared type is f32[2,2]".to_string())]
    );
    assert_eq!(
        errs(&MODULE.replace("\"w1\"", "\"w2\"")),
        vec![(4, 23, "the weights file has no tensor `w2`".to_string())]
    );
    let missing = errs(&MODULE.replace("w.safetensors", "nope.safetensors"));
    assert_eq!(missing.len(), 1);
    assert_eq!((missing[0].0, missing[0].1), (1, 9));
    assert!(missing[0].2.starts_with("cannot read weights file"), "{missing:?}");
    let undeclared = errs(&MODULE.replace("weights \"w.safetensors\"\n", ""));
    assert_eq!(undeclared, vec![(3, 23, "`weight(\"w1\")` needs a weights file".to_string())]);
    std::fs::write(dir.join("w.safetensors"), b"not safetensors").unwrap();
    let corrupt = errs(MODULE);
    assert_eq!(corrupt.len(), 1);
    assert!(corrupt[0].2.contains("is not a valid safetensors file"), "{corrupt:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
