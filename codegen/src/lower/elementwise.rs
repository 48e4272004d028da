//! Elementwise ops: one kernel over the flattened result (`[n]`), whose operands are
//! read at the same linear index (or at 0 for the scalar operands `select` and `clamp`
//! allow).

use super::graph::GOp;
use super::{KernelBuilder, Lowerer};
use crate::kernel::{Affine, CmpDir, DimIndex, Expr, ExprId};
use crate::CodegenError;
use xlac_ir::OpKind;

/// The kernel of elementwise op `op` and its root expression.
pub(super) fn lower(lw: &mut Lowerer, op: &GOp) -> Result<(KernelBuilder, ExprId), CodegenError> {
    let ty = lw.g.types[op.result].clone();
    let n = ty.shape.num_elements();
    let mut kb = KernelBuilder::new(format!("{}_{}", op.kind.name(), lw.g.names[op.result]), vec![n]);
    let mut args = Vec::with_capacity(op.operands.len());
    for &v in &op.operands {
        let scalar = lw.g.types[v].rank() == 0;
        let index = if scalar { Affine::constant(0) } else { Affine::var(0, 1, 0) };
        let len = if scalar { 1 } else { n };
        args.push(lw.load(&mut kb, v, vec![len], vec![DimIndex::affine(index)], None));
    }
    let root = node(&mut kb.k, op.kind, op.attrs, &args, ty.dtype)?;
    Ok((kb, root))
}

/// The expression of elementwise op `kind` (with attributes `attrs`) applied to `args`,
/// with result type `dtype`.
pub(super) fn node(
    k: &mut crate::kernel::Kernel,
    kind: OpKind,
    attrs: &xlac_ir::Attrs,
    args: &[ExprId],
    dtype: xlac_ir::DType,
) -> Result<ExprId, CodegenError> {
    Ok(match (kind, args) {
        (OpKind::Compare, &[a, b]) => {
            let name = attrs.enum_or("dir", "eq");
            let dir = CmpDir::from_name(name).ok_or_else(|| CodegenError::Invalid(format!("compare dir={name}")))?;
            k.push(Expr::Compare(dir, a, b), dtype)
        }
        (OpKind::Select, &[p, t, f]) => k.push(Expr::Select(p, t, f), dtype),
        (OpKind::Clamp, &[lo, x, hi]) => {
            let m = k.push(Expr::Binary(OpKind::Max, x, lo), dtype);
            k.push(Expr::Binary(OpKind::Min, m, hi), dtype)
        }
        (OpKind::Convert, &[x]) if k.dtype(x) == dtype => x,
        (OpKind::Convert, &[x]) => k.push(Expr::Convert(x), dtype),
        (kind, &[x]) => k.push(Expr::Unary(kind, x), dtype),
        (kind, &[a, b]) => k.push(Expr::Binary(kind, a, b), dtype),
        (kind, _) => return Err(CodegenError::Invalid(format!("`{}` has the wrong operand count", kind.name()))),
    })
}
