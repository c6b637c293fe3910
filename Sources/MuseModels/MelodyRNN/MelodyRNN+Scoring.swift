import Foundation
import MuseCore
import MuseEncoding
import MuseTraining

/// How well a model predicts one melody: the log-probability of every event that occurs.
public struct MelodyScore: Equatable, Sendable, Codable {
    /// ln p(label_t | events before t) for t = 1 ..< n, in nats (model classes, so a lookback
    /// model scores its repeat classes where they apply).
    public var logProbabilities: [Float]
    /// Steps whose most likely class was the true one.
    public var correct: Int
    /// Number of scored steps (events − 1).
    public var count: Int { logProbabilities.count }
    /// Mean log-likelihood per step, nats (0 for an empty melody).
    public var meanLogLikelihood: Double {
        count == 0 ? 0 : logProbabilities.reduce(0) { $0 + Double($1) } / Double(count)
    }
    /// Fraction of steps predicted right.
    public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }
}

/// Totals over many melodies.
public struct EvaluationMetrics: Equatable, Sendable, Codable {
    /// Mean negative log-likelihood per step, nats (the cross-entropy loss).
    public var loss: Double
    /// Fraction of steps predicted right.
    public var accuracy: Double
    /// Steps scored.
    public var steps: Int
    /// Metrics from totals.
    public init(loss: Double, accuracy: Double, steps: Int) { self.loss = loss; self.accuracy = accuracy; self.steps = steps }
    /// Pools per-melody scores, weighting every step equally.
    public init(scores: [MelodyScore]) {
        let n = scores.reduce(0) { $0 + $1.count }
        let ll = scores.reduce(0.0) { $0 + $1.meanLogLikelihood * Double($1.count) }
        let c = scores.reduce(0) { $0 + $1.correct }
        self.init(loss: n == 0 ? .nan : -ll / Double(n), accuracy: n == 0 ? 0 : Double(c) / Double(n), steps: n)
    }
    /// As the trainer records them: loss (nats/step), perplexity, accuracy, steps.
    public var metrics: Metrics {
        Metrics(["loss": loss, "perplexity": Foundation.exp(loss), "accuracy": accuracy, "steps": Double(steps)])
    }
}

extension MelodyRNN {
    /// Scores melodies under the model (evaluation mode, no graph), `batchSize` melodies per forward pass.
    /// - Parameter melodies: melody events (-2 no event, -1 note off, pitches inside the model's range).
    /// - Throws: `EncodingError.pitchOutOfRange` for an event the encoding cannot hold.
    public func score(_ melodies: [[Int]], batchSize: Int = 64) throws -> [MelodyScore] {
        let wasTraining = isTraining
        setTraining(false)
        defer { setTraining(wasTraining) }
        var scores: [MelodyScore] = []
        try noGrad {
            for start in stride(from: 0, to: melodies.count, by: max(1, batchSize)) {
                let chunk = Array(melodies[start..<min(melodies.count, start + max(1, batchSize))])
                let (inputs, labels) = try encodeBatch(chunk)
                let T = inputs.shape[1], C = encoder.classCount
                let logp = try self(inputs).logits.logSoftmax(axis: -1)
                logp.withUnsafeBufferPointer { p in
                    for (b, events) in chunk.enumerated() {
                        var lp: [Float] = []
                        var correct = 0
                        for t in 0..<max(0, events.count - 1) {
                            let row = (b * T + t) * C, y = labels[b * T + t]
                            lp.append(p[row + y])
                            var best = 0
                            for c in 1..<C where p[row + c] > p[row + best] { best = c }
                            if best == y { correct += 1 }
                        }
                        scores.append(MelodyScore(logProbabilities: lp, correct: correct))
                    }
                }
            }
        }
        return scores
    }
}
