//! A graph under construction: the module under test and, beside it, a *shadow* module
//! that computes the same values plus, for every float value, a magnitude `M >= |x|`
//! that bounds how far a correct compiled result may stray: rounding (and reassociation)
//! errors grow at most like `c * M`, with `c` a few ulp per op (see [`crate::compare`]).
//!
//! Magnitudes follow first-order error propagation: `M(a+b) = M(a) + M(b)`,
//! `M(a*b) = M(a) * M(b)`, `M(sum) = sum(M)`, `M(dot) = dot(M, M)`, index maps move `M`
//! like the values, and smooth functions scale it by a bound on their derivative. Ops
//! whose result jumps (compare, floor, float-to-int converts, ...) only ever see
//! *exact* values (parameters, constants and what order-independent ops make of them),
//! so both sides agree on them bit for bit.

use std::collections::BTreeMap;
use xlac_ir::{
    AttrValue, Attrs, DType, FunctionBuilder, InferCx, Literal, Module, OpKind, TensorData, TensorType, Value,
};

/// One value of the graph.
#[derive(Clone, Debug)]
pub struct Node {
    /// The value in the module under test.
    pub main: Value,
    /// The same value in the shadow module.
    pub shadow: Value,
    /// Its magnitude in the shadow module (floats only).
    pub mag: Option<Value>,
    /// Computed without rounding-order freedom: compiled code must give these bits.
    pub exact: bool,
    /// The value's type.
    pub ty: TensorType,
    /// How many ops use it.
    pub uses: usize,
    /// Whether an op other than `constant` computes it.
    pub from_op: bool,
}

/// Both modules under construction.
pub struct Graph {
    main: FunctionBuilder,
    shadow: FunctionBuilder,
    /// Every value so far, in creation order.
    pub nodes: Vec<Node>,
    /// Parameter types, in order.
    pub params: Vec<TensorType>,
    /// How many ops of each kind the module under test has.
    pub counts: BTreeMap<OpKind, usize>,
    /// Largest number of terms a float sum (reduce, dot_general) adds.
    pub max_terms: usize,
    /// Whether a float op with a polynomial (vector math) implementation occurs.
    pub has_math: bool,
}

/// The result type `kind`'s type rule gives, or why it rejects the operands.
pub fn infer(
    kind: OpKind,
    operands: &[TensorType],
    attrs: &Attrs,
    declared: Option<&TensorType>,
) -> Result<TensorType, String> {
    let declared: Vec<TensorType> = declared.into_iter().cloned().collect();
    let cx = InferCx { kind, operands, attrs, declared: &declared, module: None };
    let mut types = (kind.info().rule)(&cx)?;
    types.pop().ok_or_else(|| "no result".to_string())
}

/// A one-element tensor of `dtype` holding `v`.
pub fn scalar_data(dtype: DType, v: f64) -> TensorData {
    match dtype {
        DType::F32 => TensorData::F32(vec![v as f32]),
        DType::F64 => TensorData::F64(vec![v]),
        DType::I32 => TensorData::I32(vec![v as i32]),
        DType::I64 => TensorData::I64(vec![v as i64]),
        DType::Bool => TensorData::Bool(vec![v != 0.0]),
    }
}

