#include <fftw3.h>

/* Swift has no prefetch intrinsic: a read prefetch into all cache levels (a no-op hint that never
 * faults, so it may point past the end of an array). */
static inline void muse_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }
