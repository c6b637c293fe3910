import Foundation
import MuseEncoding

/// A first-order Markov baseline: p(label_t | class of event_{t−1}), add-one smoothed, fitted by
/// counting. The bar a melody RNN must clear to show it learned more than "what follows what".
public struct BigramMelodyModel: Sendable {
    /// Event classes (rows: previous event's one-hot class).
    public let rowCount: Int
    /// Label classes (columns).
    public let classCount: Int
    /// log p[row · classCount + label], nats.
    public private(set) var logProbabilities: [Double]
    let encoder: any MelodyEncoder

    /// Fits the table on `melodies` with add-one (Laplace) smoothing.
    /// - Throws: `EncodingError` for events outside the encoding.
    public init(encoder: any MelodyEncoder, melodies: [[Int]]) throws {
        self.encoder = encoder
        rowCount = encoder.oneHot.classCount
        classCount = encoder.classCount
        var counts = [Double](repeating: 1, count: rowCount * classCount)
        for m in melodies where m.count >= 2 {
            for t in 1..<m.count {
                counts[try encoder.oneHot.encode(event: m[t - 1]) * classCount + (try encoder.label(events: m, position: t))] += 1
            }
        }
        logProbabilities = counts
        for r in 0..<rowCount {
            let total = counts[(r * classCount)..<((r + 1) * classCount)].reduce(0, +)
            for c in 0..<classCount { logProbabilities[r * classCount + c] = Foundation.log(counts[r * classCount + c] / total) }
        }
    }

    /// Scores melodies exactly as `MelodyRNN.score` does (same labels, same accuracy rule).
    public func score(_ melodies: [[Int]]) throws -> [MelodyScore] {
        try melodies.map { m in
            var lp: [Float] = []
            var correct = 0
            for t in 1..<max(1, m.count) {
                let row = try encoder.oneHot.encode(event: m[t - 1]) * classCount
                let y = try encoder.label(events: m, position: t)
                lp.append(Float(logProbabilities[row + y]))
                var best = 0
                for c in 1..<classCount where logProbabilities[row + c] > logProbabilities[row + best] { best = c }
                if best == y { correct += 1 }
            }
            return MelodyScore(logProbabilities: lp, correct: correct)
        }
    }
}
