//! A persistent thread pool with one operation: a parallel-for over `0..n` in contiguous
//! chunks, the calling thread taking part. Std only.
//!
//! One job runs at a time; a `parallel_for` that finds the pool busy (another caller, or
//! a call from inside a task) runs its whole range inline on the calling thread, so it
//! never deadlocks and never waits for foreign work.

use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, TryLockError};
use std::thread::JoinHandle;

/// A task body: called with a contiguous range of `0..n` and the participant's index
/// (`0..threads()`, unique among the calls running at the same time, so it can pick a
/// per-thread scratch slot).
pub type Task<'a> = &'a (dyn Fn(Range<usize>, usize) + Sync);

/// Persistent worker threads; see the module docs.
pub struct ThreadPool {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
    submit: Mutex<()>,
}

struct Shared {
    state: Mutex<State>,
    work: Condvar,
    done: Condvar,
}

struct State {
    job: Option<JobRef>,
    generation: u64,
    active: usize,
    shutdown: bool,
}

struct Job<'a> {
    task: Task<'a>,
    n: usize,
    chunks: usize,
    next: AtomicUsize,
    panicked: AtomicBool,
}

/// A pointer to the caller's [`Job`], lifetime erased. Valid while it is in
/// `State::job` or counted in `State::active` (the caller waits for both to end).
#[derive(Copy, Clone)]
struct JobRef(*const Job<'static>);

// SAFETY: the pointee is Sync (atomics and a Sync closure); see JobRef for its lifetime.
unsafe impl Send for JobRef {}

impl Job<'_> {
    fn run(&self, participant: usize) {
        loop {
            let c = self.next.fetch_add(1, Ordering::Relaxed);
            if c >= self.chunks {
                return;
            }
            let range = chunk_range(self.n, self.chunks, c);
            if panic::catch_unwind(AssertUnwindSafe(|| (self.task)(range, participant))).is_err() {
                self.panicked.store(true, Ordering::Relaxed);
            }
        }
    }
}

/// Chunk `c` of `chunks` near-equal contiguous chunks of `0..n`.
pub fn chunk_range(n: usize, chunks: usize, c: usize) -> Range<usize> {
    let (q, r) = (n / chunks, n % chunks);
    let start = q * c + c.min(r);
    start..start + q + usize::from(c < r)
}

/// Threads to use by default: `XLAC_THREADS` if set to a positive number, else
/// [`std::thread::available_parallelism`].
pub fn default_threads() -> usize {
    std::env::var("XLAC_THREADS")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ThreadPool {
    /// A pool where `threads` participants (the caller and `threads - 1` workers) run
    /// each job; `threads` is at least 1.
    pub fn new(threads: usize) -> ThreadPool {
        let shared = Arc::new(Shared {
            state: Mutex::new(State { job: None, generation: 0, active: 0, shutdown: false }),
            work: Condvar::new(),
            done: Condvar::new(),
        });
        let workers = (1..threads.max(1))
            .map(|i| {
                let shared = shared.clone();
                std::thread::Builder::new()
                    .name(format!("xlac-worker-{i}"))
                    .spawn(move || worker(&shared, i))
                    .expect("spawn xlac worker thread")
            })
            .collect();
        ThreadPool { shared, workers, submit: Mutex::new(()) }
    }

    /// The process-wide pool of [`default_threads`] threads, created on first use.
    pub fn global() -> Arc<ThreadPool> {
        static GLOBAL: OnceLock<Arc<ThreadPool>> = OnceLock::new();
        GLOBAL.get_or_init(|| Arc::new(ThreadPool::new(default_threads()))).clone()
    }

    /// Number of participants in a job (workers + the caller).
    pub fn threads(&self) -> usize {
        self.workers.len() + 1
    }

    /// Calls `task` on `chunks` contiguous near-equal ranges covering `0..n` (each range
    /// exactly once), spread over the pool; returns when all are done. Runs inline when
    /// there is one chunk, one thread, or the pool is busy. A panic in a task is re-raised
    /// here after every chunk has finished.
    pub fn parallel_for(&self, n: usize, chunks: usize, task: Task<'_>) {
        let chunks = chunks.clamp(1, n.max(1));
        if n == 0 {
            return;
        }
        if chunks == 1 || self.workers.is_empty() {
            return task(0..n, 0);
        }
        let _busy = match self.submit.try_lock() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(e)) => e.into_inner(),
            Err(TryLockError::WouldBlock) => return task(0..n, 0),
        };
        let job = Job { task, n, chunks, next: AtomicUsize::new(0), panicked: AtomicBool::new(false) };
        let job_ref = JobRef((&job as *const Job<'_>).cast::<Job<'static>>());
        {
            let mut st = lock(&self.shared.state);
            st.job = Some(job_ref);
            st.generation += 1;
        }
        self.shared.work.notify_all();
        job.run(0);
        let mut st = lock(&self.shared.state);
        st.job = None;
        while st.active > 0 {
            st = self.shared.done.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        drop(st);
        if job.panicked.load(Ordering::Relaxed) {
            panic!("a task of ThreadPool::parallel_for panicked");
        }
    }
}

fn worker(shared: &Shared, participant: usize) {
    let mut seen = 0;
    loop {
        let job = {
            let mut st = lock(&shared.state);
            loop {
                if st.shutdown {
                    return;
                }
                match st.job {
                    Some(job) if st.generation != seen => {
                        seen = st.generation;
                        st.active += 1;
                        break job;
                    }
                    _ => st = shared.work.wait(st).unwrap_or_else(|e| e.into_inner()),
                }
            }
        };
        // SAFETY: we are counted in `active`, so the caller keeps the job alive until we
        // decrement it below.
        unsafe { (*job.0).run(participant) };
        let mut st = lock(&shared.state);
        st.active -= 1;
        if st.active == 0 {
            shared.done.notify_all();
        }
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        lock(&self.shared.state).shutdown = true;
        self.shared.work.notify_all();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

impl std::fmt::Debug for ThreadPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ThreadPool({} threads)", self.threads())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_every_index_once() {
        let pool = ThreadPool::new(3);
        for (n, chunks) in [(0, 4), (1, 4), (7, 3), (1000, 16), (5, 100)] {
            let hits: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(0)).collect();
            pool.parallel_for(n, chunks, &|r, p| {
                assert!(p < 3);
                for i in r {
                    hits[i].fetch_add(1, Ordering::Relaxed);
                }
            });
            assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1), "n={n} chunks={chunks}");
        }
    }

    #[test]
    fn nested_and_concurrent_calls_run_inline() {
        let pool = Arc::new(ThreadPool::new(2));
        let total = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    for _ in 0..50 {
                        pool.parallel_for(10, 4, &|r, _| {
                            pool.parallel_for(r.len(), 2, &|r2, _| {
                                total.fetch_add(r2.len(), Ordering::Relaxed);
                            });
                        });
                    }
                });
            }
        });
        assert_eq!(total.load(Ordering::Relaxed), 2 * 50 * 10);
    }

    #[test]
    fn task_panic_is_reraised() {
        let pool = ThreadPool::new(2);
        let r = panic::catch_unwind(AssertUnwindSafe(|| pool.parallel_for(8, 8, &|r, _| assert!(r.start != 5))));
        assert!(r.is_err());
        pool.parallel_for(4, 2, &|_, _| {});
    }

    #[test]
    fn chunk_ranges_partition() {
        for n in 0..20 {
            for chunks in 1..8 {
                let v: Vec<_> = (0..chunks).flat_map(|c| chunk_range(n, chunks, c)).collect();
                assert_eq!(v, (0..n).collect::<Vec<_>>());
            }
        }
    }
}
