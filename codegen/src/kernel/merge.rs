//! Merging a kernel's two outermost domain dimensions into one, when every load reads
//! them as one: `[8, 12, 128, 128]` becomes `[96, 128, 128]`, then `[12288, 128]`.
//! Finer outer iterations split better over threads, and a kernel fused into a GEMM
//! as its epilogue needs outer iterations of whole rows (see `lower/epilogue.rs`).

use super::{Affine, DimIndex, Expr, Kernel, VarId};

impl Kernel {
    /// Merges the outer domain dimensions while the domain has more than two and the
    /// merge is exact; returns how many merges were made.
    pub fn merge_outer_dims(&mut self) -> usize {
        let mut merged = 0;
        while self.domain.len() > 2 && self.merge_first_two() {
            merged += 1;
        }
        merged
    }

    /// Merges dims 0 and 1 if every load reads variables 0 and 1 as `c · (n1 · v0 + v1)`
    /// in its linear offset, unguarded, and no node reads them as values.
    fn merge_first_two(&mut self) -> bool {
        let n1 = self.domain[1] as i64;
        let uses_outer = |a: &Affine| a.coef(0) != 0 || a.coef(1) != 0;
        for data in self.exprs.values() {
            match &data.expr {
                Expr::Index(v) if *v < 2 => return false,
                Expr::Load(l) if l.index.iter().any(|ix| uses_outer(&ix.affine)) => {
                    let Some(lin) = l.linear().filter(|_| l.otherwise.is_none()) else { return false };
                    if lin.coef(0) != lin.coef(1) * n1 {
                        return false;
                    }
                }
                _ => {}
            }
        }
        // var 0 becomes the merged variable; var 1 disappears; the others shift down.
        let renumber = |a: &Affine| {
            let mut out = Affine::constant(a.offset);
            for &(v, c) in &a.terms {
                match v {
                    0 => {}
                    1 => out.add_term(0, c),
                    v => out.add_term(v - 1, c),
                }
            }
            out
        };
        let shift = |v: VarId| if v == 0 { 0 } else { v - 1 };
        for data in self.exprs.values_mut() {
            match &mut data.expr {
                Expr::Index(v) => *v = shift(*v),
                Expr::Load(l) => {
                    if l.index.iter().any(|ix| uses_outer(&ix.affine)) {
                        let lin = l.linear().expect("checked above");
                        l.view = vec![l.view.iter().product()];
                        l.index = vec![DimIndex::affine(renumber(&lin))];
                    } else {
                        for ix in &mut l.index {
                            ix.affine = renumber(&ix.affine);
                        }
                    }
                }
                Expr::Reduce { vars, .. } => vars.iter_mut().for_each(|(v, _)| *v = shift(*v)),
                _ => {}
            }
        }
        let n0 = self.domain.remove(0);
        self.domain[0] *= n0;
        self.num_vars -= 1;
        self.interned.clear();
        for (id, data) in self.exprs.iter() {
            self.interned.entry(data.clone()).or_insert(id);
        }
        true
    }
}
