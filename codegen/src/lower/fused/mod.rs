//! The kernel of a `fusion` op: the callee's whole body as one multi-output [`Kernel`]
//! over the shape of its results.
//!
//! Every value is built as an expression at an index context ([`view::Ctx`]), starting
//! from the results at the domain's variables: elementwise ops become expression nodes,
//! index maps compose into their operands' indices, reshapes pass the context through
//! (so a parameter read through reshapes is one load of a re-viewed buffer), reductions
//! become `Reduce` nodes with fresh variables, and parameters become loads. Expressions
//! are memoized per `(value, context)`, so a value read at one index twice is one node.

mod view;

use super::elementwise;
use super::index_ops::reduce_kind;
use crate::kernel::{Affine, DimIndex, Expr, ExprId, Kernel, Load, Scalar, VarId};
use crate::CodegenError;
use cranelift_entity::EntityRef;
use std::collections::HashMap;
use view::Ctx;
use xlac_ir::ops::OpClass;
use xlac_ir::{Function, Literal, OpKind, Value};

/// A fused function compiled to one kernel.
#[derive(Clone, Debug)]
pub(crate) struct FusedKernel {
    /// The kernel, its outputs the callee's results in order.
    pub kernel: Kernel,
    /// The callee parameter read by each kernel input.
    pub inputs: Vec<usize>,
}

fn unsupported(what: impl Into<String>) -> CodegenError {
    CodegenError::Unsupported(what.into())
}

/// Builds the kernel of `callee`, whose parameters `splats` are known one-element
/// constants (inlined). Fails with `Unsupported` when the body cannot be one kernel
/// (results of different shapes, a reshape whose indices would need division, a pad
/// or concatenation of computed values, a dense constant).
pub(crate) fn build(callee: &Function, name: String, splats: &[Option<Scalar>]) -> Result<FusedKernel, CodegenError> {
    let domain = callee.result_types.first().map(|t| t.dims().to_vec()).unwrap_or_default();
    if callee.result_types.iter().any(|t| t.dims() != domain.as_slice()) {
        return Err(unsupported("fused results of different shapes"));
    }
    let mut defs = vec![None; callee.values.len()];
    for (i, op) in callee.ops.iter().enumerate() {
        for &r in &op.results {
            defs[r.index()] = Some(i);
        }
    }
    let mut b = Builder {
        f: callee,
        defs,
        params: callee.params.iter().enumerate().map(|(i, &p)| (p, i)).collect(),
        splats,
        k: Kernel::new(name, domain.clone()),
        inputs: Vec::new(),
        memo: HashMap::new(),
    };
    let root = Ctx { view: domain.clone(), idx: (0..domain.len()).map(|d| var(d as VarId)).collect() };
    for &r in &callee.ret {
        let e = b.build(r, &root)?;
        b.k.add_output(e);
    }
    b.k.origin = callee.ops.iter().filter(|op| op.kind != OpKind::Constant).map(|op| op.kind.name()).collect();
    b.k.merge_outer_dims();
    Ok(FusedKernel { kernel: b.k, inputs: b.inputs })
}

fn var(v: VarId) -> DimIndex {
    DimIndex::affine(Affine::var(v, 1, 0))
}

struct Builder<'f, 's> {
    f: &'f Function,
    defs: Vec<Option<usize>>,
    params: HashMap<Value, usize>,
    splats: &'s [Option<Scalar>],
    k: Kernel,
    inputs: Vec<usize>,
    memo: HashMap<(Value, Ctx), ExprId>,
}

impl Builder<'_, '_> {
    /// The expression of `v` read at `ctx`.
    fn build(&mut self, v: Value, ctx: &Ctx) -> Result<ExprId, CodegenError> {
        if let Some(&e) = self.memo.get(&(v, ctx.clone())) {
            return Ok(e);
        }
        let e = match self.params.get(&v) {
            Some(&p) => self.param(p, ctx, None)?,
            None => self.op(v, ctx)?,
        };
        self.memo.insert((v, ctx.clone()), e);
        Ok(e)
    }

