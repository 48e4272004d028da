//! Prints the kernels and Cranelift IR of a small module (a development aid).

use xlac_codegen::{compile_module, lower_module, CodegenOptions};
use xlac_ir::{AttrValue, Attrs, DType, FunctionBuilder, Module, OpKind, TensorType};

fn main() {
    let mut b = FunctionBuilder::new("main");
    let x = b.param("x", TensorType::new(DType::F32, vec![4, 19]));
    let y = b.param("y", TensorType::new(DType::F32, vec![4, 19]));
    let s = b.op(OpKind::Add, &[x, y], Attrs::new(OpKind::Add), None).unwrap();
    let attrs = Attrs::new(OpKind::Reduce).with("kind", AttrValue::Enum("sum")).with("dims", AttrValue::Ints(vec![1]));
    let r = b.op(OpKind::Reduce, &[s], attrs, None).unwrap();
    let m = Module { weights_file: None, functions: vec![b.finish(&[r])] };
    println!("{}", lower_module(&m).unwrap());
    let (_, code) = compile_module(&m, &CodegenOptions { emit_clif: true, ..Default::default() }).unwrap();
    for (name, text) in code.clif_text() {
        println!("; {name}\n{text}");
    }
    println!("fma={} avx={}", code.has_fma(), code.has_avx());
}
