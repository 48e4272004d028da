//! `dce`: removes ops whose results are never used, in every function, and helper
//! functions the entry function cannot reach through calls. The entry function and its
//! signature are never touched; a module without an entry keeps all its functions.

use crate::rewrite::remove_dead_ops;
use crate::stats::count;
use crate::{Pass, PassCx, PassError};
use std::collections::HashSet;
use xlac_ir::Module;

/// Dead code elimination. See the module documentation.
#[derive(Debug, Default)]
pub struct Dce;

impl Pass for Dce {
    fn name(&self) -> &'static str {
        "dce"
    }

    fn run(&mut self, m: &mut Module, cx: &mut PassCx) -> Result<bool, PassError> {
        let ops: usize = m.functions.iter_mut().map(remove_dead_ops).sum();
        let funcs = remove_unreachable_functions(m);
        if ops > 0 {
            cx.note(format!("{} removed", count(ops, "op")));
        }
        if funcs > 0 {
            cx.note(format!("{} removed", count(funcs, "function")));
        }
        Ok(ops + funcs > 0)
    }
}

/// Removes the functions no chain of calls from the entry reaches. Returns how many.
fn remove_unreachable_functions(m: &mut Module) -> usize {
    let Some(entry) = m.entry() else { return 0 };
    let mut reached: HashSet<String> = HashSet::from([entry.name.clone()]);
    let mut work = vec![entry.name.clone()];
    while let Some(name) = work.pop() {
        let Some(f) = m.function(&name) else { continue };
        for callee in f.ops.iter().filter_map(|op| op.attrs.func("callee")) {
            if reached.insert(callee.to_string()) {
                work.push(callee.to_string());
            }
        }
    }
    let before = m.functions.len();
    m.functions.retain(|f| reached.contains(&f.name));
    before - m.functions.len()
}
