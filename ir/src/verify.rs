//! The verifier: SSA well-formedness and every op's type rule.

use crate::{Attrs, Module, OpKind, TensorType, Value};
use cranelift_entity::EntitySet;
use std::collections::HashMap;
use std::fmt;

/// What a type rule sees of one op.
pub struct InferCx<'a> {
    /// The op's kind.
    pub kind: OpKind,
    /// Operand types, in order.
    pub operands: &'a [TensorType],
    /// Attributes (required ones are present and of the declared kind).
    pub attrs: &'a Attrs,
    /// Result types as written; ops whose result type is not implied by the operands
    /// take it from here.
    pub declared: &'a [TensorType],
    /// The enclosing module, when there is one (needed by `call`).
    pub module: Option<&'a Module>,
}

impl InferCx<'_> {
    /// The single declared result type, or an error saying the op needs one.
    pub fn declared_one(&self) -> Result<&TensorType, String> {
        match self.declared {
            [t] => Ok(t),
            _ => Err(format!("`{}` needs exactly one declared result type", self.kind.name())),
        }
    }
}

/// Where a verifier error is: a function, and the op in it (or its signature/return).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// Index into [`Module::functions`].
    pub func: usize,
    /// Index into [`crate::Function::ops`]; `None` for the signature or `return`.
    pub op: Option<usize>,
}

/// A broken rule, with where it is and what it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{subject}: {message}")]
pub struct VerifyError {
    /// Where.
    pub loc: Location,
    /// The value and op (`%3 = add`), or the function (`@main`).
    pub subject: String,
    /// The rule broken.
    pub message: String,
}

struct FnVerifier<'a> {
    module: &'a Module,
    func_index: usize,
    errors: Vec<VerifyError>,
}

impl FnVerifier<'_> {
    fn error(&mut self, op: Option<usize>, subject: String, message: String) {
        self.errors.push(VerifyError { loc: Location { func: self.func_index, op }, subject, message });
    }

    fn run(&mut self) {
        let f = &self.module.functions[self.func_index];
        let fname = format!("@{}", f.name);
        let mut defined: EntitySet<Value> = EntitySet::with_capacity(f.values.len());
        let mut names: HashMap<&str, Value> = HashMap::new();
        let mut define = |v: Value, defined: &mut EntitySet<Value>| -> Option<String> {
            if !defined.insert(v) {
                return Some(format!("%{} is defined twice", f.name_of(v)));
            }
            if names.insert(f.name_of(v), v).is_some() {
                return Some(format!("the name %{} is used for two values", f.name_of(v)));
            }
            None
        };
        for &p in &f.params {
            if let Some(e) = define(p, &mut defined) {
                self.error(None, fname.clone(), e);
            }
            if let Some(e) = size_error(f.ty(p)) {
                self.error(None, fname.clone(), format!("parameter %{}: {e}", f.name_of(p)));
            }
        }
        for (i, op) in f.ops.iter().enumerate() {
            let info = op.kind.info();
            let subject = match op.results.first() {
                Some(&r) => format!("%{} = {}", f.name_of(r), info.name),
                None => info.name.to_string(),
            };
            let mut ok = true;
            for &v in &op.operands {
                if !defined.contains(v) {
                    self.error(
                        Some(i),
                        subject.clone(),
                        format!("operand %{} is used before it is defined", f.name_of(v)),
                    );
                    ok = false;
                }
            }
            if !info.arity.accepts(op.operands.len()) {
                let want = match info.arity {
                    crate::Arity::Fixed(n) => format!("{n}"),
                    crate::Arity::AtLeast(n) => format!("at least {n}"),
                };
                self.error(Some(i), subject.clone(), format!("takes {want} operands, found {}", op.operands.len()));
                ok = false;
            }
            for name in op.attrs.missing() {
                self.error(Some(i), subject.clone(), format!("missing required attribute `{name}`"));
                ok = false;
            }
            if ok {
                self.check_types(i, &subject);
            }
            for &r in &op.results {
                if let Some(e) = define(r, &mut defined) {
                    self.error(Some(i), subject.clone(), e);
                }
                if let Some(e) = size_error(f.ty(r)) {
                    self.error(Some(i), subject.clone(), e);
                }
            }
        }
        self.check_return(&fname);
    }

    fn check_types(&mut self, i: usize, subject: &str) {
        let f = &self.module.functions[self.func_index];
        let op = &f.ops[i];
        let operands: Vec<TensorType> = op.operands.iter().map(|&v| f.ty(v).clone()).collect();
        let declared: Vec<TensorType> = op.results.iter().map(|&v| f.ty(v).clone()).collect();
        let cx = InferCx {
            kind: op.kind,
            operands: &operands,
            attrs: &op.attrs,
            declared: &declared,
            module: Some(self.module),
        };
        match (op.kind.info().rule)(&cx) {
            Err(e) => self.error(Some(i), subject.to_string(), e),
            Ok(inferred) if inferred != declared => {
                let show = |ts: &[TensorType]| ts.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
                self.error(
                    Some(i),
                    subject.to_string(),
                    format!("result type is declared {} but the op produces {}", show(&declared), show(&inferred)),
                );
            }
            Ok(_) => {}
        }
    }

    fn check_return(&mut self, fname: &str) {
        let f = &self.module.functions[self.func_index];
        if f.result_types.is_empty() {
            self.error(None, fname.to_string(), "a function must return at least one value".into());
        }
        if f.ret.len() != f.result_types.len() {
            let msg = format!("returns {} values but its signature declares {}", f.ret.len(), f.result_types.len());
            self.error(None, fname.to_string(), msg);
            return;
        }
        for (i, (&v, t)) in f.ret.iter().zip(&f.result_types).enumerate() {
            if f.ty(v) != t {
                let msg =
                    format!("returned value {i} (%{}) is {} but the signature declares {t}", f.name_of(v), f.ty(v));
                self.error(None, fname.to_string(), msg);
            }
        }
    }
}

