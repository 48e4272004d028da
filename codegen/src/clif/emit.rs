//! The expression emitter: turns kernel expressions into Cranelift values in the current
//! loop body, scalar or vectorized along one index variable.
//!
//! A value is [`Val::S`] (uniform: one scalar for every lane) or [`Val::V`] (one vector,
//! lane `j` at index `var + j`). Bools are `I8` 0/1 as scalars and all-ones/zero lane
//! masks (`I32X4` / `I64X2`, the width of the kernel's numbers) as vectors.

use super::analysis::{bit, Analysis};
use super::helpers::HelperRefs;
use crate::kernel::{Expr, ExprId, Kernel, VarId};
use cranelift_codegen::ir::{
    types, Endianness, InstBuilder, MemFlagsData, StackSlot, StackSlotData, StackSlotKind, Type, Value,
};
use cranelift_frontend::FunctionBuilder;
use std::collections::HashMap;
use xlac_ir::DType;

/// A value in the current loop body.
#[derive(Copy, Clone, Debug)]
pub(crate) enum Val {
    /// The same scalar in every lane.
    S(Value),
    /// A vector along the vectorized variable.
    V(Value),
}

/// Vectorization of the current loop body along `var` with `lanes` lanes.
#[derive(Copy, Clone, Debug)]
pub(crate) struct VecMode {
    pub var: VarId,
    pub lanes: u8,
}

/// The Cranelift scalar type of `d` (bool is `I8`).
pub(crate) fn scalar_ty(d: DType) -> Type {
    match d {
        DType::F32 => types::F32,
        DType::F64 => types::F64,
        DType::I32 => types::I32,
        DType::I64 => types::I64,
        DType::Bool => types::I8,
    }
}

/// Emits one kernel's function body.
pub(crate) struct Emitter<'a, 'f> {
    pub fb: FunctionBuilder<'f>,
    pub k: &'a Kernel,
    pub an: &'a Analysis,
    /// Base address of every argument (inputs, then outputs).
    pub ptrs: Vec<Value>,
    /// The current `i64` value of every index variable in scope.
    pub vars: Vec<Option<Value>>,
    /// The vectorization of the current loop body, if any.
    pub vec: Option<VecMode>,
    /// Imported helper functions.
    pub helpers: HelperRefs,
    /// Whether the target has FMA (passed to vector math).
    pub fma: bool,
    /// Values kept per row in stack buffers ([`super::rowcache`]) and the buffers.
    pub cache: super::rowcache::RowCache,
    /// The stack slot of each row cache buffer.
    pub cache_slots: Vec<cranelift_codegen::ir::StackSlot>,
    /// Whether hoisted values are also splatted (the innermost loop is vectorized).
    pub presplat: bool,
    /// The innermost loop's blocks for array math ([`super::strip`]), if any.
    pub strip: Option<super::strip::Strip>,
    /// The first index of the block being emitted.
    pub strip_base: Option<Value>,
    /// The call that writes each row instead of the innermost loop
    /// ([`super::rowout`]), if any.
    pub row_out: Option<super::rowout::RowOut>,
    /// Whether kernels may call the runtime's array math (AVX2/FMA target).
    pub array_calls: bool,
    /// Vectors of uniform scalars splatted ahead of the loops using them:
    /// `(scalar, vector type) -> vector`.
    splats: HashMap<(Value, Type), Value>,
    /// The stack slot [`Emitter::pin`] goes through.
    pin_slot: Option<StackSlot>,
    scopes: Vec<HashMap<ExprId, Val>>,
}

impl<'a, 'f> Emitter<'a, 'f> {
    pub(crate) fn new(
        fb: FunctionBuilder<'f>,
        k: &'a Kernel,
        an: &'a Analysis,
        helpers: HelperRefs,
        fma: bool,
    ) -> Self {
        Emitter {
            fb,
            k,
            an,
            ptrs: Vec::new(),
            vars: vec![None; k.num_vars as usize],
            vec: None,
            helpers,
            fma,
            cache: Default::default(),
            cache_slots: Vec::new(),
            presplat: false,
            strip: None,
            strip_base: None,
            row_out: None,
            array_calls: false,
            splats: HashMap::new(),
            pin_slot: None,
            scopes: vec![HashMap::new()],
        }
    }

    /// The instruction builder at the current position.
    pub(crate) fn ins(&mut self) -> cranelift_frontend::FuncInstBuilder<'_, 'f> {
        self.fb.ins()
    }

