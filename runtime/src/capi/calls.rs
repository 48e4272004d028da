//! `#[repr(C)]` descriptions of library calls, as AOT objects store them: every field a
//! 64-bit word (`uint64_t`/`int64_t` in C), so the layout is the same on every 64-bit
//! target and the compiler writes them as plain little-endian words. Buffer operands
//! are not part of a description: they are arguments of the `xlac_rt_*` call.

use crate::program::{ConvCall, ElemType, GatherCall, GemmCall, PoolCall, PoolKind};

/// Largest spatial rank of a convolution / rank of a pooling that a description holds.
pub const CALL_RANK: usize = crate::kernels::MAX_RANK;

/// The C code of an element type: f32 0, f64 1, i32 2, i64 3, bool 4.
pub fn elem_code(e: ElemType) -> u64 {
    match e {
        ElemType::F32 => 0,
        ElemType::F64 => 1,
        ElemType::I32 => 2,
        ElemType::I64 => 3,
        ElemType::Bool => 4,
    }
}

/// The element type of a C code (see [`elem_code`]).
pub fn elem_from_code(code: u64) -> Option<ElemType> {
    Some(match code {
        0 => ElemType::F32,
        1 => ElemType::F64,
        2 => ElemType::I32,
        3 => ElemType::I64,
        4 => ElemType::Bool,
        _ => return None,
    })
}

fn elem(code: u64) -> ElemType {
    elem_from_code(code).unwrap_or_else(|| panic!("xlac runtime: bad element type code {code}"))
}

/// `v` in a fixed array of [`CALL_RANK`] words (`None` if longer).
fn fixed<T: Copy + Default>(v: &[T]) -> Option<[T; CALL_RANK]> {
    let mut a = [T::default(); CALL_RANK];
    a.get_mut(..v.len())?.copy_from_slice(v);
    Some(a)
}

fn words<T>(x: &T) -> &[u64] {
    // SAFETY: only called on the `#[repr(C)]` structs below, made of 64-bit integer
    // fields and arrays of them only, so they are a padding-free sequence of u64.
    unsafe { std::slice::from_raw_parts((x as *const T).cast::<u64>(), size_of::<T>() / 8) }
}

/// A [`GemmCall`] (`out[b] = lhs[b] · rhs[b]`, element strides, out dense).
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct XlacGemm {
    /// Element type code ([`elem_code`]).
    pub elem: u64,
    /// Batch count.
    pub batch: u64,
    /// Rows of the output.
    pub m: u64,
    /// Columns of the output.
    pub n: u64,
    /// Contraction length.
    pub k: u64,
    /// Element strides of lhs: (batch, m, k).
    pub lhs_strides: [i64; 3],
    /// Element strides of rhs: (batch, k, n).
    pub rhs_strides: [i64; 3],
}

impl XlacGemm {
    /// The description of `c`.
    pub fn from_call(c: &GemmCall) -> XlacGemm {
        XlacGemm {
            elem: elem_code(c.elem),
            batch: c.batch as u64,
            m: c.m as u64,
            n: c.n as u64,
            k: c.k as u64,
            lhs_strides: c.lhs_strides.map(|s| s as i64),
            rhs_strides: c.rhs_strides.map(|s| s as i64),
        }
    }

    /// The call it describes (buffer ids 0: the pointers are passed separately).
    pub fn to_call(&self) -> GemmCall {
        GemmCall {
            elem: elem(self.elem),
            lhs: 0,
            rhs: 0,
            out: 0,
            batch: self.batch as usize,
            m: self.m as usize,
            n: self.n as usize,
            k: self.k as usize,
            lhs_strides: self.lhs_strides.map(|s| s as isize),
            rhs_strides: self.rhs_strides.map(|s| s as isize),
        }
    }

    /// The struct as the words of its C layout.
    pub fn words(&self) -> &[u64] {
        words(self)
    }
}

