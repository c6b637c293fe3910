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
        guard count > 0 else { return 0 }
        var m = -Float.infinity
        for k in 0..<count { m = Swift.max(m, row[k]) }
        if m.isFinite { return ElementwiseKernels.best.exp_shifted(row, row, count, m) }
        var s: Float = 0
        for k in 0..<count { row[k] = Foundation.exp(row[k] - m); s += row[k] }
        return s
    }
}
