//! The importer's error type.

use std::fmt;

/// Why a model could not be imported. The message names the node (and op type)
/// where that applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// What is wrong, in one or more sentences.
    pub message: String,
    /// Graph inputs that would have to be constants for the import to succeed (they
    /// feed a shape, an axis list or another value that must be known statically).
    /// Bind them with [`super::ImportOptions::constant_inputs`].
    pub needs_constant: Vec<String>,
}

impl ImportError {
    /// An error with a message only.
    pub fn new(message: impl Into<String>) -> ImportError {
        ImportError { message: message.into(), needs_constant: Vec::new() }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ImportError {}
