//! The ONNX importer on models built here: results, external data, `.onnx` dispatch
//! in the driver, and its errors (every unsupported op in one message; malformed
//! protobuf, undefined values, unsupported dtypes and symbolic dims are errors, never
//! panics).

use prost::Message;
use xlac_frontend::onnx::proto::{
    tensor_proto::{DataLocation, DataType},
    tensor_shape_proto::{dimension::Value as Dim, Dimension},
    type_proto, AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, StringStringEntryProto,
    TensorProto, TensorShapeProto, TypeProto, ValueInfoProto,
};
use xlac_frontend::onnx::{import_model, ImportOptions};
use xlac_ir::{Tensor, TensorData};

fn value_info(name: &str, elem: DataType, dims: &[Dim]) -> ValueInfoProto {
    let shape =
        TensorShapeProto { dim: dims.iter().map(|d| Dimension { value: Some(d.clone()), denotation: None }).collect() };
    let t = type_proto::Tensor { elem_type: Some(elem as i32), shape: Some(shape) };
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto { value: Some(type_proto::Value::TensorType(t)), denotation: None }),
        ..Default::default()
    }
}

fn node(op: &str, name: &str, inputs: &[&str], outputs: &[&str]) -> NodeProto {
    NodeProto {
        op_type: Some(op.into()),
        name: Some(name.into()),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: outputs.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

fn floats(name: &str, dims: &[i64], data: Vec<f32>) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        dims: dims.to_vec(),
        data_type: Some(DataType::Float as i32),
        float_data: data,
        ..Default::default()
    }
}

fn model(nodes: Vec<NodeProto>, inits: Vec<TensorProto>, inputs: Vec<ValueInfoProto>, outputs: &[&str]) -> Vec<u8> {
    let graph = GraphProto {
        node: nodes,
        initializer: inits,
        input: inputs,
        output: outputs.iter().map(|o| ValueInfoProto { name: Some(o.to_string()), ..Default::default() }).collect(),
        name: Some("g".into()),
        ..Default::default()
    };
    ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto { domain: Some(String::new()), version: Some(17) }],
        graph: Some(graph),
        ..Default::default()
    }
    .encode_to_vec()
}

/// `y = relu(x + b)` with `x: f32[2,3]`, `b: f32[3]` an initializer.
fn add_relu() -> Vec<u8> {
    model(
        vec![node("Add", "add", &["x", "b"], &["s"]), node("Relu", "relu", &["s"], &["y"])],
        vec![floats("b", &[3], vec![1.0, -2.0, 0.5])],
        vec![value_info("x", DataType::Float, &[Dim::DimValue(2), Dim::DimValue(3)])],
        &["y"],
    )
}

fn f32s(dims: Vec<usize>, v: Vec<f32>) -> Tensor {
    Tensor::new(dims, TensorData::F32(v)).unwrap()
}

#[test]
fn imports_and_runs_a_small_model() {
    let m = import_model(&add_relu(), None, &ImportOptions::default()).unwrap();
    let x = f32s(vec![2, 3], vec![0.0, 1.0, -1.0, -3.0, 4.0, 0.25]);
    let y = xlac_interp::run_entry(&m, std::slice::from_ref(&x)).unwrap().remove(0);
    assert_eq!(y, f32s(vec![2, 3], vec![1.0, 0.0, 0.0, 0.0, 2.0, 0.75]));
    let exe = xlac::compile(&m, &xlac::Options::default()).unwrap();
    assert_eq!(exe.run(&[x]).unwrap().remove(0), y);
    let text = xlac_ir::print_module(&m);
    assert!(text.contains("func @main(%x: f32[2,3]) -> f32[2,3]"), "{text}");
    assert_eq!(xlac_frontend::parse_module("m.ir", &text, None).unwrap(), m);
}

