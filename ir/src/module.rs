//! Modules, functions, ops and SSA values.

use crate::verify::InferCx;
use crate::{Attrs, OpKind, TensorType};
use cranelift_entity::{entity_impl, PrimaryMap};
use std::collections::HashSet;

/// An SSA value of a function: a parameter or an op result.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value(u32);
entity_impl!(Value, "v");

/// Index of an op in [`Function::ops`].
pub type OpId = usize;

/// What the function knows about a value.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueData {
    /// Name in the text format, without `%`. Unique within the function.
    pub name: String,
    /// Type.
    pub ty: TensorType,
}

/// One operation: `results = kind operands, attrs`.
#[derive(Clone, Debug, PartialEq)]
pub struct Op {
    /// What it does.
    pub kind: OpKind,
    /// Inputs, in order.
    pub operands: Vec<Value>,
    /// Attributes, as declared by the op table.
    pub attrs: Attrs,
    /// Defined values (one for every op but `call`, which has one per callee result).
    pub results: Vec<Value>,
}

/// A function: parameters, ops in a valid topological order, and returned values.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// Name, without `@`.
    pub name: String,
    /// Every value of the function.
    pub values: PrimaryMap<Value, ValueData>,
    /// Parameters, in order.
    pub params: Vec<Value>,
    /// Result types of the signature.
    pub result_types: Vec<TensorType>,
    /// The body.
    pub ops: Vec<Op>,
    /// Returned values; their types equal `result_types`.
    pub ret: Vec<Value>,
}

impl Function {
    /// Type of `v`.
    pub fn ty(&self, v: Value) -> &TensorType {
        &self.values[v].ty
    }

    /// Name of `v`, without `%`.
    pub fn name_of(&self, v: Value) -> &str {
        &self.values[v].name
    }

    /// Parameter types, in order.
    pub fn param_types(&self) -> Vec<TensorType> {
        self.params.iter().map(|&p| self.values[p].ty.clone()).collect()
    }
}

/// A compilation unit: functions and, optionally, the weights file their constants read.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Module {
    /// Path of the `.safetensors` file that `weight("name")` literals refer to,
    /// relative to the module's own file.
    pub weights_file: Option<String>,
    /// Functions, in text order.
    pub functions: Vec<Function>,
}

impl Module {
    /// The function named `name`.
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// The entry function: `@main`, or the only function.
    pub fn entry(&self) -> Option<&Function> {
        self.function("main").or(match self.functions.as_slice() {
            [only] => Some(only),
            _ => None,
        })
    }

    /// Number of ops over all functions.
    pub fn op_count(&self) -> usize {
        self.functions.iter().map(|f| f.ops.len()).sum()
    }
}

/// Builds a function op by op, inferring result types from the op table.
pub struct FunctionBuilder {
    func: Function,
    names: HashSet<String>,
}

impl FunctionBuilder {
    /// An empty function named `name`.
    pub fn new(name: &str) -> FunctionBuilder {
        FunctionBuilder {
            func: Function {
                name: name.to_string(),
                values: PrimaryMap::new(),
                params: Vec::new(),
                result_types: Vec::new(),
                ops: Vec::new(),
                ret: Vec::new(),
            },
            names: HashSet::new(),
        }
    }

    fn fresh(&mut self, name: Option<&str>, ty: TensorType) -> Value {
        let mut name = match name {
            Some(n) => n.to_string(),
            None => self.func.values.len().to_string(),
        };
        while self.names.contains(&name) {
            name.push('_');
        }
        self.names.insert(name.clone());
        self.func.values.push(ValueData { name, ty })
    }

    /// Adds a parameter.
    pub fn param(&mut self, name: &str, ty: TensorType) -> Value {
        let v = self.fresh(Some(name), ty);
        self.func.params.push(v);
        v
    }

    /// Type of a value built so far.
    pub fn ty(&self, v: Value) -> &TensorType {
        &self.func.values[v].ty
    }

    /// Appends an op with one result. `declared` is needed by ops whose result type is
    /// not implied by their operands (`constant`, `iota`, `reshape`,
    /// `broadcast_in_dim`, `convert`); the type rule checks it. Not for `call`.
    pub fn op(
        &mut self,
        kind: OpKind,
        operands: &[Value],
        attrs: Attrs,
        declared: Option<TensorType>,
    ) -> Result<Value, String> {
        let operand_types: Vec<TensorType> = operands.iter().map(|&v| self.func.values[v].ty.clone()).collect();
        if !kind.info().arity.accepts(operands.len()) {
            return Err(format!("`{}` does not take {} operands", kind.name(), operands.len()));
        }
        if let Some(missing) = attrs.missing().first() {
            return Err(format!("`{}` needs attribute `{missing}`", kind.name()));
        }
        let declared: Vec<TensorType> = declared.into_iter().collect();
        let cx = InferCx { kind, operands: &operand_types, attrs: &attrs, declared: &declared, module: None };
        let mut types = (kind.info().rule)(&cx)?;
        let ty = types.pop().ok_or("op has no result")?;
        let v = self.fresh(None, ty);
        self.func.ops.push(Op { kind, operands: operands.to_vec(), attrs, results: vec![v] });
        Ok(v)
    }

    /// Appends an op whose result types are given, without inference (e.g. `call`).
    /// The verifier checks them later.
    pub fn op_typed(
        &mut self,
        kind: OpKind,
        operands: &[Value],
        attrs: Attrs,
        result_types: Vec<TensorType>,
    ) -> Vec<Value> {
        let results: Vec<Value> = result_types.into_iter().map(|t| self.fresh(None, t)).collect();
        self.func.ops.push(Op { kind, operands: operands.to_vec(), attrs, results: results.clone() });
        results
    }

    /// Finishes the function, returning `values`.
    pub fn finish(mut self, ret: &[Value]) -> Function {
        self.func.result_types = ret.iter().map(|&v| self.func.values[v].ty.clone()).collect();
        self.func.ret = ret.to_vec();
        self.func
    }
}
