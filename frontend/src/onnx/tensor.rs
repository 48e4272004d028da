//! ONNX `TensorProto`s to host tensors, and ONNX element types to xlac dtypes.

use super::proto::{tensor_proto::DataType, TensorProto};
use prost::Message;
use std::path::Path;
use xlac_ir::{DType, Tensor, TensorData};

/// The name of an ONNX element type code, for messages.
pub(crate) fn dtype_name(code: i32) -> String {
    DataType::try_from(code).map_or_else(|_| format!("data type {code}"), |d| d.as_str_name().to_string())
}

/// The xlac dtype of an ONNX element type code.
pub(crate) fn dtype_of(code: i32) -> Result<DType, String> {
    match DataType::try_from(code) {
        Ok(DataType::Float) => Ok(DType::F32),
        Ok(DataType::Double) => Ok(DType::F64),
        Ok(DataType::Int32) => Ok(DType::I32),
        Ok(DataType::Int64) => Ok(DType::I64),
        Ok(DataType::Bool) => Ok(DType::Bool),
        _ => Err(format!(
            "element type {} is not supported (xlac has FLOAT, DOUBLE, INT32, INT64 and BOOL)",
            dtype_name(code)
        )),
    }
}

/// Decodes a `TensorProto`: raw little-endian bytes, the typed repeated fields, or
/// external data (a file relative to `base_dir`).
pub fn tensor_from_proto(t: &TensorProto, base_dir: Option<&Path>) -> Result<Tensor, String> {
    let name = t.name();
    let dtype = dtype_of(t.data_type()).map_err(|e| format!("tensor `{name}`: {e}"))?;
    let mut dims = Vec::with_capacity(t.dims.len());
    for &d in &t.dims {
        dims.push(usize::try_from(d).map_err(|_| format!("tensor `{name}` has a negative dimension {d}"))?);
    }
    let n = dims
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| format!("tensor `{name}` has too many elements"))?;
    let data = if t.data_location() == super::proto::tensor_proto::DataLocation::External {
        let bytes = read_external(t, base_dir)?;
        TensorData::from_le_bytes(dtype, &bytes)
            .ok_or_else(|| format!("tensor `{name}`: external data is truncated"))?
    } else if let Some(raw) = &t.raw_data {
        TensorData::from_le_bytes(dtype, raw).ok_or_else(|| format!("tensor `{name}`: raw data is truncated"))?
    } else {
        match dtype {
            DType::F32 => TensorData::F32(t.float_data.clone()),
            DType::F64 => TensorData::F64(t.double_data.clone()),
            DType::I32 => TensorData::I32(t.int32_data.clone()),
            DType::I64 => TensorData::I64(t.int64_data.clone()),
            DType::Bool => TensorData::Bool(t.int32_data.iter().map(|&x| x != 0).collect()),
        }
    };
    if data.len() != n {
        return Err(format!("tensor `{name}` has {} elements, its shape {dims:?} needs {n}", data.len()));
    }
    Ok(Tensor::new(dims, data).expect("element count checked"))
}

fn read_external(t: &TensorProto, base_dir: Option<&Path>) -> Result<Vec<u8>, String> {
    let name = t.name();
    let entry = |key: &str| t.external_data.iter().find(|e| e.key() == key).map(|e| e.value().to_string());
    let location = entry("location").ok_or_else(|| format!("tensor `{name}`: external data without a location"))?;
    let number = |key: &str| -> Result<Option<usize>, String> {
        entry(key)
            .map(|v| {
                v.parse::<usize>().map_err(|_| format!("tensor `{name}`: external data {key} `{v}` is not a number"))
            })
            .transpose()
    };
    let (offset, length) = (number("offset")?.unwrap_or(0), number("length")?);
    let path = base_dir.map_or_else(|| Path::new(&location).to_path_buf(), |d| d.join(&location));
    let bytes = std::fs::read(&path)
        .map_err(|e| format!("tensor `{name}`: cannot read external data `{}`: {e}", path.display()))?;
    let end = match length {
        Some(l) => offset.checked_add(l),
        None => Some(bytes.len()),
    };
    match end {
        Some(end) if offset <= end && end <= bytes.len() => Ok(bytes[offset..end].to_vec()),
        _ => Err(format!("tensor `{name}`: external data range is outside `{}`", path.display())),
    }
}

/// Reads a file holding one serialized `TensorProto` (as the ONNX backend tests'
/// `input_N.pb` and `output_N.pb`).
pub fn read_tensor_file(path: &Path) -> Result<Tensor, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let t =
        TensorProto::decode(bytes.as_slice()).map_err(|e| format!("`{}` is not a TensorProto: {e}", path.display()))?;
    tensor_from_proto(&t, path.parent())
}