#[test]
fn reads_external_data_and_dispatches_on_the_extension() {
    let dir = std::env::temp_dir().join(format!("xlac-onnx-ext-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bytes: Vec<u8> = [9.0f32, 1.0, 2.0, 3.0, 4.0].iter().flat_map(|f| f.to_le_bytes()).collect();
    std::fs::write(dir.join("w.bin"), &bytes).unwrap();
    let entry = |k: &str, v: &str| StringStringEntryProto { key: Some(k.into()), value: Some(v.into()) };
    let b = TensorProto {
        name: Some("b".into()),
        dims: vec![3],
        data_type: Some(DataType::Float as i32),
        data_location: Some(DataLocation::External as i32),
        external_data: vec![entry("location", "w.bin"), entry("offset", "4"), entry("length", "12")],
        ..Default::default()
    };
    let bytes = model(
        vec![node("Add", "add", &["x", "b"], &["y"])],
        vec![b],
        vec![value_info("x", DataType::Float, &[Dim::DimParam("N".into()), Dim::DimValue(3)])],
        &["y"],
    );
    std::fs::write(dir.join("m.onnx"), bytes).unwrap();
    let err = xlac::load_model(&dir.join("m.onnx")).unwrap_err().to_string();
    assert!(err.contains("symbolic dimension `N`") && err.contains("--dim N=VALUE"), "{err}");
    let options = xlac::LoadOptions { dims: [("N".to_string(), 1)].into_iter().collect() };
    let m = xlac::load_model_with(&dir.join("m.onnx"), &options).unwrap();
    let y = xlac_interp::run_entry(&m, &[f32s(vec![1, 3], vec![1.0; 3])]).unwrap().remove(0);
    assert_eq!(y, f32s(vec![1, 3], vec![2.0, 3.0, 4.0]));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_unsupported_op_is_listed_in_one_error() {
    let bytes = model(
        vec![
            node("FancyOp", "first", &["x"], &["a"]),
            node("Relu", "ok", &["a"], &["b"]),
            node("FancyOp", "second", &["b"], &["c"]),
            node("OtherOp", "third", &["c"], &["d"]),
            NodeProto { domain: Some("com.example".into()), ..node("Custom", "fourth", &["d"], &["y"]) },
        ],
        vec![],
        vec![value_info("x", DataType::Float, &[Dim::DimValue(2)])],
        &["y"],
    );
    let e = import_model(&bytes, None, &ImportOptions::default()).unwrap_err().message;
    for needle in [
        "3 unsupported op type(s) in 4 node(s)",
        "FancyOp (opset 17): nodes first, second",
        "OtherOp (opset 17): nodes third",
        "com.example.Custom",
        "fourth",
    ] {
        assert!(e.contains(needle), "missing `{needle}` in:\n{e}");
    }
    assert!(!e.contains("Relu"), "{e}");
}

#[test]
fn malformed_input_is_an_error_not_a_panic() {
    let good = add_relu();
    for len in 0..good.len() {
        let _ = import_model(&good[..len], None, &ImportOptions::default());
    }
    let e = import_model(b"\xff\xff\xff not protobuf", None, &ImportOptions::default()).unwrap_err().message;
    assert!(e.contains("not a valid ONNX model"), "{e}");
    let mut flipped = good.clone();
    for i in 0..flipped.len() {
        flipped[i] ^= 0x5a;
        let _ = import_model(&flipped, None, &ImportOptions::default());
        flipped[i] ^= 0x5a;
    }
}

#[test]
fn undefined_values_and_unsupported_dtypes_name_the_culprit() {
    let missing = model(
        vec![node("Add", "adder", &["x", "nowhere"], &["y"])],
        vec![],
        vec![value_info("x", DataType::Float, &[Dim::DimValue(2)])],
        &["y"],
    );
    let e = import_model(&missing, None, &ImportOptions::default()).unwrap_err().message;
    assert!(e.contains("node `adder` (Add)") && e.contains("`nowhere` is not defined"), "{e}");
    let uint8 = model(
        vec![node("Relu", "r", &["x"], &["y"])],
        vec![],
        vec![value_info("x", DataType::Uint8, &[Dim::DimValue(2)])],
        &["y"],
    );
    let e = import_model(&uint8, None, &ImportOptions::default()).unwrap_err().message;
    assert!(e.contains("graph input `x`") && e.contains("UINT8 is not supported"), "{e}");
    let bad_attr = model(
        vec![NodeProto {
            attribute: vec![AttributeProto { name: Some("axis".into()), i: Some(7), ..Default::default() }],
            ..node("Softmax", "soft", &["x"], &["y"])
        }],
        vec![],
        vec![value_info("x", DataType::Float, &[Dim::DimValue(2)])],
        &["y"],
    );
    let e = import_model(&bad_attr, None, &ImportOptions::default()).unwrap_err().message;
    assert!(e.contains("node `soft` (Softmax)") && e.contains("axis 7 is out of range"), "{e}");
}
