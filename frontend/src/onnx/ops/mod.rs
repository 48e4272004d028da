//! ONNX op handlers, one family per module; each module's `OPS` table registers its
//! handlers by op type and opset range.

pub(crate) mod activation;
pub(crate) mod conv;
pub(crate) mod elementwise;
pub(crate) mod index;
pub(crate) mod logical;
pub(crate) mod matmul;
pub(crate) mod norm;
pub(crate) mod pad;
pub(crate) mod pool;
pub(crate) mod reduce;
pub(crate) mod resize;
pub(crate) mod shape;
pub(crate) mod softmax;
pub(crate) mod source;
