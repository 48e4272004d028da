//! Random cases: shapes from proptest, everything else from a seeded generator.

use crate::Tol;
use proptest::prelude::*;
use xlac::inputs::SplitMix64;
use xlac_ir::{Attrs, DType, FunctionBuilder, Module, OpKind, Tensor, TensorData, TensorType};

/// Shapes of rank 0 to 3 with extents favouring odd sizes, 1 and 0.
pub fn shape_strategy() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(prop_oneof![6 => 1usize..=9, 1 => Just(0usize), 2 => 15usize..=19], 0..=3)
}

/// One generated module with inputs.
pub struct Case {
    /// A verified module with one function `@main`.
    pub module: Module,
    /// Its inputs.
    pub inputs: Vec<Tensor>,
    /// How closely the JIT must agree.
    pub tol: Tol,
}

impl Case {
    /// The module text and input types, for failure messages.
    pub fn text(&self) -> String {
        let types: Vec<String> = self.inputs.iter().map(|t| t.ty().to_string()).collect();
        format!("{}inputs: {}", xlac_ir::print_module(&self.module), types.join(", "))
    }
}

/// Randomness for one case.
pub struct Gen {
    rng: SplitMix64,
    /// The proptest-chosen shape.
    pub shape: Vec<usize>,
    /// The op kind being generated (generators shared by several kinds read it).
    pub kind: Option<OpKind>,
    /// Keep finite floats within [-8, 8] (for ops that sum many terms, and for
    /// functions whose accuracy is stated for a range).
    pub tame: bool,
}

impl Gen {
    /// A generator from a seed and a shape.
    pub fn new(seed: u64, shape: Vec<usize>) -> Gen {
        Gen { rng: SplitMix64::new(seed), shape, kind: None, tame: false }
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.rng.next_u64() % n as u64) as usize
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
        self.rng.next_f64() < p
    }

    /// A shape of `rank` with extents in `lo..=hi`.
    pub fn dims(&mut self, rank: usize, lo: usize, hi: usize) -> Vec<usize> {
        (0..rank).map(|_| self.range(lo as i64, hi as i64) as usize).collect()
    }

    /// The proptest shape, at least rank `min_rank` (padded with random extents).
    pub fn shape_min_rank(&mut self, min_rank: usize) -> Vec<usize> {
        let mut s = self.shape.clone();
        while s.len() < min_rank {
            let d = self.range(1, 7) as usize;
            s.push(d);
        }
        s
    }

    /// Random data of `ty`: floats mostly standard normal with some specials, integers
    /// mostly small (zeros included) with some extremes, fair booleans.
    pub fn tensor(&mut self, ty: &TensorType) -> Tensor {
        let n = ty.shape.num_elements();
        let data = match ty.dtype {
            DType::F32 => TensorData::F32((0..n).map(|_| self.float() as f32).collect()),
            DType::F64 => TensorData::F64((0..n).map(|_| self.float()).collect()),
            DType::I32 => TensorData::I32((0..n).map(|_| self.int(i32::MIN as i64, i32::MAX as i64) as i32).collect()),
            DType::I64 => TensorData::I64((0..n).map(|_| self.int(i64::MIN, i64::MAX)).collect()),
            DType::Bool => TensorData::Bool((0..n).map(|_| self.chance(0.5)).collect()),
        };
        Tensor { shape: ty.shape.clone(), data }
    }

    fn float(&mut self) -> f64 {
        if self.tame {
            return match self.below(64) {
                0 => f64::NAN,
                1 => f64::INFINITY,
                2 => -0.0,
                _ => (self.rng.normal() * 2.0).clamp(-8.0, 8.0),
            };
        }
        match self.below(64) {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => 0.0,
            4 => -0.0,
            5 => self.rng.normal() * 1e6,
            6 => self.rng.normal() * 1e-6,
            _ => self.rng.normal() * 2.0,
        }
    }

    fn int(&mut self, min: i64, max: i64) -> i64 {
        match self.below(32) {
            0 => min,
            1 => max,
            2 => -1,
            _ => self.range(-9, 9),
        }
    }

    /// A module whose `@main` takes parameters of `params` types and applies one op of
    /// `kind` to them (`declared` for ops whose result type needs it), with random
    /// inputs. Panics if the op is ill-typed: generators must only build valid ops.
    pub fn single(
        &mut self,
        kind: OpKind,
        params: &[TensorType],
        attrs: Attrs,
        declared: Option<TensorType>,
        tol: Tol,
    ) -> Case {
        let mut b = FunctionBuilder::new("main");
        let args: Vec<_> = params.iter().enumerate().map(|(i, t)| b.param(&format!("p{i}"), t.clone())).collect();
        let r = b
            .op(kind, &args, attrs, declared)
            .unwrap_or_else(|e| panic!("generator built a bad `{}`: {e}", kind.name()));
        let module = Module { weights_file: None, functions: vec![b.finish(&[r])] };
        if let Err(e) = xlac_ir::verify_module(&module) {
            panic!("generator built an unverifiable module: {e:?}\n{}", xlac_ir::print_module(&module));
        }
        let inputs = params.iter().map(|t| self.tensor(t)).collect();
        Case { module, inputs, tol }
    }
}
