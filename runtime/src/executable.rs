//! [`Executable`]: a loaded [`Program`] with its constants, arenas and thread pool;
//! checks every call's arguments and runs the steps.

use std::any::Any;
use std::sync::{Arc, Mutex};

use crate::aligned::AlignedBytes;
use crate::arena::Arena;
use crate::error::{ProgramError, RunError, Side};
use crate::pool::ThreadPool;
use crate::program::{BufferKind, Program, TensorSpec};
use crate::tensor::{HostTensor, TensorMut, TensorRef};
use crate::{exec, validate};

/// A program ready to run. `run` may be called from several threads at once (each call
/// takes an arena of its own; one is kept per concurrent caller and reused).
pub struct Executable {
    program: Program,
    /// 64-byte-aligned copy of each `BufferKind::Const` buffer, by buffer id.
    consts: Vec<Option<AlignedBytes>>,
    pool: Arc<ThreadPool>,
    arenas: Mutex<Vec<Arena>>,
    _keepalive: Box<dyn Any + Send + Sync>,
}

impl Executable {
    /// Loads `program`; `keepalive` owns whatever keeps its code pointers valid (the
    /// JIT module). Uses the process-wide [`ThreadPool::global`].
    ///
    /// # Panics
    /// If the program is invalid (a compiler bug); see [`Executable::try_new`].
    pub fn new(program: Program, keepalive: Box<dyn Any + Send + Sync>) -> Executable {
        Executable::try_new(program, keepalive).unwrap_or_else(|e| panic!("invalid program: {e}"))
    }

    /// Loads `program` after checking that running it stays inside its buffers: buffer
    /// ids, sizes against the tensor specs, temps inside the arena, library calls inside
    /// their operands. Allocates the arena (pages touched) and copies the constants.
    pub fn try_new(program: Program, keepalive: Box<dyn Any + Send + Sync>) -> Result<Executable, ProgramError> {
        Executable::try_new_with_pool(program, keepalive, ThreadPool::global())
    }

    /// [`Executable::try_new`] running on `pool` (which may be shared with other
    /// executables) instead of the global pool; the arena is made once, for `pool`.
    pub fn try_new_with_pool(
        program: Program,
        keepalive: Box<dyn Any + Send + Sync>,
        pool: Arc<ThreadPool>,
    ) -> Result<Executable, ProgramError> {
        validate::validate(&program)?;
        let consts = program
            .buffers
            .iter()
            .map(|b| match &b.kind {
                BufferKind::Const(data) => Some(AlignedBytes::from_slice(data)),
                _ => None,
            })
            .collect();
        let arenas = Mutex::new(vec![Arena::new(&program, pool.threads())]);
        Ok(Executable { program, consts, pool, arenas, _keepalive: keepalive })
    }

    /// The program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Threads a call uses (the caller included).
    pub fn threads(&self) -> usize {
        self.pool.threads()
    }

    /// Runs on a private pool of `threads` threads (1: the calling thread only).
    pub fn set_threads(&mut self, threads: usize) {
        self.set_pool(Arc::new(ThreadPool::new(threads)));
    }

    /// Runs on `pool` (which may be shared with other executables).
    pub fn set_pool(&mut self, pool: Arc<ThreadPool>) {
        self.pool = pool;
        let arenas = self.arenas.get_mut().unwrap_or_else(|e| e.into_inner());
        *arenas = vec![Arena::new(&self.program, self.pool.threads())];
    }

    /// Runs the program on `inputs` and returns newly allocated outputs.
    pub fn run(&self, inputs: &[TensorRef]) -> Result<Vec<HostTensor>, RunError> {
        check_count(Side::Input, self.program.inputs.len(), inputs.len())?;
        for (i, (spec, t)) in self.program.inputs.iter().zip(inputs).enumerate() {
            check_tensor(Side::Input, i, spec, t.elem, t.dims, t.bytes.len())?;
        }
        let mut outs: Vec<HostTensor> =
            self.program.outputs.iter().map(|s| HostTensor::zeros(s.elem, &s.dims)).collect();
        let mut views: Vec<TensorMut> = outs.iter_mut().map(HostTensor::as_mut).collect();
        self.execute(inputs, &mut views);
        Ok(outs)
    }

