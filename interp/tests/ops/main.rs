//! Every op of the IR against hand-computed results, plus cross-checks between
//! equivalent formulations.

mod common;
mod contract;
mod cross_check;
mod elementwise;
mod gather_call;
mod reduce;
mod shape_ops;

use common::check;
use std::collections::BTreeSet;
use xlac_ir::OpKind;

fn all_cases() -> Vec<common::Case> {
    [elementwise::cases(), shape_ops::cases(), reduce::cases(), contract::cases(), gather_call::cases()].concat()
}

#[test]
fn every_op_kind_has_cases() {
    let covered: BTreeSet<OpKind> = all_cases().iter().map(|c| c.kind).collect();
    let missing: Vec<&str> = OpKind::ALL.iter().filter(|k| !covered.contains(k)).map(|k| k.name()).collect();
    assert!(missing.is_empty(), "op kinds without a test case: {missing:?}");
}

#[test]
fn unary_float_ops() {
    check(elementwise::unary_float_cases());
}

#[test]
fn unary_numeric_and_logical_ops() {
    check(elementwise::unary_other_cases());
}

#[test]
fn binary_ops() {
    check(elementwise::binary_cases());
}

#[test]
fn compare_ops() {
    check(elementwise::compare_cases());
}

#[test]
fn select_clamp_convert() {
    check(elementwise::select_clamp_convert_cases());
}

#[test]
fn convert_every_dtype_pair() {
    check(elementwise::convert_all_pairs());
}

#[test]
fn constants_and_iota() {
    check(shape_ops::source_cases());
}

#[test]
fn broadcast_reshape_transpose() {
    check(shape_ops::broadcast_reshape_transpose_cases());
}

#[test]
fn slice_and_concatenate() {
    check(shape_ops::slice_concat_cases());
}

#[test]
fn pad_and_reverse() {
    check(shape_ops::pad_reverse_cases());
}

#[test]
fn reduce() {
    check(reduce::reduce_cases());
}

#[test]
fn reduce_window() {
    check(reduce::reduce_window_cases());
}

#[test]
fn dot_general() {
    check(contract::dot_cases());
}

#[test]
fn convolution() {
    check(contract::conv_cases());
}

#[test]
fn gather() {
    check(gather_call::gather_cases());
}

#[test]
fn call() {
    check(gather_call::call_cases());
}
