//! Cases for `gather`, `call` and `fusion`.

use super::common::*;
use xlac_ir::{AttrValue, Attrs, DType, FunctionBuilder, Module, OpKind, OpKind::*};

pub fn gather_cases() -> Vec<Case> {
    vec![
        case(Gather, "axis 0 with clamped indices")
            .input(f32s(&[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
            .input(i32s(&[4], &[2, 0, 5, -1]))
            .int("axis", 0)
            .expect(f32s(&[4, 2], &[5.0, 6.0, 1.0, 2.0, 5.0, 6.0, 1.0, 2.0])),
        // result[a, i, j] = x[a, idx[i, j]]
        case(Gather, "axis 1 with 2-d i64 indices")
            .input(i32s(&[2, 3], &[1, 2, 3, 4, 5, 6]))
            .input(i64s(&[2, 2], &[2, 0, 1, 7]))
            .int("axis", 1)
            .expect(i32s(&[2, 2, 2], &[3, 1, 2, 3, 6, 4, 5, 6])),
        case(Gather, "extreme indices clamp")
            .input(f64s(&[2], &[1.5, 2.5]))
            .input(i64s(&[2], &[i64::MIN, i64::MAX]))
            .int("axis", 0)
            .expect(f64s(&[2], &[1.5, 2.5])),
        case(Gather, "scalar index")
            .input(i64s(&[3], &[10, 20, 30]))
            .input(i32s(&[], &[1]))
            .int("axis", 0)
            .expect(i64s(&[], &[20])),
        case(Gather, "bool rows")
            .input(bools(&[2, 1], &[true, false]))
            .input(i32s(&[3], &[1, 1, 0]))
            .int("axis", 0)
            .expect(bools(&[3, 1], &[false, false, true])),
        case(Gather, "empty indices")
            .input(f32s(&[3], &[1.0, 2.0, 3.0]))
            .input(i32s(&[0], &[]))
            .int("axis", 0)
            .expect(f32s(&[0], &[])),
        case(Gather, "empty indices from an empty axis")
            .input(f32s(&[0, 2], &[]))
            .input(i32s(&[0], &[]))
            .int("axis", 0)
            .expect(f32s(&[0, 2], &[])),
    ]
}

/// `@add1(a) = a + 1` and `@sum_diff(a, b) = (a + b, a - b)`, called from `@main`.
fn call_module() -> Module {
    let t = ty(DType::F32, &[2]);
    let mut add1 = FunctionBuilder::new("add1");
    let a = add1.param("a", t.clone());
    let one = add1
        .op(
            Constant,
            &[],
            Attrs::new(Constant)
                .with("value", AttrValue::Literal(xlac_ir::Literal::Splat(xlac_ir::TensorData::F32(vec![1.0])))),
            Some(t.clone()),
        )
        .unwrap();
    let r = add1.op(Add, &[a, one], Attrs::new(Add), None).unwrap();
    let add1 = add1.finish(&[r]);

    let mut sd = FunctionBuilder::new("sum_diff");
    let (a, b) = (sd.param("a", t.clone()), sd.param("b", t.clone()));
    let s = sd.op(Add, &[a, b], Attrs::new(Add), None).unwrap();
    let d = sd.op(Sub, &[a, b], Attrs::new(Sub), None).unwrap();
    let sd = sd.finish(&[s, d]);

    let mut main = FunctionBuilder::new("main");
    let (x, y) = (main.param("x", t.clone()), main.param("y", t.clone()));
    let callee = |name: &str| Attrs::new(Call).with("callee", AttrValue::FuncRef(name.into()));
    let x1 = main.op_typed(Call, &[x], callee("add1"), vec![t.clone()]);
    let both = main.op_typed(Call, &[x1[0], y], callee("sum_diff"), vec![t.clone(), t.clone()]);
    let main = main.finish(&[both[1], both[0], x]);
    Module { weights_file: None, functions: vec![add1, sd, main] }
}

pub fn call_cases() -> Vec<Case> {
    vec![Case {
        name: "nested calls with two results".into(),
        kind: OpKind::Call,
        module: Ok(call_module()),
        inputs: vec![f32s(&[2], &[1.0, 2.0]), f32s(&[2], &[10.0, 20.0])],
        // x + 1 = [2, 3]; results: (x+1) - y, (x+1) + y, x
        expected: vec![f32s(&[2], &[-8.0, -17.0]), f32s(&[2], &[12.0, 23.0]), f32s(&[2], &[1.0, 2.0])],
        tol: 0.0,
    }]
}

/// `fusion` has `call`'s semantics: the same module with every call a fusion.
pub fn fusion_cases() -> Vec<Case> {
    let mut m = call_module();
    for f in &mut m.functions {
        for op in &mut f.ops {
            if op.kind == OpKind::Call {
                let callee = op.attrs.func("callee").unwrap().to_string();
                op.kind = OpKind::Fusion;
                op.attrs = Attrs::new(OpKind::Fusion).with("callee", AttrValue::FuncRef(callee));
            }
        }
    }
    let mut case = call_cases().remove(0);
    case.name = "fusions with two results".into();
    case.kind = OpKind::Fusion;
    case.module = Ok(m);
    vec![case]
}

pub fn cases() -> Vec<Case> {
    [gather_cases(), call_cases(), fusion_cases()].concat()
}
