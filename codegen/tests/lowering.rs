//! The lowered program's shape: buffer kinds, arena reuse (in-place elementwise
//! kernels), output copies, and the text forms of kernels and CLIF.

mod common;
use common::*;
use xlac_codegen::{compile_module, lower_module, CodegenOptions};
use xlac_ir::{DType, OpKind};
use xlac_runtime::program::BufferKind;

#[test]
fn temporaries_reuse_arena_space_and_results_are_copied_when_needed() {
    let ty = t(DType::F32, &[100]);
    let m = module(std::slice::from_ref(&ty), |b, p| {
        let a = op(b, OpKind::Exp, &[p[0]], &[], None);
        let c = op(b, OpKind::Neg, &[a], &[], None);
        let d = op(b, OpKind::Abs, &[c], &[], None);
        let e = op(b, OpKind::Sqrt, &[d], &[], None);
        vec![e, p[0], e]
    });
    let l = lower_module(&m).unwrap();
    let temps: Vec<usize> = l
        .buffers
        .iter()
        .filter_map(|b| match b.kind {
            BufferKind::Temp { offset } => Some(offset),
            _ => None,
        })
        .collect();
    assert_eq!(temps.len(), 3, "{l}");
    assert!(temps.iter().all(|o| o % 64 == 0));
    // c is written in place of a (elementwise, a dies there), d in place of c: one slot
    // of 400 bytes rounded up to 448.
    assert!(temps.iter().all(|&o| o == 0), "{l}");
    assert_eq!(l.arena_bytes, 448, "{l}");
    assert_eq!(l.output_copies.len(), 2, "{l}");
    check(&m, &inputs(&[ty]));
}

#[test]
fn kernels_and_clif_print() {
    let ty = t(DType::F32, &[4, 8]);
    let m = module(std::slice::from_ref(&ty), |b, p| {
        vec![op(b, OpKind::Transpose, &[p[0]], &[("perm", ints(&[1, 0]))], None)]
    });
    let text = lower_module(&m).unwrap().to_string();
    assert!(text.contains("load in0 as [4, 8][v1, v0]"), "{text}");
    let (_, code) = compile_module(&m, &CodegenOptions { emit_clif: true, ..Default::default() }).unwrap();
    assert_eq!(code.clif_text().len(), 1);
    assert!(code.clif_text()[0].1.contains("function"), "{}", code.clif_text()[0].1);
}

#[test]
fn kernels_reading_other_elements_are_not_in_place() {
    // The reversal reads element n-1-i while writing i: its output needs its own space.
    let ty = t(DType::F32, &[64]);
    let m = module(std::slice::from_ref(&ty), |b, p| {
        let a = op(b, OpKind::Exp, &[p[0]], &[], None);
        let r = op(b, OpKind::Reverse, &[a], &[("dims", ints(&[0]))], None);
        vec![op(b, OpKind::Neg, &[r], &[], None)]
    });
    let l = lower_module(&m).unwrap();
    assert_eq!(l.arena_bytes, 2 * 256, "{l}");
    check(&m, &inputs(&[ty]));
}
