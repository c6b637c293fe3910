import Foundation
import MuseCore

/// Points on the line (or great circle) between two latent vectors, for VAE interpolation.
public enum LatentPath {
    /// `steps` points from `a` to `b` inclusive: linear, or spherical (slerp as Magenta's
    /// `TrainedModel._slerp`, which falls back to linear when the vectors are parallel).
    public static func points(from a: [Float], to b: [Float], steps: Int, spherical: Bool) -> [[Float]] {
        precondition(a.count == b.count && steps >= 2, "LatentPath: mismatched vectors or fewer than 2 steps")
        let na = a.map { Double($0) }, nb = b.map { Double($0) }
        let normA = (na.reduce(0) { $0 + $1 * $1 }).squareRoot(), normB = (nb.reduce(0) { $0 + $1 * $1 }).squareRoot()
        let cosine = normA > 0 && normB > 0 ? zip(na, nb).reduce(0) { $0 + $1.0 * $1.1 } / (normA * normB) : 1
        let omega = Foundation.acos(Swift.min(Swift.max(cosine, -1), 1))
        return (0..<steps).map { i in
            let t = Double(i) / Double(steps - 1)
            if spherical && Foundation.sin(omega) > 1e-6 {
                let wa = Foundation.sin((1 - t) * omega) / Foundation.sin(omega), wb = Foundation.sin(t * omega) / Foundation.sin(omega)
                return zip(na, nb).map { Float(wa * $0 + wb * $1) }
            }
            return zip(na, nb).map { Float((1 - t) * $0 + t * $1) }
        }
    }
}

/// Batches of distinct items.
public enum BatchSampling {
    /// `min(size, count)` distinct indices in `0..<count` (a partial Fisher–Yates shuffle drawn
    /// from `generator`): no item twice in a batch, and a set smaller than a batch is used whole.
    public static func distinctIndices(_ size: Int, from count: Int, using generator: inout SplitMix64) -> [Int] {
        var indices = Array(0..<count)
        let n = Swift.min(Swift.max(size, 0), count)
        for i in 0..<n {
            let j = i + Int(generator.next() % UInt64(count - i))
            indices.swapAt(i, j)
        }
        return Array(indices[0..<n])
    }
}
