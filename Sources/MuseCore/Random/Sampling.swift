import Foundation

extension Tensor {
    /// Draws one class index per row from softmax(logits / temperature), using `generator`.
    ///
    /// - Parameters:
    ///   - logits: [N, C] (or [C], one row) unnormalised scores.
    ///   - temperature: > 0; lower is greedier. `0` returns the argmax of each row.
    /// - Returns: N indices in 0..<C.
    /// - Throws: `TensorError.invalidShape` for rank > 2 or C = 0, `.invalidArgument` for a
    ///   negative temperature.
    public func sampleCategorical<G: RandomNumberGenerator>(temperature: Float = 1, using generator: inout G) throws -> [Int] {
        guard rank == 1 || rank == 2, let classes = shape.last, classes > 0 else {
            throw TensorError.invalidShape(op: "sample_categorical", shape: shape, reason: "expected [N, C] or [C] with C > 0")
        }
        guard temperature >= 0 else {
            throw TensorError.invalidArgument(op: "sample_categorical", reason: "temperature \(temperature) is negative")
        }
        let rows = count / classes
        let p = storage.pointer
        var out: [Int] = []
        out.reserveCapacity(rows)
        var weights = [Double](repeating: 0, count: classes)
        for r in 0..<rows {
            let row = p + r * classes
            var best = 0
            for c in 1..<classes where row[c] > row[best] { best = c }
            if temperature == 0 { out.append(best); continue }
            let m = Double(row[best])
            var total: Double = 0
            for c in 0..<classes {
                weights[c] = Foundation.exp((Double(row[c]) - m) / Double(temperature))
                total += weights[c]
            }
            var u = Double(generator.next() >> 11) * (1.0 / 9_007_199_254_740_992.0) * total
            var pick = classes - 1
            for c in 0..<classes {
                u -= weights[c]
                if u < 0 { pick = c; break }
            }
            out.append(pick)
        }
        return out
    }
}
