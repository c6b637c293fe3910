#ifndef MUSE_KERNELS_H
#define MUSE_KERNELS_H

/// Elementwise kernels of MuseCore's hot loops and the optimizer update, compiled twice from one source (KernelBodies.h):
/// once for the x86-64 baseline (SSE2, what Swift's own code is built for) and once for AVX2 with
/// FMA. `muse_kernels_best()` picks the widest the CPU runs, once, from the CPU's feature bits; the
/// results of the two differ only by rounding (FMA contracts `a·b + c`).
///
/// Every pointer is a contiguous float buffer; `n` and `hidden` are element counts. In-place use
/// is allowed only where a parameter's comment says so.

#ifdef __cplusplus
extern "C" {
#endif

/// The constants of one Adam or AdamW step, as PyTorch's `adam` computes them.
typedef struct MuseAdamStep {
    float learningRate, weightDecay, beta1, beta2;
    /// lr / (1 − β1^t) and √(1 − β2^t), the bias corrections (computed in double by the caller).
    float stepSize, bias2Root;
    float epsilon;
    /// AdamW: decay the weights by lr·wd; else Adam: add wd·p to the gradient.
    int decoupled;
} MuseAdamStep;

typedef struct MuseKernelTable {
    /// The instruction set these kernels were compiled for: "baseline" or "avx2+fma".
    const char *name;
    /// y[i] = e^(x[i] − shift), then returns Σ y[i] summed in index order (the softmax numerator
    /// and denominator; `shift` is the row's finite maximum). `y` may be `x` (in place).
    float (*exp_shifted)(const float *x, float *y, long n, float shift);
    /// y[i] = x[i]·Φ(x[i]) (exact GELU, erf through a rational approximation within 5e-7).
    void (*gelu_forward)(const float *x, float *y, long n);
    /// dx[i] = g[i]·(Φ(x[i]) + x[i]·φ(x[i])).
    void (*gelu_backward)(const float *x, const float *g, float *dx, long n);
    /// One LSTM cell for one batch row. `gates` [4·hidden] holds the pre-activations in PyTorch's
    /// order (input, forget, cell, output) and is replaced by the activations (σ, σ, tanh, σ);
    /// then cell = f·cellPrevious + i·g, tanhCell = tanh(cell), output = o·tanhCell.
    void (*lstm_cell_forward)(float *gates, const float *cellPrevious, float *cell, float *tanhCell,
                              float *output, long hidden);
    /// The cell's backward for one row, from the saved activations `gates` [4·hidden] and
    /// `tanhCell`, the previous cell state, and the output gradient `outputGrad`:
    /// dh += outputGrad; dc = dc·1 + dh·o·(1 − tanh²c); gateGrad [4·hidden] ← the pre-activation
    /// gradients (i, f, g, o); then dc ← dc·f (the gradient that flows to the previous step).
    /// `dh` and `dc` [hidden] are read and updated in place.
    void (*lstm_cell_backward)(const float *gates, const float *tanhCell, const float *cellPrevious,
                               const float *outputGrad, float *dh, float *dc, float *gateGrad, long hidden);
    /// One Adam/AdamW update of `n` parameters in place: weight decay, m ← m + (1 − β1)(g − m),
    /// v ← β2·v + (1 − β2)·g², p ← p − stepSize·m / (√v / bias2Root + ε). No two buffers overlap.
    void (*adam_update)(float *param, const float *grad, float *expAvg, float *expAvgSq, long n,
                        const MuseAdamStep *step);
    /// Layer normalisation of `rows` rows of `n`: per row the mean and the biased variance
    /// (accumulated in double), rstd[r] = 1/√(variance + epsilon), xhat = (x − mean)·rstd and
    /// y = xhat·weight + bias (`weight` and `bias` [n] may each be NULL: 1 and 0).
    void (*layer_norm_forward)(const float *x, const float *weight, const float *bias, float *y, float *xhat,
                               float *rstd, long rows, long n, float epsilon);
    /// The input gradient of `layer_norm_forward` for `rows` rows of `n`, from the output gradient
    /// `g`, the saved `xhat` and `rstd` and `weight` (may be NULL): with d = g·weight,
    /// dx = rstd·(d − mean(d) − xhat·mean(d·xhat)).
    void (*layer_norm_backward)(const float *g, const float *xhat, const float *rstd, const float *weight,
                                float *dx, long rows, long n);
    /// accumulator[j] += Σ_r a[r·n + j]·b[r·n + j] over `rows` rows (`b` NULL: Σ_r a[r·n + j]): the
    /// weight and bias gradients of a normalisation.
    void (*accumulate_column_products)(const float *a, const float *b, float *accumulator, long rows, long n);
    /// Σ x[i]², accumulated in double in a fixed order (the same for every call on the same data).
    double (*sum_of_squares)(const float *x, long n);
} MuseKernelTable;

/// Bits of `muse_cpu_features()`.
enum {
    /// AVX2 and FMA (Haswell and later).
    MUSE_CPU_AVX2_FMA = 1,
    /// AVX-512 F, CD, BW, DQ and VL (Skylake-SP and later).
    MUSE_CPU_AVX512 = 2,
};
/// The vector extensions this CPU runs, from its feature bits (0 on other architectures).
int muse_cpu_features(void);

/// The kernels for the widest instruction set this CPU supports (decided on the first call).
const MuseKernelTable *muse_kernels_best(void);
/// The baseline kernels, runnable on every x86-64 (and the only ones on other architectures).
const MuseKernelTable *muse_kernels_baseline(void);

#ifdef __cplusplus
}
#endif

#endif
