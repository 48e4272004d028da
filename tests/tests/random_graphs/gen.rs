//! The random graph generator: a pool of values grows by one random op at a time,
//! chosen by op class from the op table, with operands picked mostly among the newest
//! values (so chains fuse) and partners found by type (same-typed values, broadcasts of
//! reduced values for softmax-like row patterns, new parameters or splat constants).

use crate::graph::{infer, Graph};
use crate::ops;
use std::collections::BTreeMap;
use xlac::inputs::SplitMix64;
use xlac_ir::{AttrValue, Attrs, DType, Module, OpKind, Tensor, TensorData, TensorType};

/// The most elements any generated value may have.
pub const MAX_ELEMENTS: usize = 1024;
/// The most parameters a graph gets.
const MAX_PARAMS: usize = 6;

/// One generated graph with inputs.
pub struct Case {
    /// The seed it came from.
    pub seed: u64,
    /// The module under test (verified).
    pub module: Module,
    /// The same computation returning `[value, magnitude]` per result (verified).
    pub shadow: Module,
    /// Inputs, one per parameter.
    pub inputs: Vec<Tensor>,
    /// Per result: whether compiled code must reproduce it bit for bit.
    pub exact: Vec<bool>,
    /// Ops of each kind in the module under test.
    pub counts: BTreeMap<OpKind, usize>,
    /// Ops in the module under test, constants excluded.
    pub ops: usize,
    /// Largest number of terms of a float sum.
    pub max_terms: usize,
    /// Whether vector math functions occur.
    pub has_math: bool,
    /// Whether an f32 value occurs (its rounding errors reach f64 results through
    /// converts).
    pub has_f32: bool,
}

impl Case {
    /// The graph as a `test run` filetest (inputs written out when they are small),
    /// for failure messages: blessing it gives a regression file.
    pub fn text(&self) -> String {
        let total: usize = self.inputs.iter().map(|t| t.data.len()).sum();
        let args: Vec<String> = if total <= 256 {
            self.inputs.iter().map(xlac_tests::format_typed_literal).collect()
        } else {
            self.inputs.iter().map(|t| format!("<{} random values>", t.ty())).collect()
        };
        let module = xlac_ir::print_module(&self.module);
        format!("// test run\n// random graph, seed {}\n{module}// run: {}", self.seed, args.join(" ; "))
    }
}

/// Seeded randomness.
pub struct Rng(SplitMix64);

impl Rng {
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.0.next_f64() < p
    }

    /// A random permutation of `0..n`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.below(i + 1);
            p.swap(i, j);
        }
        p
    }

    /// A random subset of `0..n`, increasing.
    pub fn subset(&mut self, n: usize) -> Vec<usize> {
        (0..n).filter(|_| self.chance(0.5)).collect()
    }

    /// An extent: 1 and odd sizes are frequent.
    pub fn extent(&mut self) -> usize {
        self.pick(&[1, 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 33])
    }

    fn float(&mut self, specials: bool) -> f64 {
        match self.below(64) {
            0..=3 => 0.0,
            4 => -0.0,
            5..=9 => self.range(-3, 3) as f64,
            10 => self.0.normal() * 1e6,
            11 if specials => f64::NAN,
            12 if specials => f64::INFINITY,
            13 if specials => f64::NEG_INFINITY,
            _ => self.0.normal() * 2.0,
        }
    }

    fn int(&mut self, min: i64, max: i64) -> i64 {
        match self.below(64) {
            0 => min,
            1 => max,
            _ => self.range(-9, 9),
        }
    }

    /// Random data of `ty`: floats mostly normal, with zeros and small integers (ties),
    /// some large values and, if `specials`, NaN and infinities; mostly small integers
    /// with rare extremes; fair booleans.
    pub fn tensor(&mut self, ty: &TensorType, specials: bool) -> Tensor {
        let n = ty.shape.num_elements();
        let data = match ty.dtype {
            DType::F32 => TensorData::F32((0..n).map(|_| self.float(specials) as f32).collect()),
            DType::F64 => TensorData::F64((0..n).map(|_| self.float(specials)).collect()),
            DType::I32 => TensorData::I32((0..n).map(|_| self.int(i32::MIN as i64, i32::MAX as i64) as i32).collect()),
            DType::I64 => TensorData::I64((0..n).map(|_| self.int(i64::MIN, i64::MAX)).collect()),
            DType::Bool => TensorData::Bool((0..n).map(|_| self.chance(0.5)).collect()),
        };
        Tensor { shape: ty.shape.clone(), data }
    }
}

