//! Random attributes for the index-map ops.

use crate::gen::{ints, Gen};
use crate::ops::fits;
use xlac_ir::{AttrValue, Attrs, OpKind, TensorType};

/// Applies index map `kind` to `x` with random attributes (`None` if it does not fit).
pub fn build(gen: &mut Gen, kind: OpKind, x: usize) -> Option<usize> {
    let ty = gen.g.ty(x).clone();
    let dims = ty.dims().to_vec();
    let rank = dims.len();
    match kind {
        OpKind::BroadcastInDim => {
            // Insert up to two new dims and stretch some extent-1 dims.
            let mut out = dims.clone();
            let mut map: Vec<usize> = (0..rank).collect();
            for _ in 0..gen.rng.range(usize::from(!dims.contains(&1)) as i64, 2) {
                let at = gen.rng.below(out.len() + 1);
                out.insert(at, gen.rng.extent());
                for m in map.iter_mut().filter(|m| **m >= at) {
                    *m += 1;
                }
            }
            for &m in &map {
                if out[m] == 1 && gen.rng.chance(0.5) {
                    out[m] = gen.rng.pick(&[2, 3, 5, 7]);
                }
            }
            if !fits(&out) {
                return None;
            }
            let attrs = Attrs::new(kind).with("dims", ints(&map));
            gen.try_op(kind, &[x], attrs, Some(TensorType::new(ty.dtype, out)))
        }
        OpKind::Reshape => {
            let n: usize = dims.iter().product();
            let out = match gen.rng.below(4) {
                0 => vec![n],
                1 => dims.iter().rev().copied().collect(),
                2 if rank >= 2 => {
                    let mut v = dims[..rank - 2].to_vec();
                    v.push(dims[rank - 2] * dims[rank - 1]);
                    v
                }
                _ => {
                    let mut v = dims.clone();
                    v.insert(gen.rng.below(rank + 1), 1);
                    v
                }
            };
            gen.try_op(kind, &[x], Attrs::new(kind), Some(TensorType::new(ty.dtype, out)))
        }
        OpKind::Transpose => {
            let perm = gen.rng.permutation(rank);
            gen.try_op(kind, &[x], Attrs::new(kind).with("perm", ints(&perm)), None)
        }
        OpKind::Reverse => {
            let rev = gen.rng.subset(rank);
            gen.try_op(kind, &[x], Attrs::new(kind).with("dims", ints(&rev)), None)
        }
        OpKind::Slice => {
            let (mut start, mut limit, mut strides) = (vec![], vec![], vec![]);
            for &n in &dims {
                let s = gen.rng.range(0, (n as i64 - 1).max(0));
                start.push(s);
                limit.push(gen.rng.range((s + 1).min(n as i64), n as i64));
                strides.push(gen.rng.range(1, 3));
            }
            let mut attrs =
                Attrs::new(kind).with("start", AttrValue::Ints(start)).with("limit", AttrValue::Ints(limit));
            if gen.rng.chance(0.6) {
                attrs = attrs.with("strides", AttrValue::Ints(strides));
            }
            gen.try_op(kind, &[x], attrs, None)
        }
        OpKind::Pad => {
            let with_interior = gen.rng.chance(0.5);
            let (mut low, mut high, mut interior) = (vec![], vec![], vec![]);
            for &n in &dims {
                let i = if with_interior { gen.rng.range(0, 2) } else { 0 };
                let full = n as i64 + (n as i64 - 1).max(0) * i;
                let l = gen.rng.range(-1, 2).max(-full);
                let h = gen.rng.range(-1, 2).max(-(full + l));
                low.push(l);
                high.push(h);
                interior.push(i);
            }
            let mut attrs = Attrs::new(kind).with("low", AttrValue::Ints(low)).with("high", AttrValue::Ints(high));
            if with_interior {
                attrs = attrs.with("interior", AttrValue::Ints(interior));
            }
            let exact = gen.g.nodes[x].exact;
            let value = gen.partner(&TensorType::scalar(ty.dtype), exact);
            gen.try_op(kind, &[x, value], attrs, None)
        }
        OpKind::Concatenate if rank > 0 => {
            let dim = gen.rng.below(rank);
            let mut operands = vec![x];
            for _ in 0..gen.rng.range(1, 2) {
                let mut d = dims.clone();
                d[dim] = gen.rng.pick(&[1, 2, 3, dims[dim]]);
                let other = gen.partner(&TensorType::new(ty.dtype, d), false);
                operands.insert(gen.rng.below(operands.len() + 1), other);
            }
            let attrs = Attrs::new(kind).with("dim", AttrValue::Int(dim as i64));
            gen.try_op(kind, &operands, attrs, None)
        }
        _ => None,
    }
}
