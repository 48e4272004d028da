//! The SSA tensor IR of xlac.
//!
//! A [`Module`] holds [`Function`]s; a function is a list of [`Op`]s in topological order
//! over SSA [`Value`]s, each with a static [`TensorType`]. Every op kind is declared
//! once, as data, in the op table ([`ops`]); the printer, the parser, the verifier and
//! the interpreter all read that table.
//!
//! This crate does no I/O: parsing lives in `xlac-frontend`, execution in `xlac-interp`.

mod attrs;
mod dtype;
mod module;
pub mod ops;
mod printer;
mod reference;
mod tensor;
mod types;
mod verify;

pub use attrs::{AttrKind, AttrSpec, AttrValue, Attrs, Literal};
pub use dtype::DType;
pub use module::{Function, FunctionBuilder, Module, Op, OpId, Value, ValueData};
pub use ops::{Arity, OpInfo, OpKind};
pub use printer::{format_element, format_tensor_literal, print_function, print_module};
pub use reference::op_reference_markdown;
pub use tensor::{Tensor, TensorData};
pub use types::{for_each_index, reshape_groups, Shape, TensorType};
pub use verify::{verify_module, InferCx, Location, VerifyError};
