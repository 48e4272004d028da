//! A light fuzz of the `eqsat` pass: random small functions over the ops the rules look
//! at (elementwise ops with splat constants, broadcasts, transposes, reshapes, slices,
//! concatenations, reductions, dot_general), built through `FunctionBuilder` so every
//! one verifies. The pass must not panic, its result must verify, cost no more, and
//! (without fast-math) compute what the input does on the interpreter. `XLAC_EQSAT_FUZZ=N` runs N functions
//! (default 300).

mod eqsat_util;

use eqsat_util::*;
use xlac_ir::{
    print_module, AttrValue, Attrs, DType, FunctionBuilder, Literal, Module, OpKind, TensorData, TensorType, Value,
};
use xlac_passes::eqsat::cost::function_cost;
use xlac_passes::eqsat::Eqsat;
use xlac_passes::{Pass, PassCx};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn splat(b: &mut FunctionBuilder, ty: &TensorType, v: f64) -> Value {
    let lit = Literal::Splat(TensorData::F32(vec![v as f32]));
    b.op(OpKind::Constant, &[], Attrs::new(OpKind::Constant).with("value", AttrValue::Literal(lit)), Some(ty.clone()))
        .unwrap()
}

/// One random op on the pool; `None` if the random attributes were invalid.
fn step(b: &mut FunctionBuilder, pool: &[Value], rng: &mut Rng) -> Option<Value> {
    use OpKind::*;
    let v = pool[rng.below(pool.len())];
    let ty = b.ty(v).clone();
    let r = ty.rank();
    let ints = |v: Vec<usize>| AttrValue::Ints(v.into_iter().map(|d| d as i64).collect());
    let consts = [0.0, -0.0, 1.0, -1.0, 2.0, 3.0, 4.0, 0.5, 0.25];
    match rng.below(12) {
        0 => {
            let kind = [Neg, Abs, Exp, Tanh, Floor, Logistic][rng.below(6)];
            b.op(kind, &[v], Attrs::new(kind), None).ok()
        }
        1 | 2 => {
            let kind = [Add, Sub, Mul, Div, Max, Min, Pow][rng.below(7)];
            let other = match pool.iter().find(|&&w| w != v && *b.ty(w) == ty) {
                Some(&w) if rng.below(2) == 0 => w,
                _ => splat(b, &ty, consts[rng.below(consts.len())]),
            };
            let (x, y) = if rng.below(3) == 0 { (other, v) } else { (v, other) };
            b.op(kind, &[x, y], Attrs::new(kind), None).ok()
        }
        3 => {
            let at = rng.below(r + 1);
            let mut dims = ty.dims().to_vec();
            dims.insert(at, 1 + rng.below(3));
            let map: Vec<usize> = (0..r).map(|i| if i < at { i } else { i + 1 }).collect();
            let attrs = Attrs::new(BroadcastInDim).with("dims", ints(map));
            b.op(BroadcastInDim, &[v], attrs, Some(TensorType::new(ty.dtype, dims))).ok()
        }
        4 => {
            let mut perm: Vec<usize> = (0..r).collect();
            for i in (1..r).rev() {
                perm.swap(i, rng.below(i + 1));
            }
            b.op(Transpose, &[v], Attrs::new(Transpose).with("perm", ints(perm)), None).ok()
        }
        5 => {
            let mut dims = ty.dims().to_vec();
            if rng.below(2) == 0 {
                dims.insert(rng.below(r + 1), 1);
            } else {
                dims = vec![ty.shape.num_elements()];
            }
            b.op(Reshape, &[v], Attrs::new(Reshape), Some(TensorType::new(ty.dtype, dims))).ok()
        }
        6 | 7 => {
            let dims: Vec<usize> = (0..r).filter(|_| rng.below(2) == 0).collect();
            let kind = ["sum", "max", "min"][rng.below(3)];
            let attrs = Attrs::new(Reduce).with("kind", AttrValue::Enum(kind)).with("dims", ints(dims));
            b.op(Reduce, &[v], attrs, None).ok()
        }
        8 => {
            let start: Vec<usize> = ty.dims().iter().map(|&d| rng.below(d)).collect();
            let limit: Vec<usize> = ty.dims().iter().zip(&start).map(|(&d, &s)| s + 1 + rng.below(d - s)).collect();
            let strides: Vec<usize> = (0..r).map(|_| 1 + rng.below(2)).collect();
            let attrs =
                Attrs::new(Slice).with("start", ints(start)).with("limit", ints(limit)).with("strides", ints(strides));
            b.op(Slice, &[v], attrs, None).ok()
        }
        9 if r > 0 => {
            let attrs = Attrs::new(Concatenate).with("dim", AttrValue::Int(rng.below(r) as i64));
            b.op(Concatenate, &[v, v], attrs, None).ok()
        }
        10 if r == 2 => {
            let t = b.op(Transpose, &[v], Attrs::new(Transpose).with("perm", ints(vec![1, 0])), None).ok()?;
            let attrs = Attrs::new(DotGeneral).with("lhs_contract", ints(vec![1])).with("rhs_contract", ints(vec![0]));
            let (x, y) = if rng.below(2) == 0 { (v, t) } else { (t, v) };
            b.op(DotGeneral, &[x, y], attrs, None).ok()
        }
        _ => {
            let n = b.op(Neg, &[v], Attrs::new(Neg), None).ok()?;
            let c = splat(b, &ty, 1.0);
            let p = b.op(Compare, &[v, c], Attrs::new(Compare).with("dir", AttrValue::Enum("lt")), None).ok()?;
            b.op(Select, &[p, v, n], Attrs::new(Select), None).ok()
        }
    }
}

