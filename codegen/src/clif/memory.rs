//! Loads through index maps and stores of outputs. Every access is unaligned-safe
//! (`notrap`, never `aligned`); inputs are read-only for the kernel's duration.

use super::emit::{scalar_ty, Emitter, Val};
use crate::kernel::{Affine, Load};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use xlac_ir::DType;

/// Flags of input loads.
fn load_flags() -> MemFlagsData {
    MemFlagsData::new().with_notrap().with_readonly()
}

/// Flags of output stores.
fn store_flags() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

impl Emitter<'_, '_> {
    /// The `i64` value of `a` with the current index variables.
    pub(crate) fn affine(&mut self, a: &Affine) -> Value {
        let mut acc: Option<Value> = None;
        for &(v, c) in &a.terms {
            let x = self.var(v);
            let t = if c == 1 { x } else { self.fb.ins().imul_imm_s(x, c) };
            acc = Some(match acc {
                None => t,
                Some(s) => self.fb.ins().iadd(s, t),
            });
        }
        match acc {
            None => self.iconst(types::I64, a.offset),
            Some(s) if a.offset == 0 => s,
            Some(s) => self.fb.ins().iadd_imm_s(s, a.offset),
        }
    }

    /// The address of output `j`'s element at the current index variables (outputs are
    /// dense, row-major over the domain).
    pub(crate) fn output_addr(&mut self, j: usize) -> Value {
        let idx = self.affine(&self.k.row_major_index());
        let base = self.ptrs[self.k.inputs.len() + j];
        self.element_addr(base, idx, self.k.outputs[j].dtype.size_bytes())
    }

    /// The address `base + index · size`.
    pub(crate) fn element_addr(&mut self, base: Value, index: Value, size: usize) -> Value {
        let bytes = if size == 1 { index } else { self.fb.ins().imul_imm_s(index, size as i64) };
        self.fb.ins().iadd(base, bytes)
    }

    /// The address `l` reads with the current index variables, and for a guarded load
    /// the `I8` condition that its indices are in range (the address is then clamped to
    /// the input's first element when they are not).
    fn load_addr(&mut self, l: &Load, d: DType) -> (Value, Option<Value>) {
        let base = self.ptrs[l.input];
        if let (None, Some(lin)) = (l.otherwise, l.linear()) {
            let off = self.affine(&lin);
            return (self.element_addr(base, off, d.size_bytes()), None);
        }
        let mut guard: Option<Value> = None;
        let mut linear: Option<Value> = None;
        let mut stride = 1i64;
        for (dim, ix) in l.index.iter().enumerate().rev() {
            let a = self.affine(&ix.affine);
            let mut ok = Vec::new();
            let q = if ix.div == 1 {
                a
            } else {
                let r = self.fb.ins().srem_imm_s(a, ix.div);
                ok.push(self.fb.ins().icmp_imm_s(IntCC::Equal, r, 0));
                self.fb.ins().sdiv_imm_s(a, ix.div)
            };
            ok.push(self.fb.ins().icmp_imm_s(IntCC::UnsignedLessThan, q, l.view[dim] as i64));
            for c in ok {
                guard = Some(match guard {
                    None => c,
                    Some(g) => self.fb.ins().band(g, c),
                });
            }
            let t = if stride == 1 { q } else { self.fb.ins().imul_imm_s(q, stride) };
            linear = Some(match linear {
                None => t,
                Some(s) => self.fb.ins().iadd(s, t),
            });
            stride *= l.view[dim] as i64;
        }
        let linear = match linear {
            Some(x) => x,
            None => self.iconst(types::I64, 0),
        };
        let guard = l.otherwise.and(guard);
        let index = match guard {
            Some(g) => {
                let zero = self.iconst(types::I64, 0);
                self.fb.ins().select(g, linear, zero)
            }
            None => linear,
        };
        (self.element_addr(base, index, d.size_bytes()), guard)
    }

    /// `l` for one lane (or a uniform load): a scalar, the fallback where guarded out.
    fn load_scalar(&mut self, l: &Load, d: DType, otherwise: Option<Value>) -> Value {
        let (addr, guard) = self.load_addr(l, d);
        let x = self.fb.ins().load(scalar_ty(d), load_flags(), addr, 0);
        match (guard, otherwise) {
            (Some(g), Some(o)) => self.fb.ins().select(g, x, o),
            _ => x,
        }
    }

    /// The value of load `l` of type `d` in the current loop body.
    pub(crate) fn load(&mut self, l: &Load, d: DType) -> Val {
        let otherwise = l.otherwise.map(|o| self.emit(o));
        let mode = match self.vec {
            Some(m) if l.index.iter().any(|ix| ix.affine.coef(m.var) != 0) => m,
            Some(m) if matches!(otherwise, Some(Val::V(_))) => m,
            _ => {
                let o = otherwise.map(|o| match o {
                    Val::S(x) => x,
                    Val::V(_) => unreachable!("a vector fallback makes the load vector"),
                });
                return Val::S(self.load_scalar(l, d, o));
            }
        };
        let contiguous = l.otherwise.is_none() && l.linear().is_some_and(|a| a.coef(mode.var) == 1);
        if contiguous && d != DType::Bool {
            let (addr, _) = self.load_addr(l, d);
            let ty = self.vec_ty(d);
            return Val::V(self.fb.ins().load(ty, load_flags(), addr, 0));
        }
        let other_lanes = otherwise.map(|o| self.lanes_of(o, d));
        let base = self.var(mode.var);
        let mut lanes = Vec::with_capacity(mode.lanes as usize);
        for j in 0..mode.lanes as usize {
            self.vars[mode.var as usize] = Some(if j == 0 { base } else { self.fb.ins().iadd_imm_s(base, j as i64) });
            let o = other_lanes.as_ref().map(|o| o[j]);
            lanes.push(self.load_scalar(l, d, o));
        }
        self.vars[mode.var as usize] = Some(base);
        Val::V(self.build_vec(&lanes, d))
    }

    /// Stores every output at the current domain point (lane 0 of a vector at the
    /// current value of the vectorized variable).
    pub(crate) fn store_outputs(&mut self) {
        let k = self.k;
        // Every output's value first, then the stores: an output written in place of an
        // input must not overwrite an element another output still reads.
        let values: Vec<Val> = k.outputs.iter().map(|out| self.emit(out.expr)).collect();
        for ((j, out), v) in k.outputs.iter().enumerate().zip(values) {
            let addr = self.output_addr(j);
            match (self.vec, out.dtype) {
                (None, _) => {
                    let Val::S(x) = v else { unreachable!("scalar body") };
                    self.fb.ins().store(store_flags(), x, addr, 0);
                }
                (Some(_), DType::Bool) => {
                    for (lane, x) in self.lanes_of(v, DType::Bool).into_iter().enumerate() {
                        self.fb.ins().store(store_flags(), x, addr, lane as i32);
                    }
                }
                (Some(_), d) => {
                    let x = self.splat_val(v, d);
                    self.fb.ins().store(store_flags(), x, addr, 0);
                }
            }
        }
    }
}
