//! Cases for the elementwise ops.

use super::common::*;
use std::f64::consts::{E, FRAC_PI_2, PI};
use xlac_ir::{DType, OpKind::*};

const NAN32: f32 = f32::NAN;
const INF32: f32 = f32::INFINITY;
const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;

pub fn unary_float_cases() -> Vec<Case> {
    vec![
        case(Exp, "f32 with infinities and NaN")
            .input(f32s(&[5], &[0.0, 1.0, -INF32, INF32, NAN32]))
            .tol(1e-7)
            .expect(f32s(&[5], &[1.0, 2.7182817, 0.0, INF32, NAN32])),
        case(Exp, "f64").input(f64s(&[2], &[1.0, -1.0])).tol(1e-15).expect(f64s(&[2], &[E, 1.0 / E])),
        case(Log, "f64 including 0 and a negative")
            .input(f64s(&[4], &[1.0, E, 0.0, -1.0]))
            .tol(1e-15)
            .expect(f64s(&[4], &[0.0, 1.0, -INF, NAN])),
        case(Log, "f32").input(f32s(&[1], &[1.0])).expect(f32s(&[1], &[0.0])),
        case(Log1p, "f32 near 0 and at -1")
            .input(f32s(&[3], &[0.0, 1e-7, -1.0]))
            .tol(1e-6)
            .expect(f32s(&[3], &[0.0, 9.9999996e-8, -INF32])),
        case(Log1p, "f64 keeps precision near 0").input(f64s(&[1], &[1e-20])).tol(1e-15).expect(f64s(&[1], &[1e-20])),
        case(Tanh, "f64")
            .input(f64s(&[5], &[0.0, 1.0, -1.0, 20.0, -INF]))
            .tol(1e-15)
            .expect(f64s(&[5], &[0.0, 0.7615941559557649, -0.7615941559557649, 1.0, -1.0])),
        case(Logistic, "f32 with large magnitudes")
            .input(f32s(&[6], &[0.0, 2.0, -2.0, 100.0, -1000.0, 1000.0]))
            .tol(1e-7)
            .expect(f32s(&[6], &[0.5, 0.880_797_1, 0.119_202_92, 1.0, 0.0, 1.0])),
        case(Logistic, "f64 tiny result keeps relative precision")
            .input(f64s(&[3], &[-100.0, 1e308, NAN]))
            .tol(1e-14)
            .expect(f64s(&[3], &[3.720075976020836e-44, 1.0, NAN])),
        case(Sqrt, "f32")
            .input(f32s(&[5], &[4.0, 2.0, 0.0, -1.0, INF32]))
            .tol(1e-7)
            .expect(f32s(&[5], &[2.0, std::f32::consts::SQRT_2, 0.0, NAN32, INF32])),
        case(Rsqrt, "f64").input(f64s(&[4], &[4.0, 0.0, INF, 0.25])).expect(f64s(&[4], &[0.5, INF, 0.0, 2.0])),
        case(Erf, "f32 (computed in f64, rounded)")
            .input(f32s(&[7], &[0.0, 0.5, 1.0, -2.0, 10.0, -INF32, NAN32]))
            .expect(f32s(&[7], &[0.0, 0.520_499_9, 0.842_700_8, -0.995_322_3, 1.0, -1.0, NAN32])),
        case(Erf, "f64")
            .input(f64s(&[3], &[0.5, 3.0, -1.5]))
            .tol(1e-15)
            .expect(f64s(&[3], &[0.5204998778130465, 0.9999779095030014, -0.9661051464753108])),
        case(Sin, "f64")
            .input(f64s(&[3], &[0.0, FRAC_PI_2, -FRAC_PI_2]))
            .tol(1e-15)
            .expect(f64s(&[3], &[0.0, 1.0, -1.0])),
        case(Sin, "f32 of inf is NaN").input(f32s(&[1], &[INF32])).expect(f32s(&[1], &[NAN32])),
        case(Cos, "f32").input(f32s(&[2], &[0.0, PI as f32])).tol(1e-7).expect(f32s(&[2], &[1.0, -1.0])),
        case(Floor, "f32")
            .input(f32s(&[5], &[-1.5, 1.5, -0.0, 2.0, NAN32]))
            .expect(f32s(&[5], &[-2.0, 1.0, -0.0, 2.0, NAN32])),
        case(Ceil, "f64").input(f64s(&[3], &[-1.5, 1.5, 0.2])).expect(f64s(&[3], &[-1.0, 2.0, 1.0])),
        case(Round, "f32 half to even")
            .input(f32s(&[7], &[0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6]))
            .expect(f32s(&[7], &[0.0, 2.0, 2.0, -0.0, -2.0, 2.0, 3.0])),
        case(Round, "f64 half to even").input(f64s(&[2], &[3.5, -2.5])).expect(f64s(&[2], &[4.0, -2.0])),
        case(Exp, "empty").input(f32s(&[0, 3], &[])).expect(f32s(&[0, 3], &[])),
    ]
}

