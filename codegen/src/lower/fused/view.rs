//! Index contexts of a fused kernel: a value read as a view of its elements (reshapes
//! pass contexts through unchanged), and their conversion to another view of the same
//! elements.

use crate::kernel::{Affine, DimIndex};

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

/// Groups of dims (extent-1 dims left out) with equal products in two shapes of one
/// element count: `(dims of a, dims of b)` per group. `None` when the counts differ or
/// any extent is zero. (The fusion pass predicts fusibility with the same grouping.)
pub(crate) fn reshape_groups(a: &[usize], b: &[usize]) -> Option<Vec<(Vec<usize>, Vec<usize>)>> {
    let na: Vec<usize> = (0..a.len()).filter(|&d| a[d] != 1).collect();
    let nb: Vec<usize> = (0..b.len()).filter(|&d| b[d] != 1).collect();
    if a.contains(&0) || b.contains(&0) || a.iter().product::<usize>() != b.iter().product::<usize>() {
        return None;
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < na.len() && j < nb.len() {
        let (mut ga, mut gb) = (vec![na[i]], vec![nb[j]]);
        let (mut pa, mut pb) = (a[na[i]], b[nb[j]]);
        i += 1;
        j += 1;
        while pa != pb {
            if pa < pb {
                ga.push(*na.get(i)?);
                pa *= a[na[i]];
                i += 1;
            } else {
                gb.push(*nb.get(j)?);
                pb *= b[nb[j]];
                j += 1;
            }
        }
        out.push((ga, gb));
    }
    Some(out)
}
