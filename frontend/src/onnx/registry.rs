//! The op registry: ONNX op type and opset range to handler, one table per op family
//! (each module under `ops/` exports its `OPS`).

use super::cx::{Cx, Val, R};
use super::ops;

/// Lowers one node: returns its outputs in order (trailing optional outputs may be
/// left out when the node does not use them).
pub(crate) type Handler = fn(&mut Cx) -> R<Vec<Val>>;

/// One registration: `name` for default-domain opsets `since..=until`.
pub(crate) struct Entry {
    /// The ONNX op type.
    pub(crate) name: &'static str,
    /// First opset the handler covers.
    pub(crate) since: i64,
    /// Last opset the handler covers.
    pub(crate) until: i64,
    /// The lowering.
    pub(crate) handler: Handler,
}

/// The newest opset any registration covers (onnx 1.23 defines up to 25; the node
/// tests of onnx 1.23.2 go up to 28).
pub const MAX_OPSET: i64 = 28;

/// A registration of `name` for opsets `since..=until`.
pub(crate) const fn reg(name: &'static str, since: i64, until: i64, handler: Handler) -> Entry {
    Entry { name, since, until, handler }
}

/// A registration of `name` for opsets `since..=`[`MAX_OPSET`].
pub(crate) const fn from(name: &'static str, since: i64, handler: Handler) -> Entry {
    Entry { name, since, until: MAX_OPSET, handler }
}

/// Every family's table.
const FAMILIES: &[&[Entry]] = &[
    ops::elementwise::OPS,
    ops::logical::OPS,
    ops::activation::OPS,
    ops::softmax::OPS,
    ops::reduce::OPS,
    ops::shape::OPS,
    ops::index::OPS,
    ops::pad::OPS,
    ops::source::OPS,
    ops::matmul::OPS,
    ops::conv::OPS,
    ops::pool::OPS,
    ops::norm::OPS,
    ops::resize::OPS,
];

/// The handler of default-domain op `name` at `opset`.
pub(crate) fn lookup(name: &str, opset: i64) -> Option<Handler> {
    FAMILIES
        .iter()
        .flat_map(|f| f.iter())
        .find(|e| e.name == name && e.since <= opset && opset <= e.until)
        .map(|e| e.handler)
}

/// Every supported op type with its opset ranges, sorted by name.
pub fn supported_ops() -> Vec<(&'static str, i64, i64)> {
    let mut v: Vec<_> = FAMILIES.iter().flat_map(|f| f.iter()).map(|e| (e.name, e.since, e.until)).collect();
    v.sort();
    v
}