fn random_module(seed: u64) -> Module {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) + 1);
    let mut b = FunctionBuilder::new("main");
    let dims: Vec<usize> = (0..1 + rng.below(3)).map(|_| 1 + rng.below(4)).collect();
    let x = b.param("x", TensorType::new(DType::F32, dims.clone()));
    let y = b.param("y", TensorType::new(DType::F32, dims));
    let mut pool = vec![x, y];
    for _ in 0..12 {
        if let Some(v) = step(&mut b, &pool, &mut rng) {
            pool.push(v);
        }
    }
    let ret = [pool[pool.len() - 1], pool[pool.len() / 2]];
    Module { weights_file: None, functions: vec![b.finish(&ret)] }
}

#[test]
fn random_functions_keep_their_semantics() {
    let n: u64 = std::env::var("XLAC_EQSAT_FUZZ").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let mut changed = 0;
    for seed in 0..n {
        let m = random_module(seed);
        xlac_ir::verify_module(&m).unwrap_or_else(|e| panic!("seed {seed}: generator bug {e:?}"));
        let mut out = m.clone();
        let mut cx = PassCx { fast_math: false, notes: Vec::new() };
        changed += Eqsat::default().run(&mut out, &mut cx).unwrap() as usize;
        let show = || format!("seed {seed}\ninput:\n{}\noutput:\n{}", print_module(&m), print_module(&out));
        xlac_ir::verify_module(&out).unwrap_or_else(|e| panic!("{e:?}\n{}", show()));
        assert!(function_cost(&out.functions[0]) <= function_cost(&m.functions[0]), "{}", show());
        same_results(&m, &out, -2.0, 2.0).unwrap_or_else(|e| panic!("{e}\n{}", show()));
        let mut fast = m.clone();
        let mut cx = PassCx { fast_math: true, notes: Vec::new() };
        Eqsat::default().run(&mut fast, &mut cx).unwrap();
        xlac_ir::verify_module(&fast).unwrap_or_else(|e| panic!("fast-math, seed {seed}: {e:?}"));
        assert!(function_cost(&fast.functions[0]) <= function_cost(&m.functions[0]), "fast-math, seed {seed}");
    }
    assert!(changed as u64 > n / 6, "only {changed} of {n} random functions changed");
}
