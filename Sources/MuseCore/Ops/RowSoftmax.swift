import Foundation

/// Softmax of one contiguous row of scalars in place, for kernels outside MuseCore that hold raw
/// buffers (incremental attention in a KV cache, samplers): the same exponential kernel as
/// `Tensor.softmax`.
public enum RowSoftmax {
    /// Replaces `row[0..<count]` by `exp(row[k] − max(row))` and returns their sum (≥ 1 for finite
    /// input), so a caller can fold the 1/sum normalisation into its next product.
    /// A row holding −∞, +∞ or NaN takes the scalar path, which gives the IEEE results.
    /// - Parameters:
    ///   - row: `count` scores, overwritten.
    ///   - count: length of the row; 0 returns 0.
    public static func exponentiateShifted(_ row: UnsafeMutablePointer<Float>, count: Int) -> Float {
        count > 0 ? exponentiateShifted(UnsafePointer(row), into: row, count: count).sum : 0
    }

    /// `y[k] = exp(x[k] − max(x))` for `count` ≥ 1 scores, returning the maximum and the sum of
    /// the exponentials; `y` may be `x`. Finite rows go through the vector kernel, others through
    /// libm (the IEEE results for −∞, +∞ and NaN).
    static func exponentiateShifted(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
                                    count: Int) -> (max: Float, sum: Float) {
        var m = -Float.infinity
        for k in 0..<count { m = Swift.max(m, x[k]) }
        if m.isFinite { return (m, ElementwiseKernels.best.exp_shifted(x, y, count, m)) }
        var s: Float = 0
        for k in 0..<count { y[k] = Foundation.exp(x[k] - m); s += y[k] }
        return (m, s)
    }
}