    /// A load of parameter `p` at `ctx` (guarded when `otherwise` is set).
    fn param(&mut self, p: usize, ctx: &Ctx, otherwise: Option<ExprId>) -> Result<ExprId, CodegenError> {
        let ty = self.f.ty(self.f.params[p]);
        if let Some(c) = self.splats.get(p).copied().flatten() {
            return Ok(self.k.constant(c));
        }
        if let (0, Some(o)) = (ty.shape.num_elements(), otherwise) {
            return Ok(o);
        }
        let input = match self.inputs.iter().position(|&q| q == p) {
            Some(i) => i,
            None => {
                self.inputs.push(p);
                self.k.add_input(ty.dtype, ty.shape.num_elements())
            }
        };
        let load = Load { input, view: ctx.view.clone(), index: ctx.idx.clone(), otherwise };
        Ok(self.k.push(Expr::Load(load), ty.dtype))
    }

    /// The parameter number of `v` when a parameter defines it.
    fn as_param(&self, v: Value) -> Result<usize, CodegenError> {
        self.params.get(&v).copied().ok_or_else(|| unsupported("pad or concatenate of a computed value"))
    }

    fn op(&mut self, v: Value, ctx: &Ctx) -> Result<ExprId, CodegenError> {
        let f = self.f;
        let op = &f.ops[self.defs[v.index()].ok_or_else(|| CodegenError::Invalid("undefined value".into()))?];
        let dtype = f.ty(v).dtype;
        match op.kind {
            OpKind::Constant => {
                let data = match op.attrs.literal("value") {
                    Some(Literal::Splat(d) | Literal::Dense(d)) => d,
                    Some(Literal::Weight { data, .. }) => &data.data,
                    None => return Err(CodegenError::Invalid("constant without value".into())),
                };
                if data.len() != 1 {
                    return Err(unsupported("a dense constant in a fused function"));
                }
                Ok(self.k.constant(Scalar::from_data(data, 0)))
            }
            OpKind::Reshape => self.build(op.operands[0], ctx),
            _ if op.kind.info().class == OpClass::Elementwise => {
                let mut args = Vec::with_capacity(op.operands.len());
                for &o in &op.operands {
                    let c = if f.ty(o).rank() == 0 { Ctx::scalar() } else { ctx.clone() };
                    args.push(self.build(o, &c)?);
                }
                elementwise::node(&mut self.k, op.kind, &op.attrs, &args, dtype)
            }
            _ => {
                let dims = f.ty(v).dims();
                let idx = ctx.indices_in(dims).ok_or_else(|| unsupported("a reshape that needs division"))?;
                self.native(op, idx, dtype)
            }
        }
    }

    /// Ops that read their operands through indices `idx` of their own result's dims.
    fn native(&mut self, op: &xlac_ir::Op, idx: Vec<DimIndex>, dtype: xlac_ir::DType) -> Result<ExprId, CodegenError> {
        let f = self.f;
        let x = op.operands.first().copied();
        let x_dims = x.map(|x| f.ty(x).dims().to_vec()).unwrap_or_default();
        let plain =
            |ix: &DimIndex| if ix.div == 1 { Ok(ix.affine.clone()) } else { Err(unsupported("index division")) };
        let at = |index: Vec<DimIndex>| Ctx { view: x_dims.clone(), idx: index };
        match op.kind {
            OpKind::Iota => self.iota(&plain(&idx[op.attrs.int_or("dim", 0) as usize])?, dtype),
            OpKind::BroadcastInDim => {
                let bd = op.attrs.ints("dims");
                let index = (0..x_dims.len())
                    .map(|d| {
                        if x_dims[d] == 1 {
                            DimIndex::affine(Affine::constant(0))
                        } else {
                            idx[bd[d] as usize].clone()
                        }
                    })
                    .collect();
                self.build(x.expect("one operand"), &at(index))
            }
            OpKind::Transpose => {
                let mut index = vec![DimIndex::affine(Affine::constant(0)); x_dims.len()];
                for (d, &p) in op.attrs.ints("perm").iter().enumerate() {
                    index[p as usize] = idx[d].clone();
                }
                self.build(x.expect("one operand"), &at(index))
            }
            OpKind::Slice => {
                let (start, strides) = (op.attrs.ints("start"), op.attrs.ints_opt("strides"));
                let mut index = Vec::with_capacity(x_dims.len());
                for d in 0..x_dims.len() {
                    let mut a = Affine::constant(start[d]);
                    a.add_scaled(&plain(&idx[d])?, strides.map_or(1, |s| s[d]));
                    index.push(DimIndex::affine(a));
                }
                self.build(x.expect("one operand"), &at(index))
            }
            OpKind::Reverse => {
                let rev = op.attrs.ints("dims");
                let mut index = Vec::with_capacity(x_dims.len());
                for d in 0..x_dims.len() {
                    if !rev.contains(&(d as i64)) {
                        index.push(idx[d].clone());
                        continue;
                    }
                    let mut a = Affine::constant(x_dims[d] as i64 - 1);
                    a.add_scaled(&plain(&idx[d])?, -1);
                    index.push(DimIndex::affine(a));
                }
                self.build(x.expect("one operand"), &at(index))
            }
            OpKind::Pad => self.pad(op, &idx, &x_dims),
            OpKind::Concatenate => self.concatenate(op, &idx, dtype),
            OpKind::Reduce => self.reduce(op, &idx, &x_dims, dtype),
            kind => Err(unsupported(format!("`{}` in a fused function", kind.name()))),
        }
    }

