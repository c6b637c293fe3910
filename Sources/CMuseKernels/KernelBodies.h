// The kernels' one source, included by Kernels.c once per instruction set with MUSE_ISA (a name
// suffix) and MUSE_TARGET (a target attribute, or nothing) defined. Loops are plain and
// restrict-qualified so the compiler vectorises each at its target's width.

#define MUSE_CAT_(a, b) a##_##b
#define MUSE_CAT(a, b) MUSE_CAT_(a, b)
#define MUSE_NAME(name) MUSE_CAT(name, MUSE_ISA)

MUSE_TARGET static float MUSE_NAME(exp_shifted)(const float *x, float *y, long n, float shift) {
    for (long i = 0; i < n; i++) y[i] = muse_exp(x[i] - shift);
    float sum = 0.0f;  // in index order, as a scalar loop sums (no reassociation)
    for (long i = 0; i < n; i++) sum += y[i];
    return sum;
}

MUSE_TARGET static void MUSE_NAME(gelu_forward)(const float *restrict x, float *restrict y, long n) {
    for (long i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + muse_erf(x[i] * 0.70710677f));
}

MUSE_TARGET static void MUSE_NAME(gelu_backward)(const float *restrict x, const float *restrict g,
                                                 float *restrict dx, long n) {
    for (long i = 0; i < n; i++) {
        float v = x[i];
        float cdf = 0.5f * (1.0f + muse_erf(v * 0.70710677f));
        dx[i] = g[i] * (cdf + v * muse_exp(-0.5f * v * v) * 0.39894228f);
    }
}

MUSE_TARGET static void MUSE_NAME(lstm_cell_forward)(float *restrict a, const float *restrict cp, float *restrict c,
                                                     float *restrict tc, float *restrict y, long h) {
    for (long j = 0; j < 2 * h; j++) a[j] = muse_sigmoid(a[j]);
    for (long j = 2 * h; j < 3 * h; j++) a[j] = muse_tanh(a[j]);
    for (long j = 3 * h; j < 4 * h; j++) a[j] = muse_sigmoid(a[j]);
    for (long j = 0; j < h; j++) c[j] = a[h + j] * cp[j] + a[j] * a[2 * h + j];
    for (long j = 0; j < h; j++) tc[j] = muse_tanh(c[j]);
    for (long j = 0; j < h; j++) y[j] = a[3 * h + j] * tc[j];
}

MUSE_TARGET static void MUSE_NAME(lstm_cell_backward)(const float *restrict a, const float *restrict tc,
                                                      const float *restrict cp, const float *restrict gy,
                                                      float *restrict dh, float *restrict dc, float *restrict d, long h) {
    for (long j = 0; j < h; j++) {
        float dhj = dh[j] + gy[j];
        float o = a[3 * h + j], t = tc[j];
        float dcj = dc[j] + dhj * o * (1.0f - t * t);
        float i = a[j], f = a[h + j], g = a[2 * h + j];
        d[j] = dcj * g * i * (1.0f - i);
        d[h + j] = dcj * cp[j] * f * (1.0f - f);
        d[2 * h + j] = dcj * i * (1.0f - g * g);
        d[3 * h + j] = dhj * t * o * (1.0f - o);
        dh[j] = dhj;
        dc[j] = dcj * f;
    }
}

MUSE_TARGET static void MUSE_NAME(adam_update)(float *restrict p, const float *restrict g, float *restrict m,
                                               float *restrict v, long n, const MuseAdamStep *step) {
    const float lr = step->learningRate, wd = step->weightDecay, b1 = step->beta1, b2 = step->beta2;
    const float size = step->stepSize, root = step->bias2Root, eps = step->epsilon;
    if (step->decoupled) {
        const float decay = 1.0f - lr * wd;
        for (long i = 0; i < n; i++) {
            float gi = g[i];
            p[i] *= decay;
            m[i] += (1.0f - b1) * (gi - m[i]);
            v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
            p[i] -= size * m[i] / (muse_sqrt(v[i]) / root + eps);
        }
    } else {
        for (long i = 0; i < n; i++) {
            float gi = wd != 0.0f ? g[i] + wd * p[i] : g[i];
            m[i] += (1.0f - b1) * (gi - m[i]);
            v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
            p[i] -= size * m[i] / (muse_sqrt(v[i]) / root + eps);
        }
    }
}

