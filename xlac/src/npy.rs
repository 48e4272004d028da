//! Reading and writing `.npy` files as host tensors (through the `npyz` crate).

use anyhow::{bail, Context, Result};
use npyz::WriterBuilder;
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use xlac_ir::{DType, Shape, Tensor, TensorData};

/// Reads a C-order `.npy` file of dtype float32, float64, int32, int64 or bool.
pub fn read_npy(path: &Path) -> Result<Tensor> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    decode_npy(&bytes).with_context(|| format!("{} is not a usable .npy file", path.display()))
}

/// Decodes the bytes of a `.npy` file.
pub fn decode_npy(bytes: &[u8]) -> Result<Tensor> {
    let npy = npyz::NpyFile::new(bytes)?;
    if npy.order() != npyz::Order::C {
        bail!("Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray");
    }
    let shape = npy.shape().iter().map(|&d| usize::try_from(d)).collect::<Result<Vec<_>, _>>()?;
    let type_str = match npy.dtype() {
        npyz::DType::Plain(t) => t.to_string(),
        other => bail!("unsupported dtype {other:?}: expected a plain numeric or bool array"),
    };
    let data = match type_str.as_str() {
        "<f4" => TensorData::F32(read_all(npy)?),
        "<f8" => TensorData::F64(read_all(npy)?),
        "<i4" => TensorData::I32(read_all(npy)?),
        "<i8" => TensorData::I64(read_all(npy)?),
        "|b1" => TensorData::Bool(read_all(npy)?),
        other => bail!("unsupported dtype `{other}`: xlac reads float32, float64, int32, int64 and bool"),
    };
    let shape = Shape(shape);
    Tensor::new(shape.clone(), data).with_context(|| format!("the data does not fill the shape {shape}"))
}

fn read_all<T: npyz::Deserialize, R: Read>(npy: npyz::NpyFile<R>) -> Result<Vec<T>> {
    Ok(npy.into_vec::<T>()?)
}

/// Writes `t` as a C-order `.npy` file.
pub fn write_npy(path: &Path, t: &Tensor) -> Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = BufWriter::new(file);
    encode_npy(&mut out, t)?;
    out.flush()?;
    Ok(())
}

/// Encodes `t` in the `.npy` format.
pub fn encode_npy<W: Write>(out: W, t: &Tensor) -> Result<()> {
    let shape: Vec<u64> = t.shape.dims().iter().map(|&d| d as u64).collect();
    fn write<T: npyz::AutoSerialize, W: Write>(out: W, shape: &[u64], data: &[T]) -> Result<()> {
        let mut w = npyz::WriteOptions::new().default_dtype().shape(shape).writer(out).begin_nd()?;
        w.extend(data.iter())?;
        w.finish()?;
        Ok(())
    }
    match &t.data {
        TensorData::F32(v) => write(out, &shape, v),
        TensorData::F64(v) => write(out, &shape, v),
        TensorData::I32(v) => write(out, &shape, v),
        TensorData::I64(v) => write(out, &shape, v),
        TensorData::Bool(v) => write(out, &shape, v),
    }
}

/// The numpy name of a dtype, for messages.
pub fn numpy_name(d: DType) -> &'static str {
    match d {
        DType::F32 => "float32",
        DType::F64 => "float64",
        DType::I32 => "int32",
        DType::I64 => "int64",
        DType::Bool => "bool",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_dtype() {
        let tensors = [
            Tensor::new(vec![2, 3], TensorData::F32(vec![1.5, -2.0, 0.0, f32::INFINITY, 3.25, -0.5])).unwrap(),
            Tensor::new(vec![2], TensorData::F64(vec![1e300, -1e-300])).unwrap(),
            Tensor::new(vec![1, 2, 1], TensorData::I32(vec![i32::MIN, 7])).unwrap(),
            Tensor::new(vec![], TensorData::I64(vec![-42])).unwrap(),
            Tensor::new(vec![3, 0], TensorData::Bool(vec![])).unwrap(),
            Tensor::new(vec![3], TensorData::Bool(vec![true, false, true])).unwrap(),
        ];
        for t in tensors {
            let mut bytes = Vec::new();
            encode_npy(&mut bytes, &t).unwrap();
            assert_eq!(decode_npy(&bytes).unwrap(), t);
        }
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        assert!(decode_npy(b"not an npy file").is_err());
        assert!(decode_npy(b"\x93NUMPY\x01\x00").is_err());
    }
}
