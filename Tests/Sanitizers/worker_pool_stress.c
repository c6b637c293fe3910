// Stress test of MuseCore's worker pool (Sources/CMuseKernels/WorkerPool.c) for the sanitizer
// subset that `make test` runs (scripts/sanitize_fast.sh): several caller threads run thousands
// of jobs of varying sizes on one pool at once, every index must run exactly once, and
// ThreadSanitizer (or AddressSanitizer) must report nothing.
//   worker_pool_stress WORKERS CALLERS SPIN_NANOSECONDS
#include "MuseWorkerPool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct { _Atomic int *runs; long count; } Job;

static MuseWorkerPool *pool;
static _Atomic long wrong;

static void task(void *context, long index) {
    Job *job = context;
    if (index < 0 || index >= job->count) abort();
    atomic_fetch_add(&job->runs[index], 1);
}

static void *caller(void *argument) {
    long seed = (long)argument;
    for (int n = 0; n < 5000; n++) {
        long count = 2 + (n * 7 + seed) % 40;
        _Atomic int runs[64];
        for (int i = 0; i < 64; i++) atomic_init(&runs[i], 0);
        Job job = {runs, count};
        muse_worker_pool_run(pool, count, task, &job);
        for (long i = 0; i < count; i++)
            if (atomic_load(&runs[i]) != 1) atomic_fetch_add(&wrong, 1);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s WORKERS CALLERS SPIN_NANOSECONDS\n", argv[0]); return 2; }
    int workers = atoi(argv[1]), callers = atoi(argv[2]);
    if (callers < 1 || callers > 16) return 2;
    pool = muse_worker_pool_create(workers, atol(argv[3]));
    if (!pool) { fprintf(stderr, "cannot start %d workers\n", workers); return 1; }
    pthread_t threads[16];
    for (long i = 0; i < callers; i++) pthread_create(&threads[i], NULL, caller, (void *)i);
    for (int i = 0; i < callers; i++) pthread_join(threads[i], NULL);
    muse_worker_pool_destroy(pool);
    printf("worker pool, %d workers, %d callers: %ld indices run other than once\n", workers, callers, (long)wrong);
    return wrong != 0;
}