pub fn unary_other_cases() -> Vec<Case> {
    vec![
        case(Neg, "f32").input(f32s(&[3], &[1.0, -2.0, 0.0])).expect(f32s(&[3], &[-1.0, 2.0, -0.0])),
        case(Neg, "f64").input(f64s(&[1], &[INF])).expect(f64s(&[1], &[-INF])),
        case(Neg, "i32 wraps")
            .input(i32s(&[3], &[1, i32::MIN, i32::MAX]))
            .expect(i32s(&[3], &[-1, i32::MIN, -i32::MAX])),
        case(Neg, "i64").input(i64s(&[1], &[5])).expect(i64s(&[1], &[-5])),
        case(Abs, "i32 wraps").input(i32s(&[3], &[-3, 3, i32::MIN])).expect(i32s(&[3], &[3, 3, i32::MIN])),
        case(Abs, "f32").input(f32s(&[3], &[-0.5, -0.0, -INF32])).expect(f32s(&[3], &[0.5, 0.0, INF32])),
        case(Abs, "i64").input(i64s(&[1], &[-9])).expect(i64s(&[1], &[9])),
        case(Sign, "f32 keeps NaN and signed zero")
            .input(f32s(&[5], &[-2.0, 0.0, 3.0, NAN32, -0.0]))
            .expect(f32s(&[5], &[-1.0, 0.0, 1.0, NAN32, -0.0])),
        case(Sign, "i64").input(i64s(&[3], &[-7, 0, 9])).expect(i64s(&[3], &[-1, 0, 1])),
        case(Sign, "f64").input(f64s(&[2], &[-INF, 1e-300])).expect(f64s(&[2], &[-1.0, 1.0])),
        case(Not, "bool").input(bools(&[2], &[true, false])).expect(bools(&[2], &[false, true])),
        case(Not, "i32 bitwise").input(i32s(&[3], &[0, -1, 5])).expect(i32s(&[3], &[-1, 0, -6])),
        case(Not, "i64 bitwise").input(i64s(&[1], &[0])).expect(i64s(&[1], &[-1])),
    ]
}

fn bin(kind: xlac_ir::OpKind, name: &str, a: Tensor, b: Tensor, want: Tensor) -> Case {
    case(kind, name).input(a).input(b).expect(want)
}

use xlac_ir::Tensor;

