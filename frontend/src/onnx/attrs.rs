//! Reading a node's attributes.

use super::cx::{Cx, R};
use super::proto::AttributeProto;
use super::tensor::tensor_from_proto;
use xlac_ir::Tensor;

impl Cx<'_> {
    /// Attribute `name`, if the node has it.
    pub(crate) fn attr(&self, name: &str) -> Option<&AttributeProto> {
        self.node.attribute.iter().find(|a| a.name() == name)
    }

    /// Integer attribute `name`, or `default`.
    pub(crate) fn int(&self, name: &str, default: i64) -> i64 {
        self.attr(name).and_then(|a| a.i).unwrap_or(default)
    }

    /// Float attribute `name`, or `default`.
    pub(crate) fn float(&self, name: &str, default: f32) -> f32 {
        self.attr(name).and_then(|a| a.f).unwrap_or(default)
    }

    /// Integer-list attribute `name`, if present.
    pub(crate) fn ints(&self, name: &str) -> Option<Vec<i64>> {
        self.attr(name).map(|a| a.ints.clone())
    }

    /// Float-list attribute `name`, if present.
    pub(crate) fn floats(&self, name: &str) -> Option<Vec<f32>> {
        self.attr(name).map(|a| a.floats.clone())
    }

    /// String attribute `name`, or `default`.
    pub(crate) fn string(&self, name: &str, default: &str) -> String {
        self.attr(name)
            .and_then(|a| a.s.as_ref())
            .map_or_else(|| default.to_string(), |s| String::from_utf8_lossy(s).into_owned())
    }

    /// Tensor attribute `name`, if present.
    pub(crate) fn tensor_attr(&self, name: &str) -> R<Option<Tensor>> {
        match self.attr(name).and_then(|a| a.t.as_ref()) {
            Some(t) => tensor_from_proto(t, None).map(Some),
            None => Ok(None),
        }
    }
}

/// Normalizes a possibly negative `axis` for `rank` dims.
pub(crate) fn norm_axis(axis: i64, rank: usize) -> R<usize> {
    let r = rank as i64;
    if axis < -r || axis >= r {
        return Err(format!("axis {axis} is out of range for rank {rank}"));
    }
    Ok(if axis < 0 { (axis + r) as usize } else { axis as usize })
}

/// Normalizes a list of axes.
pub(crate) fn norm_axes(axes: &[i64], rank: usize) -> R<Vec<usize>> {
    axes.iter().map(|&a| norm_axis(a, rank)).collect()
}
