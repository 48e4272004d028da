//! Elementwise ops of every dtype against the interpreter, on sizes that exercise the
//! vector loop, its unrolling and the scalar tail.

mod common;
use common::*;
use xlac_ir::{AttrValue, DType, Literal, OpKind, Tensor, TensorData};

const SIZES: &[&[usize]] = &[&[], &[1], &[3], &[5], &[7], &[17], &[2, 9], &[3, 33]];
const NUMERIC: &[DType] = &[DType::F32, DType::F64, DType::I32, DType::I64];

#[test]
fn binary_arithmetic_all_numeric_dtypes() {
    use OpKind::*;
    for &d in NUMERIC {
        for &dims in SIZES {
            for kind in [Add, Sub, Mul, Div, Rem, Max, Min, Pow] {
                let ps = [t(d, dims), t(d, dims)];
                let m = module(&ps, |b, p| vec![op(b, kind, &[p[0], p[1]], &[], None)]);
                let mut ins = inputs(&ps);
                if kind == Pow && !d.is_float() {
                    ins[1] = small_ints(&ps[1], 7);
                }
                check_tol(&m, &ins, if kind == Pow { 1e-5 } else { 1e-6 });
            }
        }
    }
}

/// Integers in -k..=k (exponents, divisors with zeros).
fn small_ints(ty: &xlac_ir::TensorType, k: i64) -> Tensor {
    let n = ty.shape.num_elements() as i64;
    let v: Vec<i64> = (0..n).map(|i| (i * 5 + 3) % (2 * k + 1) - k).collect();
    let data = match ty.dtype {
        DType::I32 => TensorData::I32(v.iter().map(|&x| x as i32).collect()),
        _ => TensorData::I64(v),
    };
    Tensor::new(ty.shape.clone(), data).unwrap()
}

#[test]
fn integer_division_edge_cases() {
    for d in [DType::I32, DType::I64] {
        let (min, dims) = (if d == DType::I32 { i32::MIN as i64 } else { i64::MIN }, [8usize]);
        let a = vec![7, -7, min, min, 5, 0, -3, min];
        let b = vec![0, 2, -1, 0, -1, 0, 3, 2];
        let mk = |v: &Vec<i64>| {
            let data = match d {
                DType::I32 => TensorData::I32(v.iter().map(|&x| x as i32).collect()),
                _ => TensorData::I64(v.clone()),
            };
            Tensor::new(dims.to_vec(), data).unwrap()
        };
        for kind in [OpKind::Div, OpKind::Rem, OpKind::Pow] {
            let ps = [t(d, &dims), t(d, &dims)];
            let m = module(&ps, |bd, p| vec![op(bd, kind, &[p[0], p[1]], &[], None)]);
            check(&m, &[mk(&a), mk(&b)]);
        }
    }
}

#[test]
fn float_specials_max_min_sign_round() {
    let v = [f32::NAN, 1.0, -0.0, 0.0, f32::INFINITY, -2.5, 2.5, 3.5, -1.5, 0.5, f32::NEG_INFINITY, 7.0];
    let w = [2.0, f32::NAN, 0.0, -0.0, 1.0, -2.5, 3.0, f32::NAN, -1.0, 0.5, 0.0, 8.0];
    let x = Tensor::new(vec![12], TensorData::F32(v.to_vec())).unwrap();
    let y = Tensor::new(vec![12], TensorData::F32(w.to_vec())).unwrap();
    let ps = [t(DType::F32, &[12]), t(DType::F32, &[12])];
    for kind in [OpKind::Max, OpKind::Min, OpKind::Add, OpKind::Rem] {
        let m = module(&ps, |b, p| vec![op(b, kind, &[p[0], p[1]], &[], None)]);
        check(&m, &[x.clone(), y.clone()]);
    }
    for kind in [OpKind::Sign, OpKind::Round, OpKind::Floor, OpKind::Ceil, OpKind::Abs, OpKind::Neg] {
        let m = module(&ps[..1], |b, p| vec![op(b, kind, &[p[0]], &[], None)]);
        check(&m, std::slice::from_ref(&x));
    }
}

#[test]
fn unary_float_ops() {
    use OpKind::*;
    for d in [DType::F32, DType::F64] {
        for &dims in SIZES {
            for kind in
                [Exp, Log, Log1p, Tanh, Logistic, Sqrt, Rsqrt, Erf, Sin, Cos, Floor, Ceil, Round, Neg, Abs, Sign]
            {
                let ps = [t(d, dims)];
                let m = module(&ps, |b, p| vec![op(b, kind, &[p[0]], &[], None)]);
                check_tol(&m, &inputs(&ps), 1e-5);
            }
        }
    }
}

#[test]
fn unary_integer_and_logic_ops() {
    for d in [DType::I32, DType::I64] {
        for &dims in SIZES {
            for kind in [OpKind::Neg, OpKind::Abs, OpKind::Sign, OpKind::Not] {
                check_fn(&[t(d, dims)], |b, p| vec![op(b, kind, &[p[0]], &[], None)]);
            }
            for kind in [OpKind::And, OpKind::Or, OpKind::Xor] {
                check_fn(&[t(d, dims), t(d, dims)], |b, p| vec![op(b, kind, &[p[0], p[1]], &[], None)]);
            }
        }
    }
    for &dims in SIZES {
        check_fn(&[t(DType::Bool, dims)], |b, p| vec![op(b, OpKind::Not, &[p[0]], &[], None)]);
        for kind in [OpKind::And, OpKind::Or, OpKind::Xor] {
            check_fn(&[t(DType::Bool, dims), t(DType::Bool, dims)], |b, p| vec![op(b, kind, &[p[0], p[1]], &[], None)]);
        }
    }
}