/// The generator's state while building one graph.
pub struct Gen {
    /// Randomness.
    pub rng: Rng,
    /// The graph so far.
    pub g: Graph,
}

impl Gen {
    /// A node to build on: the newest that `ok` accepts with probability 0.4, one of
    /// the three newest with 0.3, any with 0.3 (long chains, some sharing).
    pub fn pick_node(&mut self, ok: impl Fn(&Graph, usize) -> bool) -> Option<usize> {
        let all: Vec<usize> = (0..self.g.nodes.len()).filter(|&n| ok(&self.g, n)).collect();
        let newest = *all.last()?;
        match self.rng.below(10) {
            0..=3 => Some(newest),
            4..=6 => Some(all[all.len() - 1 - self.rng.below(all.len().min(3))]),
            _ => Some(self.rng.pick(&all)),
        }
    }

    /// A value of type `ty` (exact if `exact`): an existing one, a broadcast of a
    /// smaller one, a new parameter or a splat constant.
    pub fn partner(&mut self, ty: &TensorType, exact: bool) -> usize {
        let ok = |g: &Graph, n: usize| !exact || g.nodes[n].exact;
        let same = |g: &Graph, n: usize| g.ty(n) == ty && ok(g, n);
        let r = self.rng.below(10);
        if r < 4 {
            if let Some(n) = self.pick_node(same) {
                return n;
            }
        }
        if r < 7 {
            let smaller = |g: &Graph, n: usize| {
                g.ty(n).dtype == ty.dtype && g.ty(n).rank() < ty.rank() && embed(g.ty(n).dims(), ty.dims()).is_some()
            };
            if let Some(n) = self.pick_node(|g, n| smaller(g, n) && ok(g, n)) {
                let map = embed(self.g.ty(n).dims(), ty.dims()).expect("checked");
                let attrs = Attrs::new(OpKind::BroadcastInDim).with("dims", ints(&map));
                return self.g.op(OpKind::BroadcastInDim, &[n], attrs, Some(ty.clone()));
            }
        }
        if r < 9 && self.g.params.len() < MAX_PARAMS {
            return self.g.param(ty.clone());
        }
        let v = match ty.dtype {
            DType::Bool => self.rng.below(2) as f64,
            DType::I32 | DType::I64 => self.rng.range(-3, 5) as f64,
            _ => self.rng.pick(&[0.0, 1.0, -1.0, 0.5, 2.0, -3.0, 0.1]),
        };
        self.g.splat(ty, v)
    }

    /// Applies `kind` to `operands` if its type rule accepts them and the result is
    /// small enough; `None` otherwise (nothing is added).
    pub fn try_op(
        &mut self,
        kind: OpKind,
        operands: &[usize],
        attrs: Attrs,
        declared: Option<TensorType>,
    ) -> Option<usize> {
        let types: Vec<TensorType> = operands.iter().map(|&n| self.g.ty(n).clone()).collect();
        let ty = infer(kind, &types, &attrs, declared.as_ref()).ok()?;
        if ty.shape.num_elements() > MAX_ELEMENTS {
            return None;
        }
        Some(self.g.op(kind, operands, attrs, declared))
    }
}

/// `ints` attribute from indices.
pub fn ints(v: &[usize]) -> AttrValue {
    AttrValue::Ints(v.iter().map(|&x| x as i64).collect())
}

