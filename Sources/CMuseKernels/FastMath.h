#ifndef MUSE_FAST_MATH_H
#define MUSE_FAST_MATH_H

#include <stdint.h>
#include <string.h>

// Branch-free scalar math that the compiler vectorises: no library calls, no branches, no
// trapping conversions. `always_inline`, so each copy is compiled for its caller's target.

/// e^x: Cephes expf's range reduction (x = k·ln2 + r, ln2 in two parts) and degree-6 polynomial,
/// then 2^k through the exponent bits. Clamped above at 88, 0 below −87; ≤ 2 ulp in [−87, 88].
static inline __attribute__((always_inline)) float muse_exp(float x) {
    const float lo = -87.0f, hi = 88.0f;
    float xc = x < lo ? lo : (x > hi ? hi : x);
    float shifted = xc * 1.44269504f + 12582912.0f;  // round(x·log2 e) lands in the low mantissa bits
    float k = shifted - 12582912.0f;
    float r = xc - k * 0.693359375f + k * 2.1219444e-4f;
    float p = 1.98756915e-4f;
    p = p * r + 1.39819995e-3f;
    p = p * r + 8.3334519e-3f;
    p = p * r + 4.16657959e-2f;
    p = p * r + 0.166666655f;
    p = p * r + 0.50000001f;
    float y = p * r * r + r + 1.0f;
    uint32_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    bits = (bits - 0x4B400000u + 127u) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return x < lo ? 0.0f : y * scale;
}

/// erf(x): the odd rational approximation on [−4, 4] of Eigen's and XLA's float erf, ±1 beyond;
/// absolute error ≤ 5e-7.
static inline __attribute__((always_inline)) float muse_erf(float x) {
    float xc = x < -4.0f ? -4.0f : (x > 4.0f ? 4.0f : x);
    float x2 = xc * xc;
    float p = -2.72614225801306e-10f;
    p = p * x2 + 2.77068142495902e-08f;
    p = p * x2 - 2.10102402082508e-06f;
    p = p * x2 - 5.69250639462346e-05f;
    p = p * x2 - 7.34990630326855e-04f;
    p = p * x2 - 2.95459980854025e-03f;
    p = p * x2 - 1.60960333262415e-02f;
    float q = -1.45660718464996e-05f;
    q = q * x2 - 2.13374055278905e-04f;
    q = q * x2 - 1.68282697438203e-03f;
    q = q * x2 - 7.37332916720468e-03f;
    q = q * x2 - 1.42647390514189e-02f;
    return xc * p / q;
}

/// √x without errno (so loops over it vectorise; C's sqrtf may set errno for x < 0).
static inline __attribute__((always_inline)) float muse_sqrt(float x) {
#if __has_builtin(__builtin_elementwise_sqrt)
    return __builtin_elementwise_sqrt(x);
#else
    return __builtin_sqrtf(x);
#endif
}

/// Logistic sigmoid 1/(1 + e^−x).
static inline __attribute__((always_inline)) float muse_sigmoid(float x) { return 1.0f / (1.0f + muse_exp(-x)); }

/// tanh through one exponential, 1 − 2/(e^{2x} + 1): within ~2e-7 of tanhf, exactly ±1 when saturated.
static inline __attribute__((always_inline)) float muse_tanh(float x) { return 1.0f - 2.0f / (muse_exp(2.0f * x) + 1.0f); }

#endif
