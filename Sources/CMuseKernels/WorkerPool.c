// MuseCore's worker pool (MuseWorkerPool.h).
//
// A job is published in one 64-bit word: the job's generation in the high half, the next index
// to claim in the low half. A thread claims an index by compare-and-swap on that word, so a
// thread still looking at an older job can never take an index of a newer one (its swap fails
// on the generation), and the task and context it reads were written before the word that
// announced them (release/acquire through the word).
//
// The caller first moves the word to the new generation with the index `MUSE_CLOSED`, then
// writes the job's count, task and context, then opens the word at index 0. A thread that read
// the old generation's word cannot then pair it with the new count: any count it reads from the
// new job was stored after the word moved on, so its swap on the old word fails.

#include "MuseWorkerPool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define MUSE_INDEX_MASK 0xffffffffULL
#define MUSE_CLOSED MUSE_INDEX_MASK   // the index while a job's fields are being written

struct MuseWorkerPool {
    _Atomic uint64_t word;        // generation << 32 | next index
    _Atomic long done;            // indices of the current job that have returned
    _Atomic int busy;             // a job is running
    _Atomic int participants;     // threads a job may use, the caller included
    _Atomic int sleepers;         // workers asleep (or about to be) on `wake`
    _Atomic int callerAsleep;     // the caller waits on `finished`
    _Atomic int stopping;
    _Atomic long count;           // the current job's (stored before `word` announces it)
    MuseWorkerTask task;          // read only by a thread holding an unfinished index of the job
    void *context;
    long spinNanoseconds;
    int workers;
    pthread_mutex_t lock;
    pthread_cond_t wake, finished;
    pthread_t *threads;
    struct MuseWorker { MuseWorkerPool *pool; int index; } *workerArguments;
};

static inline void muse_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static inline long muse_now_nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

/// Runs indices of generation `generation` until none is left; returns how many this thread ran.
static long muse_claim_and_run(MuseWorkerPool *pool, uint64_t generation) {
    long ran = 0;
    uint64_t word = atomic_load_explicit(&pool->word, memory_order_acquire);
    for (;;) {
        if ((word >> 32) != generation) return ran;
        if ((word & MUSE_INDEX_MASK) == MUSE_CLOSED) {  // the caller is writing the job: a moment
            muse_cpu_relax();
            word = atomic_load_explicit(&pool->word, memory_order_acquire);
            continue;
        }
        long index = (long)(word & MUSE_INDEX_MASK);
        if (index >= atomic_load_explicit(&pool->count, memory_order_acquire)) return ran;
        if (!atomic_compare_exchange_weak_explicit(&pool->word, &word, word + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;  // `word` now holds the current value: look again
        // This thread holds an unfinished index: the job cannot end, nor its fields change.
        long count = atomic_load_explicit(&pool->count, memory_order_relaxed);
        pool->task(pool->context, index);
        ran++;
        // Sequentially consistent, like the caller's store of `callerAsleep` before it checks
        // `done`: one of the two sees the other, so the last index never leaves the caller asleep.
        // Taking and releasing the lock first means the caller is either not yet waiting (it
        // will see `done` under the lock) or inside pthread_cond_wait; the signal comes after the
        // unlock so the woken caller does not block again on the lock this thread still holds.
        if (atomic_fetch_add(&pool->done, 1) + 1 == count && atomic_load(&pool->callerAsleep)) {
            pthread_mutex_lock(&pool->lock);
            pthread_mutex_unlock(&pool->lock);
            pthread_cond_signal(&pool->finished);
        }
        word = atomic_load_explicit(&pool->word, memory_order_acquire);
    }
}

static void *muse_worker_main(void *argument) {
    MuseWorkerPool *pool = ((struct MuseWorker *)argument)->pool;
    const int index = ((struct MuseWorker *)argument)->index;
    uint64_t seen = 0;  // the generation before the first job (not read here: a job may already be announced)
    for (;;) {
        // Spin for the next job, then sleep until one is announced.
        uint64_t generation = atomic_load_explicit(&pool->word, memory_order_acquire) >> 32;
        if (generation == seen && !atomic_load_explicit(&pool->stopping, memory_order_relaxed)) {
            long deadline = muse_now_nanoseconds() + pool->spinNanoseconds;
            for (unsigned spins = 1;; spins++) {
                muse_cpu_relax();
                generation = atomic_load_explicit(&pool->word, memory_order_acquire) >> 32;
                if (generation != seen || atomic_load_explicit(&pool->stopping, memory_order_relaxed)) break;
                if ((spins & 63) == 0 && muse_now_nanoseconds() > deadline) break;
            }
        }
        if (generation == seen && !atomic_load(&pool->stopping)) {
            pthread_mutex_lock(&pool->lock);
            atomic_fetch_add(&pool->sleepers, 1);
            while ((generation = atomic_load(&pool->word) >> 32) == seen && !atomic_load(&pool->stopping))
                pthread_cond_wait(&pool->wake, &pool->lock);
            atomic_fetch_sub(&pool->sleepers, 1);
            pthread_mutex_unlock(&pool->lock);
        }
        if (atomic_load(&pool->stopping)) return NULL;
        seen = generation;
        // Worker i takes part while the job may use more than i + 1 threads.
        if (index + 1 < atomic_load_explicit(&pool->participants, memory_order_relaxed))
            muse_claim_and_run(pool, generation);
    }
}

MuseWorkerPool *muse_worker_pool_create(int workers, long spinNanoseconds) {
    if (workers < 0) workers = 0;
    MuseWorkerPool *pool = calloc(1, sizeof *pool);
    if (!pool) return NULL;
    pool->workers = workers;
    pool->spinNanoseconds = spinNanoseconds < 0 ? 0 : spinNanoseconds;
    atomic_init(&pool->word, 0);
    atomic_init(&pool->count, 0);
    atomic_init(&pool->done, 0);
    atomic_init(&pool->busy, 0);
    atomic_init(&pool->participants, workers + 1);
    atomic_init(&pool->sleepers, 0);
    atomic_init(&pool->callerAsleep, 0);
    atomic_init(&pool->stopping, 0);
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pthread_cond_init(&pool->finished, NULL);
    pool->threads = workers ? calloc((size_t)workers, sizeof(pthread_t)) : NULL;
    pool->workerArguments = workers ? calloc((size_t)workers, sizeof *pool->workerArguments) : NULL;
    if (workers && (!pool->threads || !pool->workerArguments)) {
        free(pool->threads);
        free(pool->workerArguments);
        free(pool);
        return NULL;
    }
    for (int i = 0; i < workers; i++) {
        pool->workerArguments[i] = (struct MuseWorker){pool, i};
        if (pthread_create(&pool->threads[i], NULL, muse_worker_main, &pool->workerArguments[i]) != 0) {
            pool->workers = i;
            muse_worker_pool_destroy(pool);
            return NULL;
        }
    }
    return pool;
}

void muse_worker_pool_destroy(MuseWorkerPool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->lock);
    atomic_store(&pool->stopping, 1);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 0; i < pool->workers; i++) pthread_join(pool->threads[i], NULL);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->wake);
    pthread_cond_destroy(&pool->finished);
    free(pool->threads);
    free(pool->workerArguments);
    free(pool);
}