/// A [`ConvCall`]; arrays hold `rank` used entries.
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct XlacConv {
    /// Element type code.
    pub elem: u64,
    /// 1: NHWC-style layouts, 0: NCHW-style.
    pub nhwc: u64,
    /// Spatial rank.
    pub rank: u64,
    /// Batch.
    pub n: u64,
    /// Input channels.
    pub c: u64,
    /// Output channels.
    pub o: u64,
    /// Feature groups.
    pub groups: u64,
    /// Input spatial extents.
    pub in_spatial: [u64; CALL_RANK],
    /// Kernel spatial extents.
    pub k_spatial: [u64; CALL_RANK],
    /// Output spatial extents.
    pub out_spatial: [u64; CALL_RANK],
    /// Strides.
    pub strides: [u64; CALL_RANK],
    /// Low padding (negative crops).
    pub pad_lo: [i64; CALL_RANK],
    /// High padding.
    pub pad_hi: [i64; CALL_RANK],
    /// Input dilation.
    pub lhs_dilation: [u64; CALL_RANK],
    /// Kernel dilation.
    pub rhs_dilation: [u64; CALL_RANK],
}

fn u64s(v: &[usize]) -> Vec<u64> {
    v.iter().map(|&x| x as u64).collect()
}

fn usizes(v: &[u64], rank: u64) -> Vec<usize> {
    v[..rank as usize].iter().map(|&x| x as usize).collect()
}

impl XlacConv {
    /// The description of `c`, or `None` if its spatial rank exceeds [`CALL_RANK`].
    pub fn from_call(c: &ConvCall) -> Option<XlacConv> {
        Some(XlacConv {
            elem: elem_code(c.elem),
            nhwc: u64::from(c.nhwc),
            rank: c.in_spatial.len() as u64,
            n: c.n as u64,
            c: c.c as u64,
            o: c.o as u64,
            groups: c.groups as u64,
            in_spatial: fixed(&u64s(&c.in_spatial))?,
            k_spatial: fixed(&u64s(&c.k_spatial))?,
            out_spatial: fixed(&u64s(&c.out_spatial))?,
            strides: fixed(&u64s(&c.strides))?,
            pad_lo: fixed(&c.padding.iter().map(|p| p.0).collect::<Vec<_>>())?,
            pad_hi: fixed(&c.padding.iter().map(|p| p.1).collect::<Vec<_>>())?,
            lhs_dilation: fixed(&u64s(&c.lhs_dilation))?,
            rhs_dilation: fixed(&u64s(&c.rhs_dilation))?,
        })
    }

    /// The call it describes (buffer ids 0).
    pub fn to_call(&self) -> ConvCall {
        let r = self.rank.min(CALL_RANK as u64);
        ConvCall {
            elem: elem(self.elem),
            input: 0,
            kernel: 0,
            out: 0,
            nhwc: self.nhwc != 0,
            n: self.n as usize,
            c: self.c as usize,
            o: self.o as usize,
            in_spatial: usizes(&self.in_spatial, r),
            k_spatial: usizes(&self.k_spatial, r),
            out_spatial: usizes(&self.out_spatial, r),
            strides: usizes(&self.strides, r),
            padding: (0..r as usize).map(|d| (self.pad_lo[d], self.pad_hi[d])).collect(),
            lhs_dilation: usizes(&self.lhs_dilation, r),
            rhs_dilation: usizes(&self.rhs_dilation, r),
            groups: self.groups as usize,
        }
    }

    /// The struct as the words of its C layout.
    pub fn words(&self) -> &[u64] {
        words(self)
    }
}

/// A [`PoolCall`]; arrays hold `rank` used entries.
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct XlacPool {
    /// Element type code.
    pub elem: u64,
    /// 0 sum, 1 max, 2 min.
    pub kind: u64,
    /// Rank.
    pub rank: u64,
    /// Input extents.
    pub in_dims: [u64; CALL_RANK],
    /// Output extents.
    pub out_dims: [u64; CALL_RANK],
    /// Window extents.
    pub window: [u64; CALL_RANK],
    /// Strides.
    pub strides: [u64; CALL_RANK],
    /// Low padding.
    pub pad_lo: [i64; CALL_RANK],
    /// High padding.
    pub pad_hi: [i64; CALL_RANK],
    /// Window dilation.
    pub dilation: [u64; CALL_RANK],
}