/// An increasing map of `small`'s dims into `big`'s whose extents are equal or 1
/// (greedy), for broadcast_in_dim.
pub fn embed(small: &[usize], big: &[usize]) -> Option<Vec<usize>> {
    let mut map = Vec::new();
    let mut j = 0;
    for &e in small {
        while j < big.len() && !(e == big[j] || e == 1) {
            j += 1;
        }
        if j == big.len() {
            return None;
        }
        map.push(j);
        j += 1;
    }
    Some(map)
}

fn base_shape(rng: &mut Rng) -> Vec<usize> {
    loop {
        let rank = rng.pick(&[0, 1, 1, 2, 2, 2, 3, 3]);
        let dims: Vec<usize> = (0..rank).map(|_| rng.extent()).collect();
        if dims.iter().product::<usize>() <= MAX_ELEMENTS / 2 {
            return dims;
        }
    }
}

/// The graph of `seed`: 3 to 25 ops. Panics if it does not verify (a generator bug).
pub fn random_graph(seed: u64) -> Case {
    let mut gen = Gen { rng: Rng(SplitMix64::new(seed)), g: Graph::new() };
    let dims = base_shape(&mut gen.rng);
    let dtype = if gen.rng.chance(0.8) { DType::F32 } else { DType::F64 };
    gen.g.param(TensorType::new(dtype, dims.clone()));
    if gen.rng.chance(0.2) {
        let other = gen.rng.pick(&[DType::I32, DType::I32, DType::I64, DType::Bool]);
        gen.g.param(TensorType::new(other, dims));
    }
    let target = gen.rng.range(3, 25) as usize;
    let mut attempts = 0;
    while real_ops(&gen.g.counts) < target && attempts < 20 * target {
        attempts += 1;
        ops::step(&mut gen);
    }
    let rets = results(&mut gen);
    let exact = rets.iter().map(|&n| gen.g.nodes[n].exact).collect();
    let (counts, max_terms, has_math) = (gen.g.counts.clone(), gen.g.max_terms, gen.g.has_math);
    let params = gen.g.params.clone();
    let has_f32 = gen.g.nodes.iter().any(|n| n.ty.dtype == DType::F32);
    let (module, shadow) = gen.g.finish(&rets);
    for m in [&module, &shadow] {
        if let Err(e) = xlac_ir::verify_module(m) {
            panic!("seed {seed}: generator built an unverifiable module: {e:?}\n{}", xlac_ir::print_module(m));
        }
    }
    let text = xlac_ir::print_module(&module);
    let reparsed = xlac_frontend::parse_module("random.ir", &text, None)
        .unwrap_or_else(|e| panic!("seed {seed}: the printed module does not parse: {e:?}\n{text}"));
    assert_eq!(xlac_ir::print_module(&reparsed), text, "seed {seed}: print/parse round trip");
    let specials = gen.rng.chance(0.25);
    let inputs = params.iter().map(|t| gen.rng.tensor(t, specials)).collect();
    let ops = real_ops(&counts);
    Case { seed, module, shadow, inputs, exact, counts, ops, max_terms, has_math, has_f32 }
}

fn real_ops(counts: &BTreeMap<OpKind, usize>) -> usize {
    counts.iter().filter(|(k, _)| **k != OpKind::Constant).map(|(_, n)| n).sum()
}

/// The newest value and up to three other unused results of ops (so little is dead
/// code; several outputs make multi-output fusions), rarely a parameter or a repeated
/// value.
fn results(gen: &mut Gen) -> Vec<usize> {
    let last = gen.g.nodes.len() - 1;
    let mut rets = vec![last];
    let sinks: Vec<usize> = (0..last).filter(|&n| gen.g.nodes[n].uses == 0 && gen.g.nodes[n].from_op).collect();
    for &n in sinks.iter().rev().take(3) {
        rets.insert(gen.rng.below(rets.len() + 1), n);
    }
    if gen.rng.chance(0.03) {
        rets.push(last);
    }
    if gen.rng.chance(0.03) {
        rets.push(0);
    }
    rets
}
