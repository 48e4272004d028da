//! `schedule`: reorders the ops of the entry function, keeping every operand defined
//! before its use, to lower the peak of live temporary bytes the arena must hold.
//!
//! The model is the arena's (`codegen/src/lower/arena.rs`, without its in-place
//! reuse): a value lives from the op defining it to its last user, both included;
//! parameters and returned values live outside the arena, and constants take no arena
//! space (dense ones are read-only buffers, splats are inlined). A greedy list
//! scheduler picks, among the ready ops, the one that frees the most bytes (operands it
//! is the last user of) minus the bytes it allocates, earlier source order breaking
//! ties; a second one does the same from the end (an op is ready when all its users
//! are placed), which places producers right before their first use. The better of the
//! two is kept only when its peak is lower than the source order's.

use crate::rewrite::definitions;
use cranelift_entity::EntityRef;
use std::collections::BTreeSet;
use xlac_ir::{Function, Module, OpKind};

use crate::{Pass, PassCx, PassError};

/// The scheduling pass. See the module documentation.
#[derive(Debug, Default)]
pub struct Schedule;

impl Pass for Schedule {
    fn name(&self) -> &'static str {
        "schedule"
    }

    fn run(&mut self, m: &mut Module, cx: &mut PassCx) -> Result<bool, PassError> {
        let Some(entry) = m.entry().map(|f| f.name.clone()) else { return Ok(false) };
        let f = m.functions.iter_mut().find(|f| f.name == entry).expect("the entry exists");
        let live = Liveness::new(f);
        let source: Vec<usize> = (0..f.ops.len()).collect();
        let before = live.peak(&source);
        let (forward, backward) = (live.greedy(), live.greedy_from_the_end());
        let (after, order) =
            [forward, backward].into_iter().map(|o| (live.peak(&o), o)).min_by_key(|c| c.0).expect("two");
        if after >= before {
            cx.note(format!("peak {before} bytes, source order kept"));
            return Ok(false);
        }
        cx.note(format!("peak {before} -> {after} bytes"));
        let mut ops: Vec<Option<xlac_ir::Op>> = std::mem::take(&mut f.ops).into_iter().map(Some).collect();
        f.ops = order.iter().map(|&i| ops[i].take().expect("a permutation")).collect();
        Ok(true)
    }
}

/// The uses and arena sizes of the values of one function.
struct Liveness {
    /// Per op: the distinct values it reads that an op defines.
    operands: Vec<Vec<usize>>,
    /// Per op: its results.
    results: Vec<Vec<usize>>,
    /// Per value: the ops reading it, once each.
    users: Vec<Vec<usize>>,
    /// Per value: the arena bytes it takes (0 for parameters, returned values and
    /// constants).
    bytes: Vec<u64>,
}

impl Liveness {
    fn new(f: &Function) -> Liveness {
        let defs = definitions(f);
        let n_values = f.values.len();
        let mut bytes = vec![0u64; n_values];
        let mut results = Vec::with_capacity(f.ops.len());
        for op in &f.ops {
            for &r in &op.results {
                if op.kind != OpKind::Constant {
                    bytes[r.index()] = f.ty(r).size_bytes() as u64;
                }
            }
            results.push(op.results.iter().map(|r| r.index()).collect());
        }
        for v in &f.ret {
            bytes[v.index()] = 0;
        }
        let mut users = vec![Vec::new(); n_values];
        let mut operands = Vec::with_capacity(f.ops.len());
        for (i, op) in f.ops.iter().enumerate() {
            let mut mine: Vec<usize> = Vec::new();
            for v in &op.operands {
                if defs[v.index()].is_some() && !mine.contains(&v.index()) {
                    mine.push(v.index());
                    users[v.index()].push(i);
                }
            }
            operands.push(mine);
        }
        Liveness { operands, results, users, bytes }
    }

    /// The most bytes live at once when the ops run in `order`.
    fn peak(&self, order: &[usize]) -> u64 {
        let mut position = vec![0; self.operands.len()];
        for (p, &i) in order.iter().enumerate() {
            position[i] = p;
        }
        // Bytes that become live at each step, and bytes that die after it.
        let mut born = vec![0u64; order.len()];
        let mut dies = vec![0u64; order.len()];
        for (i, results) in self.results.iter().enumerate() {
            for &v in results {
                let last = self.users[v].iter().map(|&u| position[u]).max().unwrap_or(position[i]);
                born[position[i]] += self.bytes[v];
                dies[last] += self.bytes[v];
            }
        }
        let (mut live, mut peak) = (0u64, 0u64);
        for step in 0..order.len() {
            live += born[step];
            peak = peak.max(live);
            live -= dies[step];
        }
        peak
    }

