//! Import state: the function being built, constant values, and the per-node context
//! handed to op handlers.

use super::proto::NodeProto;
use super::WEIGHT_THRESHOLD;
use std::collections::{HashMap, HashSet};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use xlac_ir::{AttrValue, Attrs, FunctionBuilder, Literal, Module, OpKind, Tensor, TensorData, TensorType, Value};

/// An ONNX value during import: an IR value, or a constant known at import time (not
/// yet in the IR; it is materialized on first use by an op that cannot be folded).
#[derive(Clone, Debug)]
pub(crate) enum Val {
    /// Computed at run time.
    Ir(Value),
    /// Known now.
    Const(Arc<Tensor>),
}

/// Result of a handler step.
pub(crate) type R<T> = Result<T, String>;

/// The state of one import.
pub(crate) struct Importer {
    /// The function being built.
    pub(crate) b: FunctionBuilder,
    /// The default-domain opset.
    pub(crate) opset: i64,
    /// Parameter values and the graph inputs they stand for.
    pub(crate) params: HashMap<Value, String>,
    /// Graph inputs found to need constant values (for [`super::ImportError`]).
    pub(crate) needs_constant: Vec<String>,
    /// Materialized constants by data address (the `Arc` keeps the address alive).
    materialized: HashMap<usize, (Arc<Tensor>, Value)>,
    /// Preferred weight names of constants (initializer names), by data address.
    const_names: HashMap<usize, String>,
    weight_keys: HashSet<String>,
    empty: Module,
}

fn addr(t: &Arc<Tensor>) -> usize {
    Arc::as_ptr(t) as usize
}

/// The single element of `t` if all elements are equal (and there is at least one).
fn splat_of(t: &Tensor) -> Option<TensorData> {
    macro_rules! uniform {
        ($v:expr, $variant:ident) => {{
            let first = *$v.first()?;
            $v.iter().all(|x| x.to_bits_eq(&first)).then(|| TensorData::$variant(vec![first]))
        }};
    }
    match &t.data {
        TensorData::F32(v) => uniform!(v, F32),
        TensorData::F64(v) => uniform!(v, F64),
        TensorData::I32(v) => uniform!(v, I32),
        TensorData::I64(v) => uniform!(v, I64),
        TensorData::Bool(v) => uniform!(v, Bool),
    }
}

/// Bitwise equality (so that `-0.0` and NaN payloads are kept).
trait BitsEq {
    fn to_bits_eq(&self, other: &Self) -> bool;
}
impl BitsEq for f32 {
    fn to_bits_eq(&self, o: &f32) -> bool {
        self.to_bits() == o.to_bits()
    }
}
impl BitsEq for f64 {
    fn to_bits_eq(&self, o: &f64) -> bool {
        self.to_bits() == o.to_bits()
    }
}
macro_rules! bits_eq_by_eq {
    ($($t:ty),*) => {$(impl BitsEq for $t { fn to_bits_eq(&self, o: &$t) -> bool { self == o } })*};
}
bits_eq_by_eq!(i32, i64, bool);

impl Importer {
    /// An empty import for a model of default-domain `opset`.
    pub(crate) fn new(opset: i64) -> Importer {
        Importer {
            b: FunctionBuilder::new("main"),
            opset,
            params: HashMap::new(),
            needs_constant: Vec::new(),
            materialized: HashMap::new(),
            const_names: HashMap::new(),
            weight_keys: HashSet::new(),
            empty: Module::default(),
        }
    }

    /// Prefers `name` as the weight key of constant `t`.
    pub(crate) fn name_constant(&mut self, t: &Arc<Tensor>, name: &str) {
        self.const_names.insert(addr(t), super::names::sanitize(name));
    }

    /// The type of `v`.
    pub(crate) fn ty(&self, v: &Val) -> TensorType {
        match v {
            Val::Ir(v) => self.b.ty(*v).clone(),
            Val::Const(t) => t.ty(),
        }
    }

    /// The IR value of `v`, adding a `constant` op the first time a constant is used.
    pub(crate) fn materialize(&mut self, v: &Val) -> R<Value> {
        let t = match v {
            Val::Ir(v) => return Ok(*v),
            Val::Const(t) => t,
        };
        if let Some((_, v)) = self.materialized.get(&addr(t)) {
            return Ok(*v);
        }
        let n = t.shape.num_elements();
        let lit = match splat_of(t) {
            Some(one) => Literal::Splat(one),
            None if n <= WEIGHT_THRESHOLD => Literal::Dense(t.data.clone()),
            None => Literal::Weight { key: self.weight_key(t), data: t.clone() },
        };
        let attrs = Attrs::new(OpKind::Constant).with("value", AttrValue::Literal(lit));
        let value = self.b.op(OpKind::Constant, &[], attrs, Some(t.ty()))?;
        self.materialized.insert(addr(t), (t.clone(), value));
        Ok(value)
    }