    /// Gives the function builder back when the body is complete.
    pub(crate) fn into_builder(self) -> FunctionBuilder<'f> {
        self.fb
    }

    /// Opens a scope for values defined inside a loop body (they do not dominate code
    /// after the loop).
    pub(crate) fn push_scope(&mut self) {
        self.scopes.push(HashMap::new());
    }

    /// Closes the innermost scope.
    pub(crate) fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    /// Pins `values` where they are: each goes through a stack slot and is read back as
    /// the same bits in the same type. Cranelift's egraph places a pure instruction at
    /// its first use, and (as seen in its output for our kernels) hoists nothing back out
    /// of our loops, so a loop-invariant value computed before a loop (a row's max, its
    /// `rsqrt`, their splats) is otherwise recomputed in every iteration; a load stays
    /// where it is. The store is of the integer (or float) twin type, so that
    /// store-to-load forwarding does not give the pure value back.
    pub(crate) fn pin(&mut self, values: &[Value]) -> Vec<Value> {
        values
            .iter()
            .map(|&v| {
                let ty = self.fb.func.dfg.value_type(v);
                let twin = match ty {
                    types::F32 => types::I32,
                    types::F64 => types::I64,
                    types::I32 => types::F32,
                    types::I64 => types::F64,
                    types::F32X4 => types::I32X4,
                    types::F64X2 => types::I64X2,
                    types::I32X4 => types::F32X4,
                    types::I64X2 => types::F64X2,
                    _ => return v,
                };
                let slot = *self.pin_slot.get_or_insert_with(|| {
                    let data = StackSlotData::new(StackSlotKind::ExplicitSlot, 16, 4);
                    self.fb.create_sized_stack_slot(data)
                });
                let flags = MemFlagsData::new().with_endianness(Endianness::Little);
                let t = self.fb.ins().bitcast(twin, flags, v);
                self.fb.ins().stack_store(types::I64, t, slot, 0);
                self.fb.ins().stack_load(types::I64, ty, slot, 0)
            })
            .collect()
    }

    /// Pins the scalar value of hoisted node `e` (see [`Emitter::pin`]), and when the
    /// innermost loop is vectorized, its splat too.
    pub(crate) fn pin_hoisted(&mut self, e: ExprId) {
        let Some(Val::S(x)) = self.scopes.last().and_then(|s| s.get(&e)).copied() else { return };
        let dtype = self.k.exprs[e].dtype;
        let vty = match dtype {
            DType::F32 => Some(types::F32X4),
            DType::F64 => Some(types::F64X2),
            DType::I32 => Some(types::I32X4),
            DType::I64 => Some(types::I64X2),
            DType::Bool => None,
        }
        .filter(|_| self.presplat);
        let mut values = vec![x];
        if let Some(ty) = vty {
            values.push(self.fb.ins().splat(ty, x));
        }
        let pinned = self.pin(&values);
        self.scopes.last_mut().expect("a scope").insert(e, Val::S(pinned[0]));
        if let Some(ty) = vty {
            self.splats.insert((pinned[0], ty), pinned[1]);
        }
    }

    /// The vector type of `d` in the current vector mode.
    pub(crate) fn vec_ty(&self, d: DType) -> Type {
        let four = self.vec.map_or(4, |m| m.lanes) == 4;
        match (d, four) {
            (DType::F32, _) => types::F32X4,
            (DType::F64, _) => types::F64X2,
            (DType::I32, _) => types::I32X4,
            (DType::I64, _) => types::I64X2,
            (DType::Bool, true) => types::I32X4,
            (DType::Bool, false) => types::I64X2,
        }
    }

    /// Lane count of the current vector mode.
    pub(crate) fn lanes(&self) -> u8 {
        self.vec.map_or(1, |m| m.lanes)
    }

    /// The current value of index variable `v`.
    pub(crate) fn var(&self, v: VarId) -> Value {
        self.vars[v as usize].expect("index variable in scope")
    }

    /// Whether `e` varies across the lanes of the current vector mode.
    pub(crate) fn is_vector(&self, e: ExprId) -> bool {
        self.vec.is_some_and(|m| self.an.deps[e] & bit(m.var) != 0)
    }

    /// An integer constant of type `ty` (truncated to its width).
    pub(crate) fn iconst(&mut self, ty: Type, x: i64) -> Value {
        let bits = ty.bits();
        let x = if bits < 64 { x & ((1i64 << bits) - 1) } else { x };
        self.fb.ins().iconst(ty, x)
    }

    /// `v` as a vector of `d`'s type: splats a uniform value.
    pub(crate) fn splat_val(&mut self, v: Val, d: DType) -> Value {
        match v {
            Val::V(x) => x,
            Val::S(x) => {
                let ty = self.vec_ty(d);
                if let Some(&v) = self.splats.get(&(x, ty)) {
                    return v;
                }
                let x = if d == DType::Bool {
                    let lane = ty.lane_type();
                    let (ones, zero) = (self.iconst(lane, -1), self.iconst(lane, 0));
                    self.fb.ins().select(x, ones, zero)
                } else {
                    x
                };
                self.fb.ins().splat(ty, x)
            }
        }
    }

    /// The scalar of every lane of `v` (bool lanes as `I8` 0/1).
    pub(crate) fn lanes_of(&mut self, v: Val, d: DType) -> Vec<Value> {
        let n = self.lanes();
        match v {
            Val::S(x) => vec![x; n as usize],
            Val::V(x) => (0..n)
                .map(|j| {
                    let lane = self.fb.ins().extractlane(x, j);
                    if d == DType::Bool {
                        self.fb.ins().icmp_imm_s(cranelift_codegen::ir::condcodes::IntCC::NotEqual, lane, 0)
                    } else {
                        lane
                    }
                })
                .collect(),
        }
    }

    /// A vector of `d` from one scalar per lane (bools as `I8` 0/1).
    pub(crate) fn build_vec(&mut self, lanes: &[Value], d: DType) -> Value {
        let ty = self.vec_ty(d);
        let mut out = None;
        for (j, &x) in lanes.iter().enumerate() {
            let x = if d == DType::Bool {
                let lane = ty.lane_type();
                let (ones, zero) = (self.iconst(lane, -1), self.iconst(lane, 0));
                self.fb.ins().select(x, ones, zero)
            } else {
                x
            };
            out = Some(match out {
                None => self.fb.ins().splat(ty, x),
                Some(v) => self.fb.ins().insertlane(v, x, j as u8),
            });
        }
        out.expect("at least one lane")
    }

    /// The value of expression `e` in the current loop body.
    pub(crate) fn emit(&mut self, e: ExprId) -> Val {
        if let Some(v) = self.scopes.iter().rev().find_map(|s| s.get(&e)) {
            return *v;
        }
        if let Some(v) = self.strip_load(e).or_else(|| self.cache_load(e)) {
            self.scopes.last_mut().expect("a scope").insert(e, v);
            return v;
        }
        let k = self.k;
        let dtype = k.exprs[e].dtype;
        let v = match &k.exprs[e].expr {
            Expr::Const(c) => Val::S(self.scalar_const(*c)),
            Expr::Index(v) => self.index(*v, dtype),
            Expr::Load(l) => self.load(l, dtype),
            Expr::Unary(op, x) => {
                let xv = self.emit(*x);
                self.unary(*op, dtype, xv)
            }
            Expr::Binary(op, a, b) => {
                let (av, bv) = (self.emit(*a), self.emit(*b));
                self.binary(*op, dtype, av, bv)
            }
            Expr::Compare(dir, a, b) => {
                let (av, bv) = (self.emit(*a), self.emit(*b));
                self.compare(*dir, k.exprs[*a].dtype, av, bv)
            }
            Expr::Select(p, t, f) => {
                let (pv, tv, fv) = (self.emit(*p), self.emit(*t), self.emit(*f));
                self.select(dtype, pv, tv, fv)
            }
            Expr::Convert(x) => {
                let xv = self.emit(*x);
                self.convert(k.exprs[*x].dtype, dtype, xv)
            }
            Expr::Reduce { kind, vars, body } => self.reduce(e, *kind, vars, *body, dtype),
        };
        self.cache_store(e, v);
        self.scopes.last_mut().expect("a scope").insert(e, v);
        v
    }

    /// `iota`: the index variable converted to `dtype`.
    fn index(&mut self, v: VarId, dtype: DType) -> Val {
        let x = self.var(v);
        match self.vec.filter(|m| m.var == v) {
            None => Val::S(self.convert_scalar(DType::I64, dtype, x)),
            Some(m) => {
                let lanes: Vec<Value> = (0..m.lanes as i64)
                    .map(|j| {
                        let i = self.fb.ins().iadd_imm_s(x, j);
                        self.convert_scalar(DType::I64, dtype, i)
                    })
                    .collect();
                Val::V(self.build_vec(&lanes, dtype))
            }
        }
    }
}
