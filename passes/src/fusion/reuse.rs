//! How often the kernel of a group would compute each of its values, predicted by
//! following the code generator's index composition with dependency masks instead of
//! affine indices.
//!
//! The kernel of a group loops over its domain (the shape of its outputs); every
//! reduction adds loops of its own. A value is read at a *context*: a view of its
//! elements (reshapes pass contexts through unchanged) and, per view dimension, the set
//! of loops (a bit mask) its index depends on. The code generator computes a node once
//! per iteration of the loops up to the innermost domain loop it depends on (it hoists
//! invariant nodes out of inner loops), or once per iteration of its reduction's loops
//! when it depends on them. The walk fails where the code generator could not compose
//! indices (a reshape that would need div/mod, pad and concatenate of computed values),
//! so a group that passes it always compiles to one kernel.

use cranelift_entity::EntityRef;
use std::collections::{HashMap, HashSet};
use xlac_ir::{reshape_groups, Function, OpKind, Value};

/// A view of a value and the loops each of its view dimensions depends on.
#[derive(Clone, Debug)]
struct Ctx {
    view: Vec<usize>,
    masks: Vec<u64>,
    /// Iterations of the innermost enclosing reduction's body (0 at the top level).
    body_evals: u128,
}

/// The predicted computation counts of a group's values.
#[derive(Debug, Default)]
pub(crate) struct Reuse {
    /// Per value index: elements computed over all contexts.
    pub evals: HashMap<Value, u128>,
}

struct Walk<'f> {
    f: &'f Function,
    defs: &'f [Option<usize>],
    member: &'f dyn Fn(usize) -> bool,
    /// Extent of every loop bit (domain dims first).
    extents: Vec<usize>,
    rank: usize,
    /// Visited `(value, view, masks)`: a value read at the same indices twice is one
    /// expression node (whatever loop it is first read in).
    seen: HashSet<(Value, Vec<usize>, Vec<u64>)>,
    out: Reuse,
}

/// Walks the group whose op indices satisfy `member`, with outputs `outputs` (all of
/// shape `domain`). `None` when the code generator could not compose its indices.
pub(crate) fn analyze(
    f: &Function,
    defs: &[Option<usize>],
    member: &dyn Fn(usize) -> bool,
    outputs: &[Value],
    domain: &[usize],
) -> Option<Reuse> {
    if domain.len() > 32 {
        return None;
    }
    let mut w = Walk {
        f,
        defs,
        member,
        extents: domain.to_vec(),
        rank: domain.len(),
        seen: HashSet::new(),
        out: Reuse::default(),
    };
    let root = Ctx { view: domain.to_vec(), masks: (0..domain.len()).map(|d| 1u64 << d).collect(), body_evals: 0 };
    for &v in outputs {
        w.visit(v, root.clone())?;
    }
    Some(w.out)
}

impl Walk<'_> {
    /// Iterations computing a node that depends on the loops `mask`.
    fn evals(&self, mask: u64, body_evals: u128) -> u128 {
        if mask >> self.rank != 0 {
            return body_evals;
        }
        let top = 64 - mask.leading_zeros() as usize;
        self.extents[..top].iter().map(|&e| e as u128).product()
    }

    fn visit(&mut self, v: Value, ctx: Ctx) -> Option<()> {
        let Some(i) = self.defs[v.index()].filter(|&i| (self.member)(i)) else {
            return Some(());
        };
        if !self.seen.insert((v, ctx.view.clone(), ctx.masks.clone())) {
            return Some(());
        }
        let mask = ctx.masks.iter().fold(0, |a, m| a | m);
        *self.out.evals.entry(v).or_default() += self.evals(mask, ctx.body_evals);
        let op = &self.f.ops[i];
        let f = self.f;
        let dims = |v: Value| f.ty(v).dims().to_vec();
        let scalar = Ctx { view: vec![], masks: vec![], body_evals: ctx.body_evals };
        match op.kind {
            OpKind::Constant => Some(()),
            OpKind::Reshape => self.visit(op.operands[0], ctx),
            _ if op.kind.info().class == xlac_ir::ops::OpClass::Elementwise => {
                for &o in &op.operands {
                    let c = if f.ty(o).rank() == 0 { scalar.clone() } else { ctx.clone() };
                    self.visit(o, c)?;
                }
                Some(())
            }
            _ => {
                let n = native(&ctx, &dims(v))?;
                self.native_op(i, n, ctx.body_evals, mask)
            }
        }
    }

    /// Ops that read their operands through indices of their own result's dims `n`.
    fn native_op(&mut self, i: usize, n: Vec<u64>, body_evals: u128, mask: u64) -> Option<()> {
        let op = &self.f.ops[i];
        let f = self.f;
        let x = op.operands.first().copied();
        let x_dims = x.map(|x| f.ty(x).dims().to_vec()).unwrap_or_default();
        let with = |masks: Vec<u64>| Ctx { view: x_dims.clone(), masks, body_evals };
        match op.kind {
            OpKind::Iota => Some(()),
            OpKind::BroadcastInDim => {
                let bd = op.attrs.ints("dims");
                let m = (0..x_dims.len()).map(|d| if x_dims[d] == 1 { 0 } else { n[bd[d] as usize] }).collect();
                self.visit(x?, with(m))
            }
            OpKind::Transpose => {
                let perm = op.attrs.ints("perm");
                let mut m = vec![0; x_dims.len()];
                for (d, &p) in perm.iter().enumerate() {
                    m[p as usize] = n[d];
                }
                self.visit(x?, with(m))
            }
            OpKind::Slice | OpKind::Reverse => self.visit(x?, with(n)),
            OpKind::Pad | OpKind::Concatenate => {
                // Their operands must be kernel inputs (guarded loads); the pad value is a scalar.
                let inputs = if op.kind == OpKind::Pad { &op.operands[..1] } else { &op.operands[..] };
                if inputs.iter().any(|v| self.defs[v.index()].is_some_and(|d| (self.member)(d))) {
                    return None;
                }
                if op.kind == OpKind::Pad {
                    self.visit(op.operands[1], Ctx { view: vec![], masks: vec![], body_evals })?;
                }
                Some(())
            }
            OpKind::Reduce => {
                let rdims = op.attrs.ints("dims");
                let first = self.extents.len();
                if first + rdims.len() > 64 {
                    return None;
                }
                let evals = self.evals(mask, body_evals);
                let (mut m, mut kept, mut body) = (Vec::new(), 0, evals);
                for (d, &e) in x_dims.iter().enumerate() {
                    if rdims.contains(&(d as i64)) {
                        m.push(1u64 << self.extents.len());
                        self.extents.push(e);
                        body = body.saturating_mul(e as u128);
                    } else {
                        m.push(n[kept]);
                        kept += 1;
                    }
                }
                self.visit(x?, Ctx { view: x_dims, masks: m, body_evals: body })
            }
            _ => None,
        }
    }
}

/// The masks of a context re-expressed over a view `dims` of the same elements: dims
/// in one-to-one or split correspondence compose; a dim that would need div/mod fails.
fn native(ctx: &Ctx, dims: &[usize]) -> Option<Vec<u64>> {
    if ctx.view == dims {
        return Some(ctx.masks.clone());
    }
    let groups = reshape_groups(&ctx.view, dims)?;
    let mut out = vec![0; dims.len()];
    for (gv, gn) in groups {
        match gn[..] {
            [one] => out[one] = gv.iter().fold(0, |a, &v| a | ctx.masks[v]),
            _ => return None,
        }
    }
    Some(out)
}
