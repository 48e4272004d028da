//! Module-to-module passes: the pass manager, canonicalization, equality saturation,
//! fusion, scheduling and buffer assignment.
//!
//! Empty shell: the optimizer lands with the optimizer issue. The invariant it will keep:
//! every pass leaves a module the verifier accepts and the interpreter agrees with.