    fn weight_key(&mut self, t: &Arc<Tensor>) -> String {
        let base = self.const_names.get(&addr(t)).cloned().unwrap_or_else(|| "const".to_string());
        let mut key = base.clone();
        let mut i = 1;
        while self.weight_keys.contains(&key) {
            key = format!("{base}_{i}");
            i += 1;
        }
        self.weight_keys.insert(key.clone());
        key
    }

    /// Whether a constant op is better left in the IR: a large `iota`, or a broadcast
    /// of a non-uniform constant to a large shape (folding would store every element).
    fn keep_unfolded(&self, kind: OpKind, operands: &[Val], declared: Option<&TensorType>) -> bool {
        let large = declared.is_some_and(|t| t.shape.num_elements() > WEIGHT_THRESHOLD);
        match (kind, operands) {
            (OpKind::Iota, _) => large,
            (OpKind::BroadcastInDim, [Val::Const(t)]) => large && splat_of(t).is_none(),
            _ => false,
        }
    }

    /// Appends an op, or evaluates it now if every operand is a constant. `declared` is
    /// the result type for ops whose type the operands do not imply.
    pub(crate) fn emit(
        &mut self,
        kind: OpKind,
        operands: &[Val],
        attrs: Attrs,
        declared: Option<TensorType>,
    ) -> R<Val> {
        if operands.iter().all(|v| matches!(v, Val::Const(_))) && !self.keep_unfolded(kind, operands, declared.as_ref())
        {
            let tensors: Vec<&Tensor> = operands
                .iter()
                .map(|v| match v {
                    Val::Const(t) => &**t,
                    Val::Ir(_) => unreachable!("all constants"),
                })
                .collect();
            let types: Vec<TensorType> = tensors.iter().map(|t| t.ty()).collect();
            let declared: Vec<TensorType> = declared.into_iter().collect();
            let cx = xlac_ir::InferCx { kind, operands: &types, attrs: &attrs, declared: &declared, module: None };
            let result = (kind.info().rule)(&cx)?;
            let mut out = xlac_interp::eval_op(kind, &attrs, &tensors, &result, &self.empty)
                .map_err(|e| format!("evaluating a constant: {e}"))?;
            return Ok(Val::Const(Arc::new(out.pop().ok_or("no result")?)));
        }
        let values = operands.iter().map(|v| self.materialize(v)).collect::<R<Vec<_>>>()?;
        Ok(Val::Ir(self.b.op(kind, &values, attrs, declared)?))
    }
}

/// What a handler sees of one node: the import state and the node's inputs.
pub(crate) struct Cx<'a> {
    /// The import state (also reachable through `Deref`).
    pub(crate) g: &'a mut Importer,
    /// The node.
    pub(crate) node: &'a NodeProto,
    /// Its inputs; `None` for an omitted optional input (`""`).
    pub(crate) inputs: Vec<Option<Val>>,
}

impl Deref for Cx<'_> {
    type Target = Importer;
    fn deref(&self) -> &Importer {
        self.g
    }
}

impl DerefMut for Cx<'_> {
    fn deref_mut(&mut self) -> &mut Importer {
        self.g
    }
}

impl Cx<'_> {
    /// Input `i`, which must be present.
    pub(crate) fn input(&self, i: usize) -> R<Val> {
        self.opt(i).ok_or_else(|| format!("input {i} is missing"))
    }

    /// Input `i` if present.
    pub(crate) fn opt(&self, i: usize) -> Option<Val> {
        self.inputs.get(i).cloned().flatten()
    }

    /// Number of inputs given (including omitted optional ones before the last).
    pub(crate) fn num_inputs(&self) -> usize {
        self.inputs.len()
    }

    /// The data of `v`, which must be known at import time.
    pub(crate) fn constant(&mut self, v: &Val, what: &str) -> R<Arc<Tensor>> {
        match v {
            Val::Const(t) => Ok(t.clone()),
            Val::Ir(v) => match self.g.params.get(v).cloned() {
                Some(name) => {
                    self.g.needs_constant.push(name.clone());
                    Err(format!(
                        "{what} must be known at import time, but it is the graph input `{name}`; bind it to a constant"
                    ))
                }
                None => Err(format!("{what} must be known at import time, but it is computed at run time")),
            },
        }
    }

    /// Input `i` as a list of integers known at import time; `None` if omitted.
    pub(crate) fn const_ints(&mut self, i: usize, what: &str) -> R<Option<Vec<i64>>> {
        match self.opt(i) {
            None => Ok(None),
            Some(v) => {
                let t = self.constant(&v, what)?;
                Ok(Some((0..t.data.len()).map(|j| t.data.get_i64(j)).collect()))
            }
        }
    }

    /// Input `i` as a scalar `f64` known at import time; `None` if omitted.
    pub(crate) fn const_f64(&mut self, i: usize, what: &str) -> R<Option<f64>> {
        match self.opt(i) {
            None => Ok(None),
            Some(v) => {
                let t = self.constant(&v, what)?;
                if t.data.is_empty() {
                    return Ok(None);
                }
                Ok(Some(t.data.get_f64(0)))
            }
        }
    }

    /// The opset of the default domain.
    pub(crate) fn opset(&self) -> i64 {
        self.g.opset
    }
}
