//! Index-map ops (broadcast, transpose, slice, pad, concatenate, reverse, reshape) and
//! iota against the interpreter, including empty dims.

mod common;
use common::*;
use xlac_ir::{AttrValue, DType, OpKind};

const DTYPES: &[DType] = &[DType::F32, DType::F64, DType::I32, DType::I64, DType::Bool];

#[test]
fn broadcast_in_dim() {
    for &d in DTYPES {
        check_fn(&[t(d, &[3])], |b, p| {
            vec![op(b, OpKind::BroadcastInDim, &[p[0]], &[("dims", ints(&[1]))], Some(t(d, &[5, 3])))]
        });
        check_fn(&[t(d, &[5, 1])], |b, p| {
            vec![op(b, OpKind::BroadcastInDim, &[p[0]], &[("dims", ints(&[0, 2]))], Some(t(d, &[5, 2, 7])))]
        });
        check_fn(&[t(d, &[])], |b, p| {
            vec![op(b, OpKind::BroadcastInDim, &[p[0]], &[("dims", ints(&[]))], Some(t(d, &[2, 17])))]
        });
        check_fn(&[t(d, &[0])], |b, p| {
            vec![op(b, OpKind::BroadcastInDim, &[p[0]], &[("dims", ints(&[1]))], Some(t(d, &[4, 0])))]
        });
    }
}

#[test]
fn transpose() {
    for &d in DTYPES {
        for (dims, perm) in [(&[3usize, 5][..], &[1i64, 0][..]), (&[2, 3, 9], &[2, 0, 1]), (&[4, 1, 6], &[0, 2, 1])] {
            check_fn(&[t(d, dims)], |b, p| vec![op(b, OpKind::Transpose, &[p[0]], &[("perm", ints(perm))], None)]);
        }
    }
}

#[test]
fn slice_with_strides() {
    for &d in DTYPES {
        check_fn(&[t(d, &[7, 19])], |b, p| {
            let attrs = [("start", ints(&[1, 2])), ("limit", ints(&[6, 19])), ("strides", ints(&[2, 3]))];
            vec![op(b, OpKind::Slice, &[p[0]], &attrs, None)]
        });
        check_fn(&[t(d, &[4, 9])], |b, p| {
            let attrs = [("start", ints(&[0, 3])), ("limit", ints(&[4, 8]))];
            vec![op(b, OpKind::Slice, &[p[0]], &attrs, None)]
        });
        check_fn(&[t(d, &[4, 9])], |b, p| {
            let attrs = [("start", ints(&[2, 3])), ("limit", ints(&[2, 8]))];
            vec![op(b, OpKind::Slice, &[p[0]], &attrs, None)]
        });
    }
}

#[test]
fn reverse_and_reshape() {
    for &d in DTYPES {
        check_fn(&[t(d, &[3, 17])], |b, p| {
            let r = op(b, OpKind::Reverse, &[p[0]], &[("dims", ints(&[1]))], None);
            let r2 = op(b, OpKind::Reverse, &[p[0]], &[("dims", ints(&[0, 1]))], None);
            let s = op(b, OpKind::Reshape, &[r], &[], Some(t(d, &[51])));
            let s2 = op(b, OpKind::Reshape, &[r2], &[], Some(t(d, &[17, 1, 3])));
            vec![s, s2]
        });
    }
}

#[test]
fn pad_negative_and_interior() {
    for &d in DTYPES {
        type Case<'a> = (&'a [i64], &'a [i64], Option<&'a [i64]>);
        let cases: [Case; 4] = [
            (&[1, 2], &[2, 0], None),
            (&[-1, 2], &[1, -3], None),
            (&[0, 1], &[1, 1], Some(&[1, 2])),
            (&[-2, 3], &[2, -1], Some(&[2, 1])),
        ];
        for (low, high, interior) in cases {
            check_fn(&[t(d, &[3, 7]), t(d, &[])], |b, p| {
                let mut attrs = vec![("low", ints(low)), ("high", ints(high))];
                if let Some(i) = interior {
                    attrs.push(("interior", ints(i)));
                }
                vec![op(b, OpKind::Pad, &[p[0], p[1]], &attrs, None)]
            });
        }
        check_fn(&[t(d, &[0, 3]), t(d, &[])], |b, p| {
            vec![op(b, OpKind::Pad, &[p[0], p[1]], &[("low", ints(&[1, 0])), ("high", ints(&[1, 2]))], None)]
        });
    }
}

#[test]
fn concatenate() {
    for &d in DTYPES {
        check_fn(&[t(d, &[2, 3]), t(d, &[2, 0]), t(d, &[2, 5]), t(d, &[2, 1])], |b, p| {
            vec![op(b, OpKind::Concatenate, &[p[0], p[1], p[2], p[3]], &[("dim", AttrValue::Int(1))], None)]
        });
        check_fn(&[t(d, &[1, 9]), t(d, &[4, 9])], |b, p| {
            vec![op(b, OpKind::Concatenate, &[p[0], p[1]], &[("dim", AttrValue::Int(0))], None)]
        });
        check_fn(&[t(d, &[5])], |b, p| vec![op(b, OpKind::Concatenate, &[p[0]], &[("dim", AttrValue::Int(0))], None)]);
    }
}

#[test]
fn iota_every_dtype() {
    for d in [DType::F32, DType::F64, DType::I32, DType::I64] {
        for dim in 0..2 {
            check_fn(&[], |b, _| vec![op(b, OpKind::Iota, &[], &[("dim", AttrValue::Int(dim))], Some(t(d, &[3, 13])))]);
        }
    }
}

#[test]
fn empty_tensors_flow_through() {
    check_fn(&[t(DType::F32, &[0, 4]), t(DType::F32, &[0, 4])], |b, p| {
        let a = op(b, OpKind::Add, &[p[0], p[1]], &[], None);
        let tr = op(b, OpKind::Transpose, &[a], &[("perm", ints(&[1, 0]))], None);
        vec![tr, a]
    });
}

#[test]
fn calls_are_inlined() {
    use xlac_ir::{Attrs, FunctionBuilder, Module};
    let ty = t(DType::F32, &[6]);
    let mut h = FunctionBuilder::new("helper");
    let (x, y) = (h.param("x", ty.clone()), h.param("y", ty.clone()));
    let s = h.op(OpKind::Mul, &[x, y], Attrs::new(OpKind::Mul), None).unwrap();
    let helper = h.finish(&[s, x]);
    let mut b = FunctionBuilder::new("main");
    let a = b.param("a", ty.clone());
    let attrs = Attrs::new(OpKind::Call).with("callee", AttrValue::FuncRef("helper".into()));
    let r = b.op_typed(OpKind::Call, &[a, a], attrs, vec![ty.clone(), ty.clone()]);
    let z = b.op(OpKind::Add, &[r[0], r[1]], Attrs::new(OpKind::Add), None).unwrap();
    let m = Module { weights_file: None, functions: vec![b.finish(&[z, r[1], r[0]]), helper] };
    check(&m, &inputs(&[ty]));
}
