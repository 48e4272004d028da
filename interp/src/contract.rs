//! `dot_general`: sums of products over contracting dims, batched over batch dims.
//! Products and sums are done in the accumulator type of [`Num`] (`f64` for floats,
//! wrapping for integers) and rounded once.

use crate::index::{for_each_index, strides};
use crate::num::{map_numeric2, Num};
use crate::{InterpError, OpCx};
use xlac_ir::TensorData;

/// The dims of one operand by role, in order.
struct Roles {
    batch: Vec<usize>,
    contract: Vec<usize>,
    free: Vec<usize>,
    strides: Vec<usize>,
}

impl Roles {
    fn new(dims: &[usize], batch: &[i64], contract: &[i64]) -> Roles {
        let batch: Vec<usize> = batch.iter().map(|&d| d as usize).collect();
        let contract: Vec<usize> = contract.iter().map(|&d| d as usize).collect();
        let free = (0..dims.len()).filter(|d| !batch.contains(d) && !contract.contains(d)).collect();
        Roles { batch, contract, free, strides: strides(dims) }
    }

    /// Offset of the element at batch index `b`, free index `f` and contracting index 0.
    fn base(&self, b: &[usize], f: &[usize]) -> usize {
        let batch: usize = b.iter().zip(&self.batch).map(|(i, &d)| i * self.strides[d]).sum();
        let free: usize = f.iter().zip(&self.free).map(|(i, &d)| i * self.strides[d]).sum();
        batch + free
    }

    /// Offset contributed by contracting index `c`.
    fn contract_offset(&self, c: &[usize]) -> usize {
        c.iter().zip(&self.contract).map(|(i, &d)| i * self.strides[d]).sum()
    }
}

fn dot_vec<T: Num>(
    l: &[T],
    r: &[T],
    lhs: &Roles,
    rhs: &Roles,
    contract_extents: &[usize],
    out_dims: &[usize],
) -> Vec<T> {
    // (lhs, rhs) offsets of every contracting index, shared by all result elements.
    let mut pairs = Vec::new();
    for_each_index(contract_extents, |c| pairs.push((lhs.contract_offset(c), rhs.contract_offset(c))));
    let mut out = Vec::with_capacity(out_dims.iter().product());
    for_each_index(out_dims, |o| {
        let (b, free) = o.split_at(lhs.batch.len());
        let (lf, rf) = free.split_at(lhs.free.len());
        let (lbase, rbase) = (lhs.base(b, lf), rhs.base(b, rf));
        let mut acc = T::Acc::ZERO;
        for &(lo, ro) in &pairs {
            acc = acc.add(l[lbase + lo].to_acc().mul(r[rbase + ro].to_acc()));
        }
        out.push(T::from_acc(acc));
    });
    out
}

/// `dot_general`: result dims are the batch dims, then lhs free dims, then rhs free
/// dims, each in operand order.
pub(crate) fn dot_general(cx: &OpCx) -> Result<TensorData, InterpError> {
    let [x, y] = [cx.operands[0], cx.operands[1]];
    let lhs = Roles::new(x.shape.dims(), cx.attrs.ints("lhs_batch"), cx.attrs.ints("lhs_contract"));
    let rhs = Roles::new(y.shape.dims(), cx.attrs.ints("rhs_batch"), cx.attrs.ints("rhs_contract"));
    let contract_extents: Vec<usize> = lhs.contract.iter().map(|&d| x.shape.dims()[d]).collect();
    let out = cx.out_dims();
    Ok(map_numeric2!(cx.name(), &x.data, &y.data, a, b => dot_vec(a, b, &lhs, &rhs, &contract_extents, out)))
}
