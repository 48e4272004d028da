//! Facts about a kernel's expressions that the lowering to Cranelift needs: which index
//! variables each expression depends on, and whether a subtree can be vectorized along
//! a variable (all its non-bool values of one width).

use crate::kernel::{Expr, ExprId, Kernel, VarId};
use crate::CodegenError;
use cranelift_entity::SecondaryMap;
use xlac_ir::DType;

/// Per-expression facts.
pub(crate) struct Analysis {
    /// Bit `v` is set when the expression depends on index variable `v`.
    pub deps: SecondaryMap<ExprId, u64>,
}

/// The bit of variable `v`.
pub(crate) fn bit(v: VarId) -> u64 {
    1u64 << v
}

/// The operands of `e` (a reduce's body and a load's fallback included).
pub(crate) fn operands(e: &Expr) -> Vec<ExprId> {
    match e {
        Expr::Const(_) | Expr::Index(_) => vec![],
        Expr::Load(l) => l.otherwise.into_iter().collect(),
        Expr::Unary(_, x) | Expr::Convert(x) => vec![*x],
        Expr::Binary(_, a, b) | Expr::Compare(_, a, b) => vec![*a, *b],
        Expr::Select(p, t, f) => vec![*p, *t, *f],
        Expr::Reduce { body, .. } => vec![*body],
    }
}

/// Whether `e` itself is a transcendental (inline vector math or `pow`). A body with
/// one is long (tens of instructions per vector) and keeps many constants live, so it
/// is not unrolled: unrolling it only adds register spills.
pub(crate) fn is_transcendental(k: &Kernel, e: ExprId) -> bool {
    match &k.exprs[e].expr {
        Expr::Unary(op, _) => super::helpers::math_fn(*op).is_some(),
        Expr::Binary(op, _, _) => *op == xlac_ir::OpKind::Pow,
        _ => false,
    }
}

impl Analysis {
    /// Analyzes `k` (operands precede their users in the arena).
    pub(crate) fn new(k: &Kernel) -> Result<Analysis, CodegenError> {
        if k.num_vars > 64 {
            return Err(CodegenError::Unsupported(format!("kernel `{}` uses over 64 index variables", k.name)));
        }
        let mut deps: SecondaryMap<ExprId, u64> = SecondaryMap::new();
        for (id, data) in k.exprs.iter() {
            let mut d = operands(&data.expr).iter().fold(0, |acc, &o| acc | deps[o]);
            match &data.expr {
                Expr::Index(v) => d |= bit(*v),
                Expr::Load(l) => {
                    for ix in &l.index {
                        for &(v, _) in &ix.affine.terms {
                            d |= bit(v);
                        }
                    }
                }
                Expr::Reduce { vars, .. } => {
                    for &(v, _) in vars {
                        d &= !bit(v);
                    }
                }
                _ => {}
            }
            deps[id] = d;
        }
        Ok(Analysis { deps })
    }

    /// Every expression reachable from `roots`, each once.
    pub(crate) fn reachable(&self, k: &Kernel, roots: &[ExprId]) -> Vec<ExprId> {
        let mut seen: SecondaryMap<ExprId, bool> = SecondaryMap::new();
        let mut stack = roots.to_vec();
        let mut out = Vec::new();
        while let Some(e) = stack.pop() {
            if std::mem::replace(&mut seen[e], true) {
                continue;
            }
            out.push(e);
            stack.extend(operands(&k.exprs[e].expr));
        }
        out
    }

    /// Every expression reachable from `roots` without passing through a node for
    /// which `stop` holds (those are left out), each once.
    pub(crate) fn reachable_until(&self, k: &Kernel, roots: &[ExprId], stop: &dyn Fn(ExprId) -> bool) -> Vec<ExprId> {
        let mut seen: SecondaryMap<ExprId, bool> = SecondaryMap::new();
        let mut stack = roots.to_vec();
        let mut out = Vec::new();
        while let Some(e) = stack.pop() {
            if std::mem::replace(&mut seen[e], true) || stop(e) {
                continue;
            }
            out.push(e);
            stack.extend(operands(&k.exprs[e].expr));
        }
        out
    }

    /// The element width in bytes (4 or 8) of `roots` and of the values below them that
    /// depend on `var`, when they all share one; `None` when widths mix or only bools
    /// count.
    pub(crate) fn vector_width(&self, k: &Kernel, roots: &[ExprId], var: VarId) -> Option<usize> {
        let mut width = None;
        for e in self.reachable(k, roots) {
            let dtype = k.exprs[e].dtype;
            // Roots count even when invariant: they are stored at every lane.
            if (self.deps[e] & bit(var) == 0 && !roots.contains(&e)) || dtype == DType::Bool {
                continue;
            }
            match width {
                None => width = Some(dtype.size_bytes()),
                Some(w) if w != dtype.size_bytes() => return None,
                Some(_) => {}
            }
        }
        width
    }

    /// Loads among `roots`' subtrees that depend on `var`, with their coefficient of
    /// `var` in the linear offset (`None` for guarded or dividing loads).
    pub(crate) fn load_coefs(&self, k: &Kernel, roots: &[ExprId], var: VarId) -> Vec<Option<i64>> {
        let mut out = Vec::new();
        for e in self.reachable(k, roots) {
            if let Expr::Load(l) = &k.exprs[e].expr {
                let lin = l.linear();
                let coef = lin.as_ref().map_or(0, |a| a.coef(var));
                if l.index.iter().any(|ix| ix.affine.coef(var) != 0) {
                    out.push(if l.otherwise.is_some() { None } else { lin.map(|_| coef) });
                }
            }
        }
        out
    }

    /// Whether a reduction over innermost variable `var` should be vectorized along it:
    /// one element width, and at least one contiguous load.
    pub(crate) fn reduce_vectorizes(&self, k: &Kernel, body: ExprId, var: VarId) -> Option<usize> {
        let w = self.vector_width(k, &[body], var)?;
        self.load_coefs(k, &[body], var).contains(&Some(1)).then_some(w)
    }

    /// How to vectorize the innermost domain loop: `Some((lanes, unroll))` or `None`
    /// for a scalar loop.
    pub(crate) fn domain_plan(&self, k: &Kernel, cached: &dyn Fn(ExprId) -> bool) -> Option<(u8, usize)> {
        let v = k.domain.len().checked_sub(1)? as VarId;
        let roots: Vec<ExprId> = k.outputs.iter().map(|o| o.expr).collect();
        let w = self.vector_width(k, &roots, v)?;
        // The inner loop's work: what is not hoisted out of it (see `hoist`).
        let all = self.reachable_until(k, &roots, &|e| super::hoist::is_hoisted(k, self, e) || cached(e));
        let reduces: Vec<(ExprId, VarId)> = all
            .iter()
            .filter_map(|&e| match &k.exprs[e].expr {
                Expr::Reduce { vars, body, .. } => vars.last().map(|&(rv, _)| (*body, rv)),
                _ => None,
            })
            .collect();
        let strided = self.load_coefs(k, &roots, v).iter().any(|c| *c != Some(1));
        if strided && reduces.iter().any(|&(body, rv)| self.reduce_vectorizes(k, body, rv).is_some()) {
            return None;
        }
        let unroll = if !reduces.is_empty() || all.iter().any(|&e| is_transcendental(k, e)) {
            1
        } else if all.len() <= 12 {
            4
        } else {
            2
        };
        Some(((16 / w) as u8, unroll))
    }
}
