//! Index contexts of a fused kernel: a value read as a view of its elements (reshapes
//! pass contexts through unchanged), and their conversion to another view of the same
//! elements.

use crate::kernel::{Affine, DimIndex};
use xlac_ir::reshape_groups;

/// Where a value is read: the extents it is viewed as (their product is its element
/// count) and one index per view dimension.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Ctx {
    pub view: Vec<usize>,
    pub idx: Vec<DimIndex>,
}

impl Ctx {
    /// The context of a scalar.
    pub fn scalar() -> Ctx {
        Ctx { view: Vec::new(), idx: Vec::new() }
    }

    /// The indices of the same elements viewed as `dims`; `None` when that needs
    /// division (a view dim split over several dims of `dims`).
    pub fn indices_in(&self, dims: &[usize]) -> Option<Vec<DimIndex>> {
        if self.view == dims {
            return Some(self.idx.clone());
        }
        let mut out = vec![DimIndex::affine(Affine::constant(0)); dims.len()];
        for (gv, gn) in reshape_groups(&self.view, dims)? {
            let [one] = gn[..] else { return None };
            let mut acc = Affine::default();
            let mut stride = 1i64;
            for &d in gv.iter().rev() {
                let ix = &self.idx[d];
                if ix.div != 1 {
                    return None;
                }
                acc.add_scaled(&ix.affine, stride);
                stride *= self.view[d] as i64;
            }
            out[one] = DimIndex::affine(acc);
        }
        Some(out)
    }
}