/// Largest tensor the IR accepts, in bytes: sizes and strides of every value then fit
/// comfortably in `isize`/`i64` arithmetic everywhere downstream.
pub const MAX_TENSOR_BYTES: usize = 1 << 48;

fn size_error(t: &TensorType) -> Option<String> {
    match t.shape.checked_num_elements().and_then(|n| n.checked_mul(t.dtype.size_bytes())) {
        Some(bytes) if bytes <= MAX_TENSOR_BYTES => None,
        _ => Some(format!("type {t} is too large (the limit is 2^48 bytes per tensor)")),
    }
}

/// Checks every function of `m`: SSA (each value defined once, before its uses), every
/// op's arity, attributes and type rule, return types, unique function names, and that
/// calls do not recurse. Returns every error found, in source order.
pub fn verify_module(m: &Module) -> Result<(), Vec<VerifyError>> {
    let mut errors = Vec::new();
    for (i, f) in m.functions.iter().enumerate() {
        if m.functions[..i].iter().any(|g| g.name == f.name) {
            let loc = Location { func: i, op: None };
            errors.push(VerifyError {
                loc,
                subject: format!("@{}", f.name),
                message: "function is defined twice".into(),
            });
        }
        let mut v = FnVerifier { module: m, func_index: i, errors: Vec::new() };
        v.run();
        errors.extend(v.errors);
    }
    if errors.is_empty() {
        errors.extend(check_no_recursion(m));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn callees(m: &Module, f: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    m.functions[f].ops.iter().enumerate().filter_map(move |(i, op)| {
        let name = op.attrs.func("callee")?;
        Some((i, m.functions.iter().position(|g| g.name == name)?))
    })
}

fn check_no_recursion(m: &Module) -> Vec<VerifyError> {
    #[derive(Copy, Clone, PartialEq)]
    enum State {
        Unvisited,
        OnStack,
        Done,
    }
    let calls: Vec<Vec<(usize, usize)>> = (0..m.functions.len()).map(|f| callees(m, f).collect()).collect();
    let mut state = vec![State::Unvisited; m.functions.len()];
    let mut errors = Vec::new();
    // Depth-first search with an explicit stack of (function, next call to follow), so
    // a long call chain cannot overflow the native stack.
    for root in 0..m.functions.len() {
        if state[root] != State::Unvisited {
            continue;
        }
        state[root] = State::OnStack;
        let mut stack = vec![(root, 0usize)];
        while let Some((f, next)) = stack.pop() {
            let Some(&(op, g)) = calls[f].get(next) else {
                state[f] = State::Done;
                continue;
            };
            stack.push((f, next + 1));
            match state[g] {
                State::Unvisited => {
                    state[g] = State::OnStack;
                    stack.push((g, 0));
                }
                State::OnStack => errors.push(VerifyError {
                    loc: Location { func: f, op: Some(op) },
                    subject: format!("@{}", m.functions[f].name),
                    message: format!("call to @{} makes a cycle: calls may not recurse", m.functions[g].name),
                }),
                State::Done => {}
            }
        }
    }
    errors
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.op {
            Some(op) => write!(f, "function #{} op #{op}", self.func),
            None => write!(f, "function #{}", self.func),
        }
    }
}
