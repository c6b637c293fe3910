#ifndef MUSE_WORKER_POOL_H
#define MUSE_WORKER_POOL_H

/// MuseCore's worker threads: one pool shared by every parallel loop and every matrix product,
/// as OpenMP's team is in PyTorch. The calling thread takes part in each job; after a job the
/// workers spin for a short while (a training step issues its next parallel loop within
/// microseconds) and then sleep on a condition variable, so an idle process costs no CPU.
///
/// One job runs at a time. A call made while a job runs (from inside a task, or from another
/// thread) runs all its indices on the calling thread: nested and concurrent callers are always
/// correct, never waiting on each other.

#ifdef __cplusplus
extern "C" {
#endif

typedef struct MuseWorkerPool MuseWorkerPool;

/// One task of a job: `index` is in 0..<count of `muse_worker_pool_run`.
typedef void (*MuseWorkerTask)(void *context, long index);

/// Starts `workers` threads (0 is allowed: every job then runs on its caller) that spin for
/// `spinNanoseconds` after each job before sleeping. Returns NULL if a thread could not start.
MuseWorkerPool *muse_worker_pool_create(int workers, long spinNanoseconds);

/// Stops and joins the workers and frees the pool. No job may be running.
void muse_worker_pool_destroy(MuseWorkerPool *pool);

/// Calls `task(context, i)` once for every i in 0..<count, on the calling thread and on the
/// workers (each index on exactly one thread, claimed in order), and returns when all have
/// returned. Returns 1 when the workers took part; 0 when every index ran on the calling thread
/// (count ≤ 1, no workers, one participant allowed, or another job running).
int muse_worker_pool_run(MuseWorkerPool *pool, long count, MuseWorkerTask task, void *context);

/// Threads a job may use, the caller included (1 ... workers + 1); the pool starts with all.
/// Data-parallel training lowers it so that the processes on one machine share its cores.
void muse_worker_pool_set_participants(MuseWorkerPool *pool, int participants);
int muse_worker_pool_participants(const MuseWorkerPool *pool);

/// 1 when a job is running (a product about to split itself should not: its parts would run on
/// the calling thread, one after another).
int muse_worker_pool_busy(const MuseWorkerPool *pool);

#ifdef __cplusplus
}
#endif

#endif