pub fn binary_cases() -> Vec<Case> {
    let (min32, max32, min64, max64) = (i32::MIN, i32::MAX, i64::MIN, i64::MAX);
    vec![
        bin(Add, "f32", f32s(&[2], &[1.5, -2.0]), f32s(&[2], &[2.25, 2.0]), f32s(&[2], &[3.75, 0.0])),
        bin(Add, "f64", f64s(&[2], &[0.5, INF]), f64s(&[2], &[0.25, -INF]), f64s(&[2], &[0.75, NAN])),
        bin(Add, "i32 wraps", i32s(&[2], &[max32, 1]), i32s(&[2], &[1, 2]), i32s(&[2], &[min32, 3])),
        bin(Add, "i64 wraps", i64s(&[1], &[max64]), i64s(&[1], &[1]), i64s(&[1], &[min64])),
        bin(Add, "scalars", f32s(&[], &[1.0]), f32s(&[], &[2.0]), f32s(&[], &[3.0])),
        bin(Add, "empty", i64s(&[2, 0], &[]), i64s(&[2, 0], &[]), i64s(&[2, 0], &[])),
        bin(Sub, "i32 wraps", i32s(&[1], &[min32]), i32s(&[1], &[1]), i32s(&[1], &[max32])),
        bin(Sub, "f32", f32s(&[1], &[1.0]), f32s(&[1], &[3.0]), f32s(&[1], &[-2.0])),
        bin(Mul, "i32 wraps", i32s(&[1], &[65536]), i32s(&[1], &[65536]), i32s(&[1], &[0])),
        bin(Mul, "i64", i64s(&[1], &[3]), i64s(&[1], &[-4]), i64s(&[1], &[-12])),
        bin(Mul, "f64", f64s(&[2], &[1.5, 0.0]), f64s(&[2], &[2.0, INF]), f64s(&[2], &[3.0, NAN])),
        bin(
            Div,
            "f32 by zero",
            f32s(&[4], &[1.0, -1.0, 0.0, 7.0]),
            f32s(&[4], &[0.0, 0.0, 0.0, 2.0]),
            f32s(&[4], &[INF32, -INF32, NAN32, 3.5]),
        ),
        bin(
            Div,
            "i32 truncates, x/0 = -1, MIN/-1 = MIN",
            i32s(&[5], &[7, -7, 7, min32, 5]),
            i32s(&[5], &[2, 2, 0, -1, -3]),
            i32s(&[5], &[3, -3, -1, min32, -1]),
        ),
        bin(Div, "i64 edge cases", i64s(&[2], &[-9, min64]), i64s(&[2], &[0, -1]), i64s(&[2], &[-1, min64])),
        bin(
            Rem,
            "f32 fmod",
            f32s(&[4], &[5.5, -5.5, 1.0, 5.0]),
            f32s(&[4], &[2.0, 2.0, 0.0, -3.0]),
            f32s(&[4], &[1.5, -1.5, NAN32, 2.0]),
        ),
        bin(
            Rem,
            "i32 sign of dividend, x%0 = x, MIN%-1 = 0",
            i32s(&[5], &[7, -7, 7, min32, 5]),
            i32s(&[5], &[3, 3, 0, -1, -3]),
            i32s(&[5], &[1, -1, 7, 0, 2]),
        ),
        bin(Rem, "i64", i64s(&[2], &[min64, -4]), i64s(&[2], &[-1, 0]), i64s(&[2], &[0, -4])),
        bin(Rem, "f64", f64s(&[1], &[-7.0]), f64s(&[1], &[2.0]), f64s(&[1], &[-1.0])),
        bin(
            Pow,
            "f32",
            f32s(&[5], &[2.0, 4.0, 2.0, 0.0, -8.0]),
            f32s(&[5], &[3.0, 0.5, -1.0, 0.0, 0.5]),
            f32s(&[5], &[8.0, 2.0, 0.5, 1.0, NAN32]),
        ),
        bin(
            Pow,
            "i32 with negative exponents and wrapping",
            i32s(&[10], &[2, 3, 2, 1, -1, -1, 5, 0, 2, -2]),
            i32s(&[10], &[10, 0, -1, -5, -3, -4, 1, 0, 31, 3]),
            i32s(&[10], &[1024, 1, 0, 1, -1, 1, 5, 1, min32, -8]),
        ),
        bin(
            Pow,
            "i64 wraps",
            i64s(&[3], &[3, 2, 2]),
            i64s(&[3], &[40, 63, 64]),
            i64s(&[3], &[-6289078614652622815, min64, 0]),
        ),
        bin(Pow, "f64", f64s(&[1], &[9.0]), f64s(&[1], &[0.5]), f64s(&[1], &[3.0])),
        bin(
            Max,
            "f32 NaN propagates",
            f32s(&[4], &[1.0, NAN32, 3.0, -INF32]),
            f32s(&[4], &[2.0, 1.0, NAN32, 5.0]),
            f32s(&[4], &[2.0, NAN32, NAN32, 5.0]),
        ),
        bin(Max, "i32", i32s(&[2], &[min32, 5]), i32s(&[2], &[0, -5]), i32s(&[2], &[0, 5])),
        bin(
            Min,
            "f64 NaN propagates",
            f64s(&[3], &[1.0, NAN, 4.0]),
            f64s(&[3], &[2.0, 0.0, NAN]),
            f64s(&[3], &[1.0, NAN, NAN]),
        ),
        bin(Min, "i64", i64s(&[2], &[min64, 5]), i64s(&[2], &[0, -5]), i64s(&[2], &[min64, -5])),
        bin(
            And,
            "bool",
            bools(&[4], &[true, true, false, false]),
            bools(&[4], &[true, false, true, false]),
            bools(&[4], &[true, false, false, false]),
        ),
        bin(And, "i32 bitwise", i32s(&[1], &[12]), i32s(&[1], &[10]), i32s(&[1], &[8])),
        bin(
            Or,
            "bool",
            bools(&[4], &[true, true, false, false]),
            bools(&[4], &[true, false, true, false]),
            bools(&[4], &[true, true, true, false]),
        ),
        bin(Or, "i64 bitwise", i64s(&[1], &[12]), i64s(&[1], &[10]), i64s(&[1], &[14])),
        bin(
            Xor,
            "bool",
            bools(&[4], &[true, true, false, false]),
            bools(&[4], &[true, false, true, false]),
            bools(&[4], &[false, true, true, false]),
        ),
        bin(Xor, "i32 bitwise", i32s(&[1], &[12]), i32s(&[1], &[10]), i32s(&[1], &[6])),
    ]
}

