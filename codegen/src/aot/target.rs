//! The ISA an object is compiled for: the host's (with its CPU features, as the JIT) or
//! a named triple's baseline (`aarch64-unknown-linux-gnu`: NEON, 128-bit vectors).

use crate::CodegenError;
use cranelift_codegen::isa::{self, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};

/// A configured target.
pub struct Target {
    /// The ISA (position-independent code, `opt_level=speed`).
    pub isa: OwnedTargetIsa,
    /// Whether kernels may use fused multiply-add.
    pub fma: bool,
    /// Whether kernels may call the runtime's 8-lane array math (x86_64 with AVX2, FMA).
    pub array_calls: bool,
}

/// The host's target triple.
pub fn host_triple() -> Result<String, CodegenError> {
    Ok(cranelift_native::builder().map_err(|e| CodegenError::Target(e.to_string()))?.triple().to_string())
}

impl Target {
    /// The target for `triple` (`None`: the host with its CPU features).
    pub fn new(triple: Option<&str>) -> Result<Target, CodegenError> {
        let err = |e: String| CodegenError::Target(e);
        let builder = match triple {
            None => cranelift_native::builder().map_err(|e| err(e.to_string()))?,
            Some(t) => isa::lookup_by_name(t).map_err(|e| err(format!("{t}: {e}")))?,
        };
        let mut flags = settings::builder();
        for (k, v) in [("opt_level", "speed"), ("is_pic", "true"), ("use_colocated_libcalls", "false")] {
            flags.set(k, v).map_err(|e| err(e.to_string()))?;
        }
        let isa = builder.finish(settings::Flags::new(flags)).map_err(|e| err(e.to_string()))?;
        if isa.pointer_bytes() != 8 || isa.endianness() != cranelift_codegen::ir::Endianness::Little {
            return Err(err(format!("{}: only 64-bit little-endian targets are supported", isa.triple())));
        }
        let fma = match isa.triple().architecture {
            target_arch if target_arch.to_string().starts_with("aarch64") => true,
            _ => isa.isa_flags().iter().any(|v| v.name == "has_fma" && v.as_bool() == Some(true)),
        };
        let array_calls = crate::jit::array_calls(&isa);
        Ok(Target { isa, fma, array_calls })
    }
}