    /// A topological order chosen greedily: the ready op freeing the most bytes net of
    /// what it allocates, the first in source order among equals.
    fn greedy(&self) -> Vec<usize> {
        let n = self.operands.len();
        let mut waiting: Vec<usize> = self.operands.iter().map(Vec::len).collect();
        let mut remaining: Vec<usize> = self.users.iter().map(Vec::len).collect();
        let mut ready: BTreeSet<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(best) = ready.iter().copied().max_by_key(|&i| (self.gain(i, &remaining), std::cmp::Reverse(i))) {
            ready.remove(&best);
            order.push(best);
            for &v in &self.operands[best] {
                remaining[v] -= 1;
            }
            for &v in &self.results[best] {
                for &u in &self.users[v] {
                    waiting[u] -= 1;
                    if waiting[u] == 0 {
                        ready.insert(u);
                    }
                }
            }
        }
        debug_assert_eq!(order.len(), n, "a verified function has no cycles");
        order
    }

    /// A topological order chosen greedily from the last op: the op whose users are all
    /// placed that ends the most bytes' lives (its results) net of the lives it starts
    /// (operands no placed op reads), the last in source order among equals.
    fn greedy_from_the_end(&self) -> Vec<usize> {
        let n = self.operands.len();
        let mut waiting: Vec<usize> =
            (0..n).map(|i| self.results[i].iter().map(|&v| self.users[v].len()).sum()).collect();
        let mut placed_users = vec![0usize; self.users.len()];
        let mut ready: BTreeSet<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
        let mut order = Vec::with_capacity(n);
        let defs: Vec<Option<usize>> = {
            let mut d = vec![None; self.users.len()];
            for (i, results) in self.results.iter().enumerate() {
                results.iter().for_each(|&v| d[v] = Some(i));
            }
            d
        };
        while let Some(best) = ready.iter().copied().max_by_key(|&i| (self.gain_from_the_end(i, &placed_users), i)) {
            ready.remove(&best);
            order.push(best);
            for &v in &self.operands[best] {
                placed_users[v] += 1;
                let d = defs[v].expect("operands are defined by ops");
                waiting[d] -= 1;
                if waiting[d] == 0 {
                    ready.insert(d);
                }
            }
        }
        debug_assert_eq!(order.len(), n, "a verified function has no cycles");
        order.reverse();
        order
    }

    /// Bytes whose lives end above op `i` (its results) minus the bytes whose lives
    /// start at it, seen from the end (operands no placed op reads yet).
    fn gain_from_the_end(&self, i: usize, placed_users: &[usize]) -> i128 {
        let ended: u64 = self.results[i].iter().map(|&v| self.bytes[v]).sum();
        let started: u64 = self.operands[i].iter().filter(|&&v| placed_users[v] == 0).map(|&v| self.bytes[v]).sum();
        ended as i128 - started as i128
    }

    /// Bytes op `i` frees (operands it is the last unscheduled user of) minus the bytes
    /// it allocates.
    fn gain(&self, i: usize, remaining: &[usize]) -> i128 {
        let freed: u64 = self.operands[i].iter().filter(|&&v| remaining[v] == 1).map(|&v| self.bytes[v]).sum();
        let allocated: u64 = self.results[i].iter().map(|&v| self.bytes[v]).sum();
        freed as i128 - allocated as i128
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Module {
        xlac_frontend::parse_module("t", text, None).unwrap_or_else(|d| panic!("{}", d.render(false)))
    }

    fn names(m: &Module) -> Vec<String> {
        let f = m.entry().unwrap();
        f.ops.iter().map(|op| f.name_of(op.results[0]).to_string()).collect()
    }

    const BRANCHES: &str = "func @main(%x: f32[64]) -> f32[] {
  %a = exp %x : f32[64]
  %b = log %x : f32[64]
  %ra = reduce %a, kind=sum, dims=[0] : f32[]
  %rb = reduce %b, kind=sum, dims=[0] : f32[]
  %y = add %ra, %rb : f32[]
  return %y
}
";

    #[test]
    fn reduces_each_branch_right_away() {
        let mut m = parse(BRANCHES);
        let mut cx = PassCx::default();
        assert!(Schedule.run(&mut m, &mut cx).unwrap());
        assert_eq!(names(&m), ["a", "ra", "b", "rb", "y"]);
        assert_eq!(cx.notes, ["peak 516 -> 264 bytes"]);
    }

    #[test]
    fn defers_a_producer_to_its_use() {
        let text = "func @main(%x: f32[64]) -> f32[] {
  %a = exp %x : f32[64]
  %t = log %x : f32[64]
  %u = sqrt %t : f32[64]
  %y = dot_general %a, %u, lhs_contract=[0], rhs_contract=[0] : f32[]
  return %y
}
";
        let mut m = parse(text);
        let mut cx = PassCx::default();
        assert!(Schedule.run(&mut m, &mut cx).unwrap());
        assert_eq!(names(&m), ["t", "u", "a", "y"]);
        assert_eq!(cx.notes, ["peak 768 -> 512 bytes"]);
    }

    #[test]
    fn keeps_the_source_order_without_a_gain() {
        let text = "func @main(%x: f32[64]) -> f32[64] {
  %a = exp %x : f32[64]
  %b = log %x : f32[64]
  %y = add %a, %b : f32[64]
  return %y
}
";
        let mut m = parse(text);
        let mut cx = PassCx::default();
        assert!(!Schedule.run(&mut m, &mut cx).unwrap());
        assert_eq!(names(&m), ["a", "b", "y"]);
        assert_eq!(cx.notes, ["peak 512 bytes, source order kept"]);
    }
}