impl XlacPool {
    /// The description of `c`, or `None` if its rank exceeds [`CALL_RANK`].
    pub fn from_call(c: &PoolCall) -> Option<XlacPool> {
        let kind = match c.kind {
            PoolKind::Sum => 0,
            PoolKind::Max => 1,
            PoolKind::Min => 2,
        };
        Some(XlacPool {
            elem: elem_code(c.elem),
            kind,
            rank: c.in_dims.len() as u64,
            in_dims: fixed(&u64s(&c.in_dims))?,
            out_dims: fixed(&u64s(&c.out_dims))?,
            window: fixed(&u64s(&c.window))?,
            strides: fixed(&u64s(&c.strides))?,
            pad_lo: fixed(&c.padding.iter().map(|p| p.0).collect::<Vec<_>>())?,
            pad_hi: fixed(&c.padding.iter().map(|p| p.1).collect::<Vec<_>>())?,
            dilation: fixed(&u64s(&c.dilation))?,
        })
    }

    /// The call it describes (buffer ids 0).
    pub fn to_call(&self) -> PoolCall {
        let r = self.rank.min(CALL_RANK as u64);
        let kind = match self.kind {
            0 => PoolKind::Sum,
            1 => PoolKind::Max,
            _ => PoolKind::Min,
        };
        PoolCall {
            elem: elem(self.elem),
            kind,
            input: 0,
            out: 0,
            in_dims: usizes(&self.in_dims, r),
            out_dims: usizes(&self.out_dims, r),
            window: usizes(&self.window, r),
            strides: usizes(&self.strides, r),
            padding: (0..r as usize).map(|d| (self.pad_lo[d], self.pad_hi[d])).collect(),
            dilation: usizes(&self.dilation, r),
        }
    }

    /// The struct as the words of its C layout.
    pub fn words(&self) -> &[u64] {
        words(self)
    }
}

/// A [`GatherCall`].
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct XlacGather {
    /// Bytes per element of data and output.
    pub elem_size: u64,
    /// Index element type code (i32 or i64).
    pub index_elem: u64,
    /// Product of the data extents before the axis.
    pub outer: u64,
    /// Extent of the axis.
    pub axis_len: u64,
    /// Product of the data extents after the axis.
    pub inner: u64,
    /// Number of indices.
    pub num_indices: u64,
}

impl XlacGather {
    /// The description of `c`.
    pub fn from_call(c: &GatherCall) -> XlacGather {
        XlacGather {
            elem_size: c.elem_size as u64,
            index_elem: elem_code(c.index_elem),
            outer: c.outer as u64,
            axis_len: c.axis_len as u64,
            inner: c.inner as u64,
            num_indices: c.num_indices as u64,
        }
    }

    /// The call it describes (buffer ids 0).
    pub fn to_call(&self) -> GatherCall {
        GatherCall {
            elem_size: self.elem_size as usize,
            index_elem: elem(self.index_elem),
            x: 0,
            indices: 0,
            out: 0,
            outer: self.outer as usize,
            axis_len: self.axis_len as usize,
            inner: self.inner as usize,
            num_indices: self.num_indices as usize,
        }
    }

    /// The struct as the words of its C layout.
    pub fn words(&self) -> &[u64] {
        words(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conv_round_trips() {
        let c = ConvCall {
            elem: ElemType::F32,
            input: 0,
            kernel: 0,
            out: 0,
            nhwc: false,
            n: 2,
            c: 3,
            o: 4,
            in_spatial: vec![5, 6],
            k_spatial: vec![3, 3],
            out_spatial: vec![5, 6],
            strides: vec![1, 1],
            padding: vec![(1, 1), (-1, 2)],
            lhs_dilation: vec![1, 1],
            rhs_dilation: vec![1, 2],
            groups: 1,
        };
        let x = XlacConv::from_call(&c).unwrap();
        assert_eq!(format!("{:?}", x.to_call()), format!("{c:?}"));
        assert_eq!(x.words().len(), 7 + 8 * CALL_RANK);
    }

    #[test]
    fn gemm_words_follow_fields() {
        let g = XlacGemm { elem: 1, batch: 2, m: 3, n: 4, k: 5, lhs_strides: [6, 7, -8], rhs_strides: [9, 10, 11] };
        assert_eq!(g.words(), &[1, 2, 3, 4, 5, 6, 7, (-8i64) as u64, 9, 10, 11]);
        assert_eq!(g.to_call().lhs_strides, [6, 7, -8]);
    }
}
