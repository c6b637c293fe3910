import Foundation

// Branch-free scalar math that LLVM vectorises (no library calls, no trapping conversions),
// for the fused kernels' inner loops (LSTM gates, softmax rows).

extension Tensor {
    /// tanh through one exponential (1 − 2/(e^{2x} + 1)); within ~2e-7 absolute of `tanhf`,
    /// saturating cleanly at ±1.
    @inline(__always)
    static func fastTanh(_ x: Float) -> Float {
        1 - 2 / (inlineExp(2 * x) + 1)
    }

    /// Logistic sigmoid through `inlineExp`.
    @inline(__always)
    static func fastSigmoid(_ x: Float) -> Float {
        1 / (1 + inlineExp(-x))
    }

    /// eˣ without a library call or branch, so loops over it vectorise: Cephes `expf`'s
    /// range reduction (x = k·ln2 + r, ln2 split in two) and degree-6 polynomial, then 2ᵏ through
    /// the exponent bits. Input clamped above at 88 (result stays finite), 0 below −87 (denormals
    /// flushed); relative error ≤ 2 ulp in [−87, 88].
    @inline(__always)
    static func inlineExp(_ x: Float) -> Float {
        let lo: Float = -87, hi: Float = 88
        let xc = x < lo ? lo : (x > hi ? hi : x)
        // Round x·log2(e) to nearest with the 1.5·2²³ trick: k sits in the low mantissa bits.
        let shifted = xc * 1.442_695_04 + 12_582_912
        let k = shifted - 12_582_912
        let r = xc - k * 0.693_359_375 + k * 2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 0.166_666_655
        p = p * r + 0.500_000_01
        let y = p * r * r + r + 1
        let exponentBits = (shifted.bitPattern &- 0x4B40_0000 &+ 127) << 23  // 2^k, wrapping integer ops only
        return x < lo ? 0 : y * Float(bitPattern: exponentBits)  // flush below e^−87 (~1e-38)
    }
}