    /// Runs the program on `inputs`, writing into the caller's `outputs`. Allocates
    /// nothing in the steady state.
    pub fn run_into(&self, inputs: &[TensorRef], outputs: &mut [TensorMut]) -> Result<(), RunError> {
        self.check_args(inputs, outputs)?;
        self.execute(inputs, outputs);
        Ok(())
    }

    /// Runs the program as [`Executable::run_into`] does and returns the wall time of
    /// each step, in program order (for profiles: `xlac bench --per-kernel`).
    pub fn run_timed(
        &self,
        inputs: &[TensorRef],
        outputs: &mut [TensorMut],
    ) -> Result<Vec<std::time::Duration>, RunError> {
        self.check_args(inputs, outputs)?;
        let mut times = Vec::with_capacity(self.program.steps.len());
        self.execute_with(inputs, outputs, Some(&mut times));
        Ok(times)
    }

    /// Checks the count, element type, shape and byte length of every input and output.
    fn check_args(&self, inputs: &[TensorRef], outputs: &[TensorMut]) -> Result<(), RunError> {
        check_count(Side::Input, self.program.inputs.len(), inputs.len())?;
        check_count(Side::Output, self.program.outputs.len(), outputs.len())?;
        for (i, (spec, t)) in self.program.inputs.iter().zip(inputs).enumerate() {
            check_tensor(Side::Input, i, spec, t.elem, t.dims, t.bytes.len())?;
        }
        for (i, (spec, t)) in self.program.outputs.iter().zip(outputs.iter()).enumerate() {
            check_tensor(Side::Output, i, spec, t.elem, t.dims, t.bytes.len())?;
        }
        Ok(())
    }

    /// Runs with checked arguments on an arena of our own.
    fn execute(&self, inputs: &[TensorRef], outputs: &mut [TensorMut]) {
        self.execute_with(inputs, outputs, None);
    }

    /// Runs with checked arguments on an arena of our own, timing each step into `times`.
    fn execute_with(
        &self,
        inputs: &[TensorRef],
        outputs: &mut [TensorMut],
        times: Option<&mut Vec<std::time::Duration>>,
    ) {
        let taken = self.arenas.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut arena = taken.unwrap_or_else(|| Arena::new(&self.program, self.pool.threads()));
        let cx = exec::Context { program: &self.program, consts: &self.consts, pool: &self.pool };
        // SAFETY: the program was validated at load and the arguments checked against
        // its specs; the arena was made for this program and this pool.
        unsafe {
            match times {
                Some(t) => exec::run_timed(&cx, &mut arena, inputs, outputs, t),
                None => exec::run(&cx, &mut arena, inputs, outputs),
            }
        };
        self.arenas.lock().unwrap_or_else(|e| e.into_inner()).push(arena);
    }
}

fn check_count(side: Side, expected: usize, found: usize) -> Result<(), RunError> {
    if expected != found {
        return Err(RunError::Count { side, expected, found });
    }
    Ok(())
}

fn check_tensor(
    side: Side,
    index: usize,
    spec: &TensorSpec,
    elem: crate::program::ElemType,
    dims: &[usize],
    len: usize,
) -> Result<(), RunError> {
    let name = || spec.name.clone();
    if elem != spec.elem {
        return Err(RunError::Dtype { side, index, name: name(), expected: spec.elem, found: elem });
    }
    if dims != spec.dims {
        return Err(RunError::Shape { side, index, name: name(), expected: spec.dims.clone(), found: dims.to_vec() });
    }
    if len != spec.size_bytes() {
        return Err(RunError::ByteLength { side, index, name: name(), expected: spec.size_bytes(), found: len });
    }
    Ok(())
}

impl std::fmt::Debug for Executable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executable")
            .field("inputs", &self.program.inputs)
            .field("outputs", &self.program.outputs)
            .field("steps", &self.program.steps.len())
            .field("arena_bytes", &self.program.arena_bytes)
            .field("threads", &self.threads())
            .finish()
    }
}
