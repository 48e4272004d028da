//! Ahead-of-time compilation: the kernels of a [`Lowered`] program, defined by the same
//! [`define_kernel`] as the JIT's but in a `cranelift_object::ObjectModule`, plus one
//! generated entry function that runs the steps in order, written to an object file
//! and described by a C header.
//!
//! The object's only global symbol is `<name>_run` (C calling convention):
//!
//! ```c
//! int <name>_run(const void *const *inputs, void *const *outputs, void *scratch, int threads);
//! ```
//!
//! Temporaries live in the caller's `scratch` (the arena, then the convolution
//! scratch); constants and library-call descriptions are read-only data in the object;
//! kernels run through `xlac_rt_parallel_for` and library kernels through the other
//! `xlac_rt_*` functions of the runtime's static library (`xlac_runtime::capi`).
//! The same program compiled twice gives the same bytes.

mod data;
mod entry;
mod header;
mod target;

use crate::clif::{define_kernel, ClifOptions};
use crate::lower::{Lowered, LoweredStep};
use crate::CodegenError;
use cranelift_object::{ObjectBuilder, ObjectModule};
use xlac_runtime::kernels;
use xlac_runtime::program::BufferKind;
use xlac_runtime::ALIGN;

pub use header::header;
pub use target::{host_triple, Target};

/// What to compile and how to name it.
#[derive(Clone, Debug)]
pub struct AotOptions {
    /// The model name: a C identifier that prefixes every symbol and header macro.
    pub name: String,
    /// Target triple (`aarch64-unknown-linux-gnu`, ...); `None`: the host, with the
    /// host CPU's features (as the JIT).
    pub target: Option<String>,
    /// Keep constants out of the object: they go to [`AotArtifacts::weights`], a blob
    /// the caller loads and passes to the entry function.
    pub weights_file: bool,
}

/// Where the entry function puts its temporaries in the caller's scratch buffer.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ScratchLayout {
    /// Bytes of the temporaries' arena, at offset 0.
    pub arena_bytes: usize,
    /// Offset of the convolution scratch (64-byte aligned).
    pub conv_offset: usize,
    /// Bytes of convolution scratch (for one thread; more threads make the runtime use
    /// a buffer of its own).
    pub conv_bytes: usize,
}

impl ScratchLayout {
    /// The layout for `p`.
    pub fn of(p: &Lowered) -> ScratchLayout {
        let conv_bytes = p
            .steps
            .iter()
            .map(|s| match s {
                LoweredStep::Library(c) => kernels::scratch_bytes(c, 1),
                LoweredStep::Fused { call, .. } => kernels::scratch_bytes(call, 1),
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        let conv_offset = p.arena_bytes.next_multiple_of(ALIGN);
        ScratchLayout { arena_bytes: p.arena_bytes, conv_offset, conv_bytes }
    }

    /// Bytes the caller's scratch buffer must hold.
    pub fn total(&self) -> usize {
        if self.conv_bytes == 0 {
            self.arena_bytes
        } else {
            self.conv_offset + self.conv_bytes
        }
    }
}

/// A compiled object and its header.
#[derive(Clone, Debug)]
pub struct AotArtifacts {
    /// The relocatable object file (ELF for Linux targets).
    pub object: Vec<u8>,
    /// The C header.
    pub header: String,
    /// The target triple compiled for.
    pub triple: String,
    /// The scratch layout the entry function expects.
    pub scratch: ScratchLayout,
    /// The weights blob (every constant at a 64-byte-aligned offset), with
    /// [`AotOptions::weights_file`].
    pub weights: Option<Vec<u8>>,
}

/// The weights blob of `p`: every non-empty constant buffer at a 64-byte-aligned
/// offset, and that offset by buffer id.
pub fn weights_blob(p: &Lowered) -> (Vec<u8>, Vec<Option<usize>>) {
    let mut blob = Vec::new();
    let offsets = p
        .buffers
        .iter()
        .map(|b| match &b.kind {
            BufferKind::Const(bytes) if b.size_bytes > 0 => {
                blob.resize(blob.len().next_multiple_of(ALIGN), 0);
                blob.extend_from_slice(bytes);
                Some(blob.len() - bytes.len())
            }
            _ => None,
        })
        .collect();
    (blob, offsets)
}

/// Whether `name` is a C identifier (and so usable as a symbol prefix).
pub fn is_c_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `s` with every character that cannot appear in a C identifier replaced by `_` (and
/// a `_` in front of a leading digit): a default model name from a file stem.
pub fn c_identifier(s: &str) -> String {
    let mut out: String = s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// Compiles `p` to an object file and a header.
pub fn compile_object(p: &Lowered, opts: &AotOptions) -> Result<AotArtifacts, CodegenError> {
    if !is_c_identifier(&opts.name) {
        return Err(CodegenError::Invalid(format!("model name `{}` is not a C identifier", opts.name)));
    }
    let target = Target::new(opts.target.as_deref())?;
    let triple = target.isa.triple().to_string();
    let copts = ClifOptions { fma: target.fma, emit_clif: false, array_calls: target.array_calls };
    let builder = ObjectBuilder::new(target.isa, opts.name.as_bytes(), cranelift_module::default_libcall_names())
        .map_err(|e| CodegenError::Target(e.to_string()))?;
    let mut module = ObjectModule::new(builder);
    let mut kernels = Vec::new();
    for (i, step) in p.steps.iter().enumerate() {
        if let LoweredStep::Kernel { kernel, .. } | LoweredStep::Fused { kernel, .. } = step {
            let symbol = format!("{}_k{i}_{}", opts.name, c_identifier(&kernel.name));
            kernels.push(define_kernel(&mut module, kernel, &symbol, copts)?.func);
        }
    }
    let scratch = ScratchLayout::of(p);
    let (blob, offsets) = weights_blob(p);
    let external = opts.weights_file.then_some(offsets);
    entry::define_entry(&mut module, p, &opts.name, &kernels, scratch, external)?;
    let object = module.finish().emit().map_err(|e| CodegenError::Target(format!("writing the object: {e}")))?;
    let weights = opts.weights_file.then_some(blob);
    let header = header(p, &opts.name, &triple, scratch, weights.as_ref().map(Vec::len));
    Ok(AotArtifacts { object, header, triple, scratch, weights })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(is_c_identifier("mlp_2"));
        assert!(!is_c_identifier("2mlp") && !is_c_identifier("a-b") && !is_c_identifier(""));
        assert_eq!(c_identifier("my-model.v2"), "my_model_v2");
        assert_eq!(c_identifier("3x"), "_3x");
    }
}
