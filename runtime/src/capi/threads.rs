//! The thread pool behind a C ABI call's `threads` argument.

use crate::pool::ThreadPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The pool for `threads`: `<= 0` the global pool, otherwise a process-wide pool of
/// exactly `threads` participants (created on first use, kept for the process).
pub(crate) fn pool_for(threads: i32) -> Arc<ThreadPool> {
    if threads <= 0 {
        return ThreadPool::global();
    }
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<ThreadPool>>>> = OnceLock::new();
    let mut pools = POOLS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    let n = threads as usize;
    pools.entry(n).or_insert_with(|| Arc::new(ThreadPool::new(n))).clone()
}

#[cfg(test)]
mod tests {
    use super::pool_for;

    #[test]
    fn pools_by_thread_count() {
        assert_eq!(pool_for(1).threads(), 1);
        assert_eq!(pool_for(3).threads(), 3);
        assert!(std::sync::Arc::ptr_eq(&pool_for(3), &pool_for(3)));
        assert!(pool_for(0).threads() >= 1);
    }
}
