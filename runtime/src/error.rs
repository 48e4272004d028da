//! Errors: [`RunError`] for a call with bad arguments, [`ProgramError`] for a program
//! that breaks the compiler-runtime contract.

use crate::program::{BufferId, ElemType};

/// Which side of a call an argument is on.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Side {
    /// A program input.
    Input,
    /// A program output.
    Output,
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Side::Input => "input",
            Side::Output => "output",
        })
    }
}

/// A call's arguments do not match the program.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// Wrong number of inputs or outputs.
    #[error("expected {expected} {side}s, found {found}")]
    Count {
        /// Inputs or outputs.
        side: Side,
        /// What the program takes.
        expected: usize,
        /// What the call passed.
        found: usize,
    },
    /// Wrong element type.
    #[error("{side} {index} `{name}`: expected dtype {expected:?}, found {found:?}")]
    Dtype {
        /// Inputs or outputs.
        side: Side,
        /// Position.
        index: usize,
        /// `TensorSpec::name`.
        name: String,
        /// What the program takes.
        expected: ElemType,
        /// What the call passed.
        found: ElemType,
    },
    /// Wrong extents.
    #[error("{side} {index} `{name}`: expected shape {expected:?}, found {found:?}")]
    Shape {
        /// Inputs or outputs.
        side: Side,
        /// Position.
        index: usize,
        /// `TensorSpec::name`.
        name: String,
        /// What the program takes.
        expected: Vec<usize>,
        /// What the call passed.
        found: Vec<usize>,
    },
    /// The byte buffer's length is not that of the dtype and shape.
    #[error("{side} {index} `{name}`: expected {expected} bytes, found {found}")]
    ByteLength {
        /// Inputs or outputs.
        side: Side,
        /// Position.
        index: usize,
        /// `TensorSpec::name`.
        name: String,
        /// What the program takes.
        expected: usize,
        /// What the call passed.
        found: usize,
    },
}

/// A [`crate::Program`] that the runtime refuses to run: executing it could touch memory
/// out of bounds. Always a compiler bug.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProgramError {
    /// A step or output copy names a buffer that does not exist.
    #[error("{what}: buffer {id} does not exist ({count} buffers)")]
    NoSuchBuffer {
        /// Where it is named.
        what: String,
        /// The id.
        id: BufferId,
        /// Number of buffers.
        count: usize,
    },
    /// A buffer declaration is inconsistent (size, index, offset or alignment).
    #[error("buffer {id}: {reason}")]
    BadBuffer {
        /// The buffer.
        id: BufferId,
        /// What is wrong.
        reason: String,
    },
    /// A library call's parameters are inconsistent or reach outside its buffers.
    #[error("step {step}: {reason}")]
    BadStep {
        /// Index in `Program::steps`.
        step: usize,
        /// What is wrong.
        reason: String,
    },
    /// An output copy is inconsistent.
    #[error("output copy {index}: {reason}")]
    BadOutputCopy {
        /// Index in `Program::output_copies`.
        index: usize,
        /// What is wrong.
        reason: String,
    },
}
