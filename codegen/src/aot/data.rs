//! Read-only data of an AOT object (constants, library-call descriptions) and the
//! runtime functions its entry function imports.

use crate::CodegenError;
use cranelift_codegen::ir::{types, AbiParam, Signature};
use cranelift_module::{DataDescription, DataId, FuncId, Linkage, Module};
use xlac_runtime::capi::{XlacConv, XlacGather, XlacGemm, XlacPool};
use xlac_runtime::program::LibraryCall;

pub(super) fn module_error(what: &str, e: impl std::fmt::Display) -> CodegenError {
    CodegenError::Cranelift { kernel: what.to_string(), message: e.to_string() }
}

/// Defines local read-only data `symbol` holding `bytes`, aligned to `align`.
pub(super) fn define_rodata<M: Module>(
    module: &mut M,
    symbol: &str,
    bytes: &[u8],
    align: u64,
) -> Result<DataId, CodegenError> {
    let id = module.declare_data(symbol, Linkage::Local, false, false).map_err(|e| module_error(symbol, e))?;
    let mut desc = DataDescription::new();
    desc.set_align(align);
    desc.define(bytes.into());
    module.define_data(id, &desc).map_err(|e| module_error(symbol, e))?;
    Ok(id)
}

/// The C description of a library call, as little-endian bytes, or why it has none.
pub(super) fn call_bytes(call: &LibraryCall) -> Result<Vec<u8>, CodegenError> {
    let too_big = || CodegenError::Unsupported("a convolution or pooling of rank above 8 in an AOT object".into());
    let words: Vec<u64> = match call {
        LibraryCall::Gemm(c) => XlacGemm::from_call(c).words().to_vec(),
        LibraryCall::Conv(c) => XlacConv::from_call(c).ok_or_else(too_big)?.words().to_vec(),
        LibraryCall::Pool(c) => XlacPool::from_call(c).ok_or_else(too_big)?.words().to_vec(),
        LibraryCall::Gather(c) => XlacGather::from_call(c).words().to_vec(),
    };
    Ok(words.iter().flat_map(|w| w.to_le_bytes()).collect())
}

/// A runtime function of the C ABI (`xlac_runtime::capi`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum RtFn {
    ParallelFor,
    Gemm,
    Conv,
    Pool,
    Gather,
    GemmFused,
    ConvFused,
}

impl RtFn {
    /// The runtime function that runs `call`.
    pub(super) fn of(call: &LibraryCall) -> RtFn {
        match call {
            LibraryCall::Gemm(_) => RtFn::Gemm,
            LibraryCall::Conv(_) => RtFn::Conv,
            LibraryCall::Pool(_) => RtFn::Pool,
            LibraryCall::Gather(_) => RtFn::Gather,
        }
    }

    /// The runtime function that runs `call` with an epilogue kernel, if there is one.
    pub(super) fn fused(call: &LibraryCall) -> Option<RtFn> {
        match call {
            LibraryCall::Gemm(_) => Some(RtFn::GemmFused),
            LibraryCall::Conv(_) => Some(RtFn::ConvFused),
            LibraryCall::Pool(_) | LibraryCall::Gather(_) => None,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            RtFn::ParallelFor => "xlac_rt_parallel_for",
            RtFn::Gemm => "xlac_rt_gemm",
            RtFn::Conv => "xlac_rt_conv",
            RtFn::Pool => "xlac_rt_pool",
            RtFn::Gather => "xlac_rt_gather",
            RtFn::GemmFused => "xlac_rt_gemm_fused",
            RtFn::ConvFused => "xlac_rt_conv_fused",
        }
    }

    /// Parameters: pointers (`p`), 64-bit sizes (`n`) and the 32-bit thread count (`t`).
    fn params(self) -> &'static str {
        match self {
            RtFn::ParallelFor => "ppnnt",
            RtFn::Gemm | RtFn::Gather => "ppppt",
            RtFn::Conv => "pppppnt",
            RtFn::Pool => "pppt",
            RtFn::GemmFused => "ppppppnt",
            RtFn::ConvFused => "pppppnppnt",
        }
    }

    /// Declares the import in `module`.
    pub(super) fn declare<M: Module>(self, module: &mut M) -> Result<FuncId, CodegenError> {
        let mut sig: Signature = module.make_signature();
        let ptr = module.target_config().pointer_type();
        for c in self.params().chars() {
            sig.params.push(AbiParam::new(match c {
                't' => types::I32,
                'n' => types::I64,
                _ => ptr,
            }));
        }
        module.declare_function(self.symbol(), Linkage::Import, &sig).map_err(|e| module_error(self.symbol(), e))
    }
}
