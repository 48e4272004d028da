//! Runtime-side tensors: borrowed inputs ([`TensorRef`]), borrowed outputs
//! ([`TensorMut`]) and owned results ([`HostTensor`]). All are bytes in native byte
//! order plus a dtype and row-major extents.

use crate::aligned::AlignedBytes;
use crate::program::ElemType;

mod sealed {
    pub trait Sealed {}
}

/// A Rust type that is one of the runtime's element types: every value is a valid byte
/// pattern of its [`ElemType`] (so `&[T]` can be viewed as bytes).
pub trait Element: Copy + sealed::Sealed + 'static {
    /// The matching runtime element type.
    const ELEM: ElemType;
    /// Decodes one element from `size_of::<Self>()` native-endian bytes.
    fn from_ne(bytes: &[u8]) -> Self;
}

/// An [`Element`] for which every byte pattern is a valid value (all but `bool`), so a
/// byte buffer can be viewed as `&[T]`.
pub trait Pod: Element {}

macro_rules! element {
    ($($t:ty => $e:ident),*) => {$(
        impl sealed::Sealed for $t {}
        impl Element for $t {
            const ELEM: ElemType = ElemType::$e;
            fn from_ne(bytes: &[u8]) -> Self {
                <$t>::from_ne_bytes(bytes.try_into().expect("element size"))
            }
        }
        impl Pod for $t {}
    )*};
}
element!(f32 => F32, f64 => F64, i32 => I32, i64 => I64);

impl sealed::Sealed for bool {}
impl Element for bool {
    const ELEM: ElemType = ElemType::Bool;
    fn from_ne(bytes: &[u8]) -> Self {
        bytes[0] != 0
    }
}

/// Views a typed slice as its bytes.
pub fn as_bytes<T: Element>(data: &[T]) -> &[u8] {
    // SAFETY: every Element is plain data without padding; u8 has alignment 1.
    unsafe { std::slice::from_raw_parts(data.as_ptr().cast(), std::mem::size_of_val(data)) }
}

/// Views a mutable typed slice of a [`Pod`] type as its bytes.
pub fn as_bytes_mut<T: Pod>(data: &mut [T]) -> &mut [u8] {
    // SAFETY: as in `as_bytes`; any bytes written are a valid `T` since `T: Pod`.
    unsafe { std::slice::from_raw_parts_mut(data.as_mut_ptr().cast(), std::mem::size_of_val(data)) }
}

/// A borrowed input tensor. Its bytes need no particular alignment.
#[derive(Copy, Clone, Debug)]
pub struct TensorRef<'a> {
    /// Element type.
    pub elem: ElemType,
    /// Row-major extents.
    pub dims: &'a [usize],
    /// Dense row-major data, native byte order.
    pub bytes: &'a [u8],
}

impl<'a> TensorRef<'a> {
    /// A tensor over raw bytes (checked against the program when run).
    pub fn new(elem: ElemType, dims: &'a [usize], bytes: &'a [u8]) -> TensorRef<'a> {
        TensorRef { elem, dims, bytes }
    }

    /// A tensor over a typed slice.
    pub fn from_slice<T: Element>(dims: &'a [usize], data: &'a [T]) -> TensorRef<'a> {
        TensorRef { elem: T::ELEM, dims, bytes: as_bytes(data) }
    }
}

/// A borrowed output tensor, written by [`crate::Executable::run_into`]. Its bytes need
/// no particular alignment.
#[derive(Debug)]
pub struct TensorMut<'a> {
    /// Element type.
    pub elem: ElemType,
    /// Row-major extents.
    pub dims: &'a [usize],
    /// Dense row-major data, native byte order.
    pub bytes: &'a mut [u8],
}

impl<'a> TensorMut<'a> {
    /// A tensor over raw bytes (checked against the program when run).
    pub fn new(elem: ElemType, dims: &'a [usize], bytes: &'a mut [u8]) -> TensorMut<'a> {
        TensorMut { elem, dims, bytes }
    }

    /// A tensor over a mutable typed slice (`bool` outputs go through [`TensorMut::new`]
    /// with a byte buffer, since not every byte is a valid `bool`).
    pub fn from_slice<T: Pod>(dims: &'a [usize], data: &'a mut [T]) -> TensorMut<'a> {
        TensorMut { elem: T::ELEM, dims, bytes: as_bytes_mut(data) }
    }
}

/// An owned tensor with 64-byte-aligned storage.
#[derive(Clone, Debug, PartialEq)]
pub struct HostTensor {
    /// Element type.
    pub elem: ElemType,
    /// Row-major extents.
    pub dims: Vec<usize>,
    bytes: AlignedBytes,
}

impl HostTensor {
    /// A tensor of zeros.
    pub fn zeros(elem: ElemType, dims: &[usize]) -> HostTensor {
        let len = dims.iter().product::<usize>() * elem.size();
        HostTensor { elem, dims: dims.to_vec(), bytes: AlignedBytes::zeroed(len) }
    }

    /// A copy of `data` with extents `dims`; `None` if the element counts differ.
    pub fn from_slice<T: Element>(dims: &[usize], data: &[T]) -> Option<HostTensor> {
        (dims.iter().product::<usize>() == data.len()).then(|| HostTensor {
            elem: T::ELEM,
            dims: dims.to_vec(),
            bytes: AlignedBytes::from_slice(as_bytes(data)),
        })
    }

    /// A copy of raw bytes; `None` if the length is not that of `dims` and `elem` (or a
    /// `bool` byte is not 0 or 1).
    pub fn from_bytes(elem: ElemType, dims: &[usize], bytes: &[u8]) -> Option<HostTensor> {
        let ok = dims.iter().product::<usize>() * elem.size() == bytes.len()
            && (elem != ElemType::Bool || bytes.iter().all(|&b| b <= 1));
        ok.then(|| HostTensor { elem, dims: dims.to_vec(), bytes: AlignedBytes::from_slice(bytes) })
    }

    /// Number of elements.
    pub fn num_elements(&self) -> usize {
        self.dims.iter().product()
    }

    /// The data as bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The data as typed elements; `None` if `T` is not the element type.
    pub fn as_slice<T: Pod>(&self) -> Option<&[T]> {
        (T::ELEM == self.elem).then(|| {
            // SAFETY: the storage is 64-byte aligned, holds `num_elements()` elements of
            // `T` (checked dtype), and every byte pattern is a valid `T`.
            unsafe { std::slice::from_raw_parts(self.bytes.as_ptr().cast(), self.num_elements()) }
        })
    }

    /// The data copied into a `Vec<T>`; `None` if `T` is not the element type.
    pub fn to_vec<T: Element>(&self) -> Option<Vec<T>> {
        let size = self.elem.size();
        (T::ELEM == self.elem).then(|| self.bytes.chunks_exact(size).map(T::from_ne).collect())
    }

    /// Borrows as an input.
    pub fn as_ref(&self) -> TensorRef<'_> {
        TensorRef { elem: self.elem, dims: &self.dims, bytes: &self.bytes }
    }

    /// Borrows as an output.
    pub fn as_mut(&mut self) -> TensorMut<'_> {
        TensorMut { elem: self.elem, dims: &self.dims, bytes: &mut self.bytes }
    }
}