// Σx or Σ(x − shift)² in 8 double lanes (vectorised at either width), the lanes added in a fixed
// order at the end.
MUSE_TARGET static double MUSE_NAME(row_sum)(const float *restrict x, long n, double shift, int squares) {
    double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long i = 0;
    if (squares) {
        for (; i + 8 <= n; i += 8)
            for (int l = 0; l < 8; l++) { double d = (double)x[i + l] - shift; lane[l] += d * d; }
    } else {
        for (; i + 8 <= n; i += 8)
            for (int l = 0; l < 8; l++) lane[l] += (double)x[i + l];
    }
    double sum = 0;
    for (; i < n; i++) { double d = (double)x[i] - shift; sum += squares ? d * d : (double)x[i]; }
    for (int l = 0; l < 8; l++) sum += lane[l];
    return sum;
}

MUSE_TARGET static double MUSE_NAME(sum_of_squares)(const float *restrict x, long n) {
    return MUSE_NAME(row_sum)(x, n, 0, 1);
}

MUSE_TARGET static void MUSE_NAME(layer_norm_forward)(const float *restrict x, const float *restrict w,
                                                      const float *restrict b, float *restrict y, float *restrict xhat,
                                                      float *restrict rstd, long rows, long n, float epsilon) {
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n, *hr = xhat + r * n;
        double mean = MUSE_NAME(row_sum)(xr, n, 0, 0) / (double)n;
        double variance = MUSE_NAME(row_sum)(xr, n, mean, 1) / (double)n;
        float inv = (float)(1.0 / __builtin_sqrt(variance + (double)epsilon));  // once per row
        float m = (float)mean;
        rstd[r] = inv;
        for (long j = 0; j < n; j++) hr[j] = (xr[j] - m) * inv;
        if (w && b) for (long j = 0; j < n; j++) yr[j] = hr[j] * w[j] + b[j];
        else if (w) for (long j = 0; j < n; j++) yr[j] = hr[j] * w[j];
        else if (b) for (long j = 0; j < n; j++) yr[j] = hr[j] + b[j];
        else for (long j = 0; j < n; j++) yr[j] = hr[j];
    }
}

MUSE_TARGET static void MUSE_NAME(layer_norm_backward)(const float *restrict g, const float *restrict xhat,
                                                       const float *restrict rstd, const float *restrict w,
                                                       float *restrict dx, long rows, long n) {
    for (long r = 0; r < rows; r++) {
        const float *gr = g + r * n, *hr = xhat + r * n;
        float *dr = dx + r * n;
        // d = g·w goes through dx (its row is written last), so w is read once per element.
        if (w) for (long j = 0; j < n; j++) dr[j] = gr[j] * w[j];
        else for (long j = 0; j < n; j++) dr[j] = gr[j];
        float sumD[8] = {0, 0, 0, 0, 0, 0, 0, 0}, sumDH[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        long j = 0;
        for (; j + 8 <= n; j += 8)
            for (int l = 0; l < 8; l++) { sumD[l] += dr[j + l]; sumDH[l] += dr[j + l] * hr[j + l]; }
        float sd = 0, sdh = 0;
        for (; j < n; j++) { sd += dr[j]; sdh += dr[j] * hr[j]; }
        for (int l = 0; l < 8; l++) { sd += sumD[l]; sdh += sumDH[l]; }
        const float meanD = sd / (float)n, meanDH = sdh / (float)n, inv = rstd[r];
        for (j = 0; j < n; j++) dr[j] = inv * (dr[j] - meanD - hr[j] * meanDH);
    }
}

MUSE_TARGET static void MUSE_NAME(accumulate_column_products)(const float *restrict a, const float *restrict b,
                                                              float *restrict accumulator, long rows, long n) {
    for (long r = 0; r < rows; r++) {
        const float *ar = a + r * n;
        if (b) { const float *br = b + r * n; for (long j = 0; j < n; j++) accumulator[j] += ar[j] * br[j]; }
        else for (long j = 0; j < n; j++) accumulator[j] += ar[j];
    }
}

static const MuseKernelTable MUSE_NAME(muse_table) = {
    .name = MUSE_ISA_NAME,
    .exp_shifted = MUSE_NAME(exp_shifted),
    .gelu_forward = MUSE_NAME(gelu_forward),
    .gelu_backward = MUSE_NAME(gelu_backward),
    .lstm_cell_forward = MUSE_NAME(lstm_cell_forward),
    .lstm_cell_backward = MUSE_NAME(lstm_cell_backward),
    .adam_update = MUSE_NAME(adam_update),
    .layer_norm_forward = MUSE_NAME(layer_norm_forward),
    .layer_norm_backward = MUSE_NAME(layer_norm_backward),
    .accumulate_column_products = MUSE_NAME(accumulate_column_products),
    .sum_of_squares = MUSE_NAME(sum_of_squares),
};

#undef MUSE_NAME
#undef MUSE_CAT
#undef MUSE_CAT_