#[test]
fn compare_all_dtypes_and_directions() {
    for d in [DType::F32, DType::F64, DType::I32, DType::I64, DType::Bool] {
        for dir in ["eq", "ne", "lt", "le", "gt", "ge"] {
            for dims in [&[7usize][..], &[2, 5]] {
                let ps = [t(d, dims), t(d, dims)];
                let attrs = [("dir", AttrValue::Enum(dir_name(dir)))];
                let m = module(&ps, |b, p| vec![op(b, OpKind::Compare, &[p[0], p[1]], &attrs, None)]);
                let mut ins = inputs(&ps);
                ins[1] = ins[0].clone();
                if let TensorData::F32(v) = &mut ins[1].data {
                    v[0] = f32::NAN;
                    v[2] += 1.0;
                }
                check(&m, &ins);
                check(&m, &inputs(&ps));
            }
        }
    }
}

fn dir_name(d: &str) -> &'static str {
    ["eq", "ne", "lt", "le", "gt", "ge"].into_iter().find(|&x| x == d).unwrap()
}

#[test]
fn select_and_clamp_with_scalar_operands() {
    for d in [DType::F32, DType::F64, DType::I32, DType::I64, DType::Bool] {
        for &dims in SIZES {
            check_fn(&[t(DType::Bool, dims), t(d, dims), t(d, dims)], |b, p| {
                vec![op(b, OpKind::Select, &[p[0], p[1], p[2]], &[], None)]
            });
            check_fn(&[t(DType::Bool, &[]), t(d, dims), t(d, dims)], |b, p| {
                vec![op(b, OpKind::Select, &[p[0], p[1], p[2]], &[], None)]
            });
            if d != DType::Bool {
                check_fn(&[t(d, &[]), t(d, dims), t(d, &[])], |b, p| {
                    vec![op(b, OpKind::Clamp, &[p[0], p[1], p[2]], &[], None)]
                });
                check_fn(&[t(d, dims), t(d, dims), t(d, dims)], |b, p| {
                    vec![op(b, OpKind::Clamp, &[p[0], p[1], p[2]], &[], None)]
                });
            }
        }
    }
}

#[test]
fn convert_between_all_dtypes() {
    let all = [DType::F32, DType::F64, DType::I32, DType::I64, DType::Bool];
    for from in all {
        for to in all {
            for dims in [&[13usize][..], &[]] {
                let ps = [t(from, dims)];
                let m = module(&ps, |b, p| vec![op(b, OpKind::Convert, &[p[0]], &[], Some(t(to, dims)))]);
                check(&m, &inputs(&ps));
            }
        }
    }
    let specials = vec![f32::NAN, 1e20, -1e20, 2.7, -2.7, 0.0, f32::INFINITY, -0.5];
    for to in [DType::I32, DType::I64, DType::Bool] {
        let ps = [t(DType::F32, &[8])];
        let m = module(&ps, |b, p| vec![op(b, OpKind::Convert, &[p[0]], &[], Some(t(to, &[8])))]);
        check(&m, &[Tensor::new(vec![8], TensorData::F32(specials.clone())).unwrap()]);
    }
}

#[test]
fn constants_splat_and_dense_inline() {
    let splat = |d: TensorData| AttrValue::Literal(Literal::Splat(d));
    for &dims in SIZES {
        check_fn(&[t(DType::F32, dims)], |b, p| {
            let c = op(
                b,
                OpKind::Constant,
                &[],
                &[("value", splat(TensorData::F32(vec![0.0])))],
                Some(t(DType::F32, dims)),
            );
            let h =
                op(b, OpKind::Constant, &[], &[("value", splat(TensorData::F32(vec![0.5])))], Some(t(DType::F32, &[])));
            let r = op(b, OpKind::Max, &[p[0], c], &[], None);
            let s = op(b, OpKind::Clamp, &[h, r, h], &[], None);
            vec![r, c, s, p[0]]
        });
    }
    check_fn(&[t(DType::I32, &[2, 3])], |b, p| {
        let lit = AttrValue::Literal(Literal::Dense(TensorData::I32(vec![1, -2, 3, 0, 5, 6])));
        let c = op(b, OpKind::Constant, &[], &[("value", lit)], Some(t(DType::I32, &[2, 3])));
        let bl = AttrValue::Literal(Literal::Splat(TensorData::Bool(vec![true])));
        let tr = op(b, OpKind::Constant, &[], &[("value", bl)], Some(t(DType::Bool, &[2, 3])));
        vec![op(b, OpKind::Div, &[p[0], c], &[], None), c, tr, c]
    });
}

#[test]
fn chains_share_subexpressions_across_kernels() {
    check_fn(&[t(DType::F32, &[4, 19]), t(DType::F32, &[4, 19])], |b, p| {
        let a = op(b, OpKind::Mul, &[p[0], p[1]], &[], None);
        let c = op(b, OpKind::Add, &[a, p[0]], &[], None);
        let e = op(b, OpKind::Tanh, &[c], &[], None);
        let f = op(b, OpKind::Sub, &[e, a], &[], None);
        vec![f, a]
    });
}
