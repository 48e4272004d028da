//! Shapes and tensor types.

use crate::DType;
use std::fmt;

/// A static shape: one extent per dimension. `[]` is a scalar.
///
/// Extents are plain `usize` today; symbolic dimensions will become a variant of the
/// extent type, which is why the shape is a newtype and not a bare vector.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Shape(pub Vec<usize>);

impl Shape {
    /// The shape of a scalar.
    pub fn scalar() -> Shape {
        Shape(Vec::new())
    }

    /// Number of dimensions.
    pub fn rank(&self) -> usize {
        self.0.len()
    }

    /// The extents.
    pub fn dims(&self) -> &[usize] {
        &self.0
    }

    /// Number of elements (1 for a scalar, 0 if any extent is 0). `None` on overflow.
    pub fn checked_num_elements(&self) -> Option<usize> {
        self.0.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
    }

    /// Number of elements; saturates at `usize::MAX` (verified modules never overflow).
    pub fn num_elements(&self) -> usize {
        self.checked_num_elements().unwrap_or(usize::MAX)
    }

    /// Row-major strides in elements (saturating; exact for verified types with elements).
    pub fn strides(&self) -> Vec<usize> {
        let mut strides = vec![1usize; self.rank()];
        for i in (0..self.rank().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1].saturating_mul(self.0[i + 1]);
        }
        strides
    }
}

/// Calls `f` with every multi-index of `dims`, in row-major order: once with `[]` for a
/// scalar, never when an extent is 0.
pub fn for_each_index(dims: &[usize], mut f: impl FnMut(&[usize])) {
    if dims.contains(&0) {
        return;
    }
    let mut idx = vec![0usize; dims.len()];
    loop {
        f(&idx);
        // Odometer increment: bump the last digit, carrying into earlier ones.
        let mut d = dims.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            idx[d] += 1;
            if idx[d] < dims[d] {
                break;
            }
            idx[d] = 0;
        }
    }
}

/// Groups of dims (extent-1 dims left out) with equal products in two shapes of one
/// element count: `(dims of a, dims of b)` per group, in order. A reshape from `a` to
/// `b` maps each group of `a` onto its group of `b`, so a group with one dim on either
/// side is an affine index map. `None` when the counts differ or an extent is zero.
pub fn reshape_groups(a: &[usize], b: &[usize]) -> Option<Vec<(Vec<usize>, Vec<usize>)>> {
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

impl From<Vec<usize>> for Shape {
    fn from(v: Vec<usize>) -> Shape {
        Shape(v)
    }
}

impl From<&[usize]> for Shape {
    fn from(v: &[usize]) -> Shape {
        Shape(v.to_vec())
    }
}

/// The type of an SSA value: a dtype and a static shape, written `f32[256,768]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TensorType {
    /// Element type.
    pub dtype: DType,
    /// Extents.
    pub shape: Shape,
}

impl TensorType {
    /// A tensor type from a dtype and extents.
    pub fn new(dtype: DType, dims: impl Into<Vec<usize>>) -> TensorType {
        TensorType { dtype, shape: Shape(dims.into()) }
    }

    /// A scalar of `dtype`.
    pub fn scalar(dtype: DType) -> TensorType {
        TensorType { dtype, shape: Shape::scalar() }
    }

    /// Rank of the shape.
    pub fn rank(&self) -> usize {
        self.shape.rank()
    }

    /// Extents.
    pub fn dims(&self) -> &[usize] {
        self.shape.dims()
    }

    /// Same shape, other dtype.
    pub fn with_dtype(&self, dtype: DType) -> TensorType {
        TensorType { dtype, shape: self.shape.clone() }
    }

    /// Bytes needed to store a value of this type densely.
    pub fn size_bytes(&self) -> usize {
        self.shape.num_elements().saturating_mul(self.dtype.size_bytes())
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{d}")?;
        }
        f.write_str("]")
    }
}

impl fmt::Display for TensorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.dtype, self.shape)
    }
}
