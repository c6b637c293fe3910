#include "MuseKernels.h"
#include "FastMath.h"

// KernelBodies.h compiled for the baseline, then (on x86-64) for AVX2 + FMA; the table is picked once.

#define MUSE_ISA baseline
#define MUSE_ISA_NAME "baseline"
#define MUSE_TARGET
#include "KernelBodies.h"
#undef MUSE_ISA
#undef MUSE_ISA_NAME
#undef MUSE_TARGET

#if defined(__x86_64__)
#define MUSE_ISA avx2
#define MUSE_ISA_NAME "avx2+fma"
#define MUSE_TARGET __attribute__((target("avx2,fma")))
#include "KernelBodies.h"
#undef MUSE_ISA
#undef MUSE_ISA_NAME
#undef MUSE_TARGET
#endif

const MuseKernelTable *muse_kernels_baseline(void) { return &muse_table_baseline; }

int muse_cpu_features(void) {
    int features = 0;
#if defined(__x86_64__)
    // __builtin_cpu_supports reads the feature bits the runtime filled in at start-up: no state here.
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) features |= MUSE_CPU_AVX2_FMA;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) features |= MUSE_CPU_AVX512;
#endif
    return features;
}

const MuseKernelTable *muse_kernels_best(void) {
#if defined(__x86_64__)
    if (muse_cpu_features() & MUSE_CPU_AVX2_FMA) return &muse_table_avx2;
#endif
    return &muse_table_baseline;
}