static void muse_run_inline(long count, MuseWorkerTask task, void *context) {
    for (long i = 0; i < count; i++) task(context, i);
}

int muse_worker_pool_run(MuseWorkerPool *pool, long count, MuseWorkerTask task, void *context) {
    if (count <= 0) return 0;
    int expected = 0;
    if (count == 1 || !pool || pool->workers == 0 || atomic_load_explicit(&pool->participants, memory_order_relaxed) <= 1
        || count > (long)INT32_MAX
        || !atomic_compare_exchange_strong_explicit(&pool->busy, &expected, 1, memory_order_acquire, memory_order_relaxed)) {
        muse_run_inline(count, task, context);
        return 0;
    }
    // Close the old generation, write the job, then open the new generation at index 0.
    uint64_t generation = ((atomic_load_explicit(&pool->word, memory_order_relaxed) >> 32) + 1) & MUSE_INDEX_MASK;
    atomic_store(&pool->word, generation << 32 | MUSE_CLOSED);
    atomic_store_explicit(&pool->count, count, memory_order_release);
    pool->task = task;
    pool->context = context;
    atomic_store_explicit(&pool->done, 0, memory_order_relaxed);
    atomic_store(&pool->word, generation << 32);
    if (atomic_load(&pool->sleepers) > 0) {
        // A sleeper is either still checking `word` under the lock (and will see the new
        // generation) or inside pthread_cond_wait once this thread holds the lock; broadcasting
        // after the unlock lets it run at once instead of blocking on the lock held here.
        pthread_mutex_lock(&pool->lock);
        pthread_mutex_unlock(&pool->lock);
        pthread_cond_broadcast(&pool->wake);
    }
    muse_claim_and_run(pool, generation);
    // Wait for the indices the workers took: spin briefly, then sleep until the last one returns.
    if (atomic_load_explicit(&pool->done, memory_order_acquire) < count) {
        long deadline = muse_now_nanoseconds() + pool->spinNanoseconds;
        for (unsigned spins = 1; atomic_load_explicit(&pool->done, memory_order_acquire) < count; spins++) {
            muse_cpu_relax();
            if ((spins & 63) == 0 && muse_now_nanoseconds() > deadline) {
                pthread_mutex_lock(&pool->lock);
                atomic_store(&pool->callerAsleep, 1);
                while (atomic_load(&pool->done) < count) pthread_cond_wait(&pool->finished, &pool->lock);
                atomic_store(&pool->callerAsleep, 0);
                pthread_mutex_unlock(&pool->lock);
                break;
            }
        }
    }
    atomic_store_explicit(&pool->busy, 0, memory_order_release);
    return 1;
}

void muse_worker_pool_set_participants(MuseWorkerPool *pool, int participants) {
    if (!pool) return;
    if (participants < 1) participants = 1;
    if (participants > pool->workers + 1) participants = pool->workers + 1;
    atomic_store(&pool->participants, participants);
}

int muse_worker_pool_participants(const MuseWorkerPool *pool) {
    return pool ? atomic_load(&((MuseWorkerPool *)pool)->participants) : 1;
}

int muse_worker_pool_busy(const MuseWorkerPool *pool) {
    return pool ? atomic_load_explicit(&((MuseWorkerPool *)pool)->busy, memory_order_relaxed) : 0;
}