    /// `iota` at index `a`: the affine index as a number of `dtype`.
    fn iota(&mut self, a: &Affine, dtype: xlac_ir::DType) -> Result<ExprId, CodegenError> {
        let mut acc: Option<ExprId> = None;
        for &(v, c) in &a.terms {
            let mut t = self.k.push(Expr::Index(v), dtype);
            if c != 1 {
                let c = self.k.constant(Scalar::from_i64(dtype, c));
                t = self.k.push(Expr::Binary(OpKind::Mul, t, c), dtype);
            }
            acc = Some(match acc {
                None => t,
                Some(s) => self.k.push(Expr::Binary(OpKind::Add, s, t), dtype),
            });
        }
        let offset = self.k.constant(Scalar::from_i64(dtype, a.offset));
        Ok(match acc {
            None => offset,
            Some(s) if a.offset == 0 => s,
            Some(s) => self.k.push(Expr::Binary(OpKind::Add, s, offset), dtype),
        })
    }

    fn pad(&mut self, op: &xlac_ir::Op, idx: &[DimIndex], x_dims: &[usize]) -> Result<ExprId, CodegenError> {
        let (low, interior) = (op.attrs.ints("low"), op.attrs.ints_opt("interior"));
        let value = self.build(op.operands[1], &Ctx::scalar())?;
        let p = self.as_param(op.operands[0])?;
        let mut index = Vec::with_capacity(x_dims.len());
        for (d, ix) in idx.iter().enumerate() {
            if ix.div != 1 {
                return Err(unsupported("index division"));
            }
            let mut a = ix.affine.clone();
            a.offset -= low[d];
            index.push(DimIndex { affine: a, div: interior.map_or(0, |v| v[d]) + 1 });
        }
        self.param(p, &Ctx { view: x_dims.to_vec(), idx: index }, Some(value))
    }

    fn concatenate(
        &mut self,
        op: &xlac_ir::Op,
        idx: &[DimIndex],
        dtype: xlac_ir::DType,
    ) -> Result<ExprId, CodegenError> {
        let dim = op.attrs.int_or("dim", 0) as usize;
        let mut pieces = Vec::with_capacity(op.operands.len());
        let mut at = 0i64;
        for &v in &op.operands {
            pieces.push((self.as_param(v)?, at, self.f.ty(v).dims().to_vec()));
            at += self.f.ty(v).dims()[dim] as i64;
        }
        let mut acc = self.k.constant(Scalar::zero(dtype));
        for (p, off, dims) in pieces.into_iter().rev() {
            let mut index = idx.to_vec();
            index[dim].affine.offset -= off;
            acc = self.param(p, &Ctx { view: dims, idx: index }, Some(acc))?;
        }
        Ok(acc)
    }

    fn reduce(
        &mut self,
        op: &xlac_ir::Op,
        idx: &[DimIndex],
        x_dims: &[usize],
        dtype: xlac_ir::DType,
    ) -> Result<ExprId, CodegenError> {
        let kind = reduce_kind(&op.attrs)?;
        let rdims = op.attrs.ints("dims");
        let first = self.k.fresh_vars(rdims.len());
        let (mut vars, mut index, mut kept) = (Vec::new(), Vec::new(), 0);
        for (d, &n) in x_dims.iter().enumerate() {
            if rdims.contains(&(d as i64)) {
                let v = first + vars.len() as VarId;
                vars.push((v, n));
                index.push(var(v));
            } else {
                index.push(idx[kept].clone());
                kept += 1;
            }
        }
        let body = self.build(op.operands[0], &Ctx { view: x_dims.to_vec(), idx: index })?;
        if vars.is_empty() {
            return Ok(body);
        }
        Ok(self.k.push(Expr::Reduce { kind, vars, body }, dtype))
    }
}