fn cmp(dir: &'static str, name: &str, a: Tensor, b: Tensor, want: &[bool]) -> Case {
    let n = want.len();
    case(Compare, &format!("{dir} {name}")).enm("dir", dir).input(a).input(b).expect(bools(&[n], want))
}

pub fn compare_cases() -> Vec<Case> {
    let (t, f) = (true, false);
    let lhs = || f32s(&[4], &[1.0, 2.0, 3.0, NAN32]);
    let rhs = || f32s(&[4], &[2.0, 2.0, 2.0, NAN32]);
    vec![
        cmp("eq", "f32 with NaN", lhs(), rhs(), &[f, t, f, f]),
        cmp("ne", "f32 with NaN", lhs(), rhs(), &[t, f, t, t]),
        cmp("lt", "f32 with NaN", lhs(), rhs(), &[t, f, f, f]),
        cmp("le", "f32 with NaN", lhs(), rhs(), &[t, t, f, f]),
        cmp("gt", "f32 with NaN", lhs(), rhs(), &[f, f, t, f]),
        cmp("ge", "f32 with NaN", lhs(), rhs(), &[f, t, t, f]),
        cmp("lt", "f64 signed zero", f64s(&[2], &[-0.0, -INF]), f64s(&[2], &[0.0, INF]), &[f, t]),
        cmp("eq", "f64 signed zero", f64s(&[1], &[-0.0]), f64s(&[1], &[0.0]), &[t]),
        cmp("ge", "i32", i32s(&[2], &[i32::MIN, 0]), i32s(&[2], &[i32::MAX, 0]), &[f, t]),
        cmp("ne", "i64", i64s(&[2], &[1, 2]), i64s(&[2], &[1, 3]), &[f, t]),
        cmp("lt", "bool (false < true)", bools(&[3], &[f, t, f]), bools(&[3], &[t, t, f]), &[t, f, f]),
        cmp("eq", "bool", bools(&[2], &[t, f]), bools(&[2], &[t, t]), &[t, f]),
    ]
}