fn splat_attrs(dtype: DType, v: f64) -> Attrs {
    let lit = Literal::Splat(scalar_data(dtype, v));
    Attrs::new(OpKind::Constant).with("value", AttrValue::Literal(lit))
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Graph {
        Graph {
            main: FunctionBuilder::new("main"),
            shadow: FunctionBuilder::new("main"),
            nodes: Vec::new(),
            params: Vec::new(),
            counts: BTreeMap::new(),
            max_terms: 1,
            has_math: false,
        }
    }

    /// The type of node `n`.
    pub fn ty(&self, n: usize) -> &TensorType {
        &self.nodes[n].ty
    }

    /// Adds a parameter.
    pub fn param(&mut self, ty: TensorType) -> usize {
        let name = format!("p{}", self.params.len());
        self.params.push(ty.clone());
        let main = self.main.param(&name, ty.clone());
        let shadow = self.shadow.param(&name, ty.clone());
        let mag = ty.dtype.is_float().then(|| self.s(OpKind::Abs, &[shadow], Attrs::new(OpKind::Abs)));
        self.nodes.push(Node { main, shadow, mag, exact: true, ty, uses: 0, from_op: false });
        self.nodes.len() - 1
    }

    /// Adds a splat constant of type `ty`.
    pub fn splat(&mut self, ty: &TensorType, v: f64) -> usize {
        self.op(OpKind::Constant, &[], splat_attrs(ty.dtype, v), Some(ty.clone()))
    }

    /// Appends `kind` to both modules and gives its result a magnitude. Panics if the
    /// type rule rejects the op: generators only build valid ops.
    pub fn op(&mut self, kind: OpKind, operands: &[usize], attrs: Attrs, declared: Option<TensorType>) -> usize {
        let main_ops: Vec<Value> = operands.iter().map(|&n| self.nodes[n].main).collect();
        let shadow_ops: Vec<Value> = operands.iter().map(|&n| self.nodes[n].shadow).collect();
        let main = self
            .main
            .op(kind, &main_ops, attrs.clone(), declared.clone())
            .unwrap_or_else(|e| panic!("generator bug: bad `{}`: {e}", kind.name()));
        let shadow = self.shadow.op(kind, &shadow_ops, attrs.clone(), declared).expect("shadow op");
        let ty = self.main.ty(main).clone();
        for &n in operands {
            self.nodes[n].uses += 1;
        }
        *self.counts.entry(kind).or_default() += 1;
        let exact = self.exact(kind, operands, &attrs, &ty);
        let mag = ty.dtype.is_float().then(|| self.magnitude(kind, operands, &attrs, shadow, &ty));
        let from_op = kind != OpKind::Constant;
        self.nodes.push(Node { main, shadow, mag, exact, ty, uses: 0, from_op });
        self.nodes.len() - 1
    }

    /// Whether compiled code must reproduce the result of `kind` bit for bit.
    fn exact(&self, kind: OpKind, operands: &[usize], attrs: &Attrs, ty: &TensorType) -> bool {
        use OpKind::*;
        let all = operands.iter().all(|&n| self.nodes[n].exact);
        if !ty.dtype.is_float() {
            return true;
        }
        match kind {
            Constant | Iota => true,
            Neg | Abs | Max | Min | Select | Clamp | Convert | Floor | Ceil | Round | Sign | Rem => all,
            Reduce => all && matches!(attrs.enum_or("kind", "sum"), "max" | "min"),
            ReduceWindow => all && matches!(attrs.enum_or("kind", "sum"), "max" | "min"),
            _ if kind.info().class == xlac_ir::ops::OpClass::IndexMap => all,
            Gather => all,
            _ => false,
        }
    }

    /// A shadow-only op.
    fn s(&mut self, kind: OpKind, operands: &[Value], attrs: Attrs) -> Value {
        self.shadow.op(kind, operands, attrs, None).unwrap_or_else(|e| panic!("shadow `{}`: {e}", kind.name()))
    }

    fn s1(&mut self, kind: OpKind, a: Value) -> Value {
        self.s(kind, &[a], Attrs::new(kind))
    }

    fn s2(&mut self, kind: OpKind, a: Value, b: Value) -> Value {
        self.s(kind, &[a, b], Attrs::new(kind))
    }

    /// A shadow splat of the type of `like`.
    fn s_splat(&mut self, like: Value, v: f64) -> Value {
        let ty = self.shadow.ty(like).clone();
        self.shadow.op(OpKind::Constant, &[], splat_attrs(ty.dtype, v), Some(ty)).expect("splat")
    }

    fn mag_of(&self, n: usize) -> Value {
        self.nodes[n].mag.unwrap_or_else(|| panic!("node {n} has no magnitude"))
    }

    /// `M` of a new float result `r` (a shadow value) of `kind` on `operands`.
    fn magnitude(&mut self, kind: OpKind, operands: &[usize], attrs: &Attrs, r: Value, ty: &TensorType) -> Value {
        use OpKind::*;
        let m = |g: &Graph, i: usize| g.mag_of(operands[i]);
        let x = |g: &Graph, i: usize| g.nodes[operands[i]].shadow;
        if matches!(kind, Exp | Log | Log1p | Tanh | Logistic | Sqrt | Rsqrt | Erf | Sin | Cos | Pow) {
            self.has_math = true;
        }
        match kind {
            Constant | Iota | Floor | Ceil | Round | Sign | Rem => self.s1(Abs, r),
            Neg | Abs => m(self, 0),
            // A clamped element is a bound, not the operand: M = max(M(x), |r|).
            Clamp => {
                let a = self.s1(Abs, r);
                self.s2(Max, m(self, 1), a)
            }
            // exp(a ± e) = exp(a) (1 ± e + ...): M = exp(a) (M(a) + 1).
            Exp => {
                let one = self.s_splat(r, 1.0);
                let t = self.s2(Add, m(self, 0), one);
                self.s2(Mul, r, t)
            }
            // Operand >= 1 by construction: |log'| <= 1/a.
            Log => {
                let t = self.s2(Div, m(self, 0), x(self, 0));
                let a = self.s1(Abs, r);
                self.s2(Add, t, a)
            }
            // Operands >= 0 (log1p) or >= 1 (sqrt, rsqrt): derivatives at most 1.
            Log1p | Sqrt | Rsqrt => {
                let a = self.s1(Abs, r);
                self.s2(Add, m(self, 0), a)
            }
            // Bounded functions with |f'| <= 1.13: M = 1.25 M(a) + 1.
            Tanh | Logistic | Erf | Sin | Cos => {
                let k = self.s_splat(r, 1.25);
                let one = self.s_splat(r, 1.0);
                let t = self.s2(Mul, m(self, 0), k);
                self.s2(Add, t, one)
            }
            // pow(a, 2) (the generator's only float exponent): 2 |a| M(a) + |r| <= 3 M(a)^2.
            Pow => {
                let k = self.s_splat(r, 3.0);
                let p = self.s2(Mul, m(self, 0), m(self, 0));
                self.s2(Mul, p, k)
            }
            Add | Sub => self.s2(Add, m(self, 0), m(self, 1)),
            Mul => self.s2(Mul, m(self, 0), m(self, 1)),
            // (M(a) + |r| M(b)) / |b|.
            Div => {
                let ar = self.s1(Abs, r);
                let t = self.s2(Mul, ar, m(self, 1));
                let n = self.s2(Add, m(self, 0), t);
                let d = self.s1(Abs, x(self, 1));
                self.s2(Div, n, d)
            }
            Max | Min => self.s2(Max, m(self, 0), m(self, 1)),
            Select => {
                let p = x(self, 0);
                let (a, b) = (m(self, 1), m(self, 2));
                self.s(Select, &[p, a, b], Attrs::new(Select))
            }
            Convert => {
                if self.nodes[operands[0]].ty.dtype.is_float() {
                    let m0 = m(self, 0);
                    self.shadow.op(Convert, &[m0], Attrs::new(Convert), Some(ty.clone())).expect("convert")
                } else {
                    self.s1(Abs, r)
                }
            }
            Reduce | ReduceWindow => {
                let k = attrs.enum_or("kind", "sum");
                let mut a = attrs.clone();
                if k != "sum" && k != "prod" {
                    a = a.with("kind", AttrValue::Enum("max"));
                }
                let m0 = m(self, 0);
                self.s(kind, &[m0], a)
            }
            DotGeneral | Convolution => {
                let (a, b) = (m(self, 0), m(self, 1));
                self.s(kind, &[a, b], attrs.clone())
            }
            Gather => {
                let (a, i) = (m(self, 0), x(self, 1));
                self.s(Gather, &[a, i], attrs.clone())
            }
            BroadcastInDim | Reshape => {
                let m0 = m(self, 0);
                self.shadow.op(kind, &[m0], attrs.clone(), Some(ty.clone())).expect("index map")
            }
            _ if kind.info().class == xlac_ir::ops::OpClass::IndexMap => {
                let ms: Vec<Value> = (0..operands.len()).map(|i| m(self, i)).collect();
                self.s(kind, &ms, attrs.clone())
            }
            _ => panic!("no magnitude rule for `{}`", kind.name()),
        }
    }

    /// Finishes both modules: the module under test returns `rets`; the shadow module
    /// returns, for each of them, its value and its magnitude (the value itself for
    /// integers and booleans, whose magnitude is unused).
    pub fn finish(self, rets: &[usize]) -> (Module, Module) {
        let main_rets: Vec<Value> = rets.iter().map(|&n| self.nodes[n].main).collect();
        let shadow_rets: Vec<Value> = rets
            .iter()
            .flat_map(|&n| {
                let node = &self.nodes[n];
                [node.shadow, node.mag.unwrap_or(node.shadow)]
            })
            .collect();
        let main = Module { weights_file: None, functions: vec![self.main.finish(&main_rets)] };
        let shadow = Module { weights_file: None, functions: vec![self.shadow.finish(&shadow_rets)] };
        (main, shadow)
    }
}