pub fn select_clamp_convert_cases() -> Vec<Case> {
    let (t, f) = (true, false);
    vec![
        case(Select, "f32 elementwise pred")
            .input(bools(&[3], &[t, f, t]))
            .input(f32s(&[3], &[1.0, 2.0, 3.0]))
            .input(f32s(&[3], &[10.0, 20.0, 30.0]))
            .expect(f32s(&[3], &[1.0, 20.0, 3.0])),
        case(Select, "i64 scalar pred")
            .input(bools(&[], &[f]))
            .input(i64s(&[2], &[1, 2]))
            .input(i64s(&[2], &[3, 4]))
            .expect(i64s(&[2], &[3, 4])),
        case(Select, "bool branches")
            .input(bools(&[2], &[t, f]))
            .input(bools(&[2], &[f, f]))
            .input(bools(&[2], &[t, t]))
            .expect(bools(&[2], &[f, t])),
        case(Select, "scalar pred true over empty")
            .input(bools(&[], &[t]))
            .input(i32s(&[0], &[]))
            .input(i32s(&[0], &[]))
            .expect(i32s(&[0], &[])),
        case(Clamp, "f32 scalar bounds, NaN stays")
            .input(f32s(&[], &[0.0]))
            .input(f32s(&[4], &[-1.0, 3.0, 7.0, NAN32]))
            .input(f32s(&[], &[6.0]))
            .expect(f32s(&[4], &[0.0, 3.0, 6.0, NAN32])),
        case(Clamp, "i32 tensor bounds")
            .input(i32s(&[3], &[0, 5, -10]))
            .input(i32s(&[3], &[-5, 3, 100]))
            .input(i32s(&[3], &[1, 6, 10]))
            .expect(i32s(&[3], &[0, 5, 10])),
        case(Clamp, "i64 min above max gives max")
            .input(i64s(&[], &[5]))
            .input(i64s(&[1], &[0]))
            .input(i64s(&[], &[2]))
            .expect(i64s(&[1], &[2])),
        case(Clamp, "f64 mixed scalar and tensor bounds")
            .input(f64s(&[2], &[0.0, 1.0]))
            .input(f64s(&[2], &[-1.0, -1.0]))
            .input(f64s(&[], &[0.5]))
            .expect(f64s(&[2], &[0.0, 0.5])),
        conv_case(
            "f32 to i32 truncates and saturates, NaN gives 0",
            f32s(&[6], &[1.7, -1.7, NAN32, 1e10, -1e10, INF32]),
            i32s(&[6], &[1, -1, 0, i32::MAX, i32::MIN, i32::MAX]),
        ),
        conv_case("f64 to i64 saturates", f64s(&[2], &[2.9e19, -0.99]), i64s(&[2], &[i64::MAX, 0])),
        conv_case("i32 to f32 rounds to nearest even", i32s(&[2], &[16777217, -3]), f32s(&[2], &[16777216.0, -3.0])),
        conv_case("i64 to i32 keeps the low bits", i64s(&[2], &[4294967297, -1]), i32s(&[2], &[1, -1])),
        conv_case("bool to f32", bools(&[2], &[t, f]), f32s(&[2], &[1.0, 0.0])),
        conv_case("bool to i64", bools(&[2], &[t, f]), i64s(&[2], &[1, 0])),
        conv_case("f32 to bool is x != 0", f32s(&[4], &[0.0, -0.0, 0.5, NAN32]), bools(&[4], &[f, f, t, t])),
        conv_case("i64 to bool", i64s(&[2], &[0, 5]), bools(&[2], &[f, t])),
        conv_case("i32 to bool", i32s(&[2], &[-1, 0]), bools(&[2], &[t, f])),
        conv_case("f64 to f32 overflows to inf", f64s(&[2], &[1e300, 0.1]), f32s(&[2], &[INF32, 0.1])),
        conv_case("f32 to f64 is exact", f32s(&[1], &[0.1]), f64s(&[1], &[0.10000000149011612])),
        conv_case("i32 to i64", i32s(&[1], &[-5]), i64s(&[1], &[-5])),
        conv_case("i64 to f64", i64s(&[1], &[(1 << 53) + 1]), f64s(&[1], &[9007199254740992.0])),
        conv_case("f32 to f32", f32s(&[1], &[NAN32]), f32s(&[1], &[NAN32])),
        conv_case("bool to bool", bools(&[1], &[t]), bools(&[1], &[t])),
        conv_case("empty f32 to i32", f32s(&[0], &[]), i32s(&[0], &[])),
    ]
}

fn conv_case(name: &str, x: Tensor, want: Tensor) -> Case {
    let declared = want.ty();
    case(Convert, name).input(x).declared(declared).expect(want)
}

/// Every dtype pair of `convert`, checked on the values 0 and 1 (which every dtype holds).
pub fn convert_all_pairs() -> Vec<Case> {
    let one_zero = |d: DType| match d {
        DType::F32 => f32s(&[2], &[1.0, 0.0]),
        DType::F64 => f64s(&[2], &[1.0, 0.0]),
        DType::I32 => i32s(&[2], &[1, 0]),
        DType::I64 => i64s(&[2], &[1, 0]),
        DType::Bool => bools(&[2], &[true, false]),
    };
    let mut cases = Vec::new();
    for from in DType::ALL {
        for to in DType::ALL {
            cases.push(conv_case(&format!("{from} to {to}"), one_zero(from), one_zero(to)));
        }
    }
    cases
}

pub fn cases() -> Vec<Case> {
    [
        unary_float_cases(),
        unary_other_cases(),
        binary_cases(),
        compare_cases(),
        select_clamp_convert_cases(),
        convert_all_pairs(),
    ]
    .concat()
}
