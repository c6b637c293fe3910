import Foundation
import MuseCore

/// Drawing a token from next-token logits as nanoGPT's `generate`: divide by the temperature,
/// keep the `topK` largest (ties at the k-th value kept), softmax, draw.
public enum TokenSampling {
    /// One token id from `logits` (one row of unnormalised scores).
    /// - Parameters:
    ///   - temperature: > 0 (1 = the model's distribution); 0 = the most likely token.
    ///   - topK: keep only this many most likely tokens (nil or ≥ vocabulary = all).
    public static func pick<G: RandomNumberGenerator>(_ logits: UnsafeBufferPointer<Float>, temperature: Float, topK: Int?,
                                                      using generator: inout G) -> Int {
        var best = 0
        for c in 1..<logits.count where logits[c] > logits[best] { best = c }
        if temperature <= 0 { return best }
        var threshold = -Float.infinity
        if let k = topK, k > 0, k < logits.count {
            threshold = logits.sorted(by: >)[k - 1]
        }
        let m = Double(logits[best])
        var weights = [Double](repeating: 0, count: logits.count)
        var total: Double = 0
        for c in 0..<logits.count where logits[c] >= threshold {
            weights[c] = Foundation.exp((Double(logits[c]) - m) / Double(temperature))
            total += weights[c]
        }
        var u = Double(generator.next() >> 11) * 0x1p-53 * total
        for c in 0..<logits.count where weights[c] > 0 {
            u -= weights[c]
            if u < 0 { return c }
        }
        return best
    }
}

extension GPT {
    /// Runs new positions `ids` [B·T] through the model with per-layer key/value caches, starting
    /// at position `start`. - Returns: the last position's logits [B, vocab].
    func forwardCached(_ ids: [Int], batch: Int, length: Int, start: Int, caches: inout [GPTLayerCache?]) throws -> Tensor {
        var x = try embed(ids, batch: batch, length: length, start: start)
        for (i, block) in transformer.h.blocks.enumerated() { x = try block(x, cache: &caches[i]) }
        let logits = try head(x)
        return try logits.narrow(axis: 1, start: length - 1, length: 1).reshape([batch, config.vocabSize])
    }

    /// Continues `prompt` `samples` times, `maxNewTokens` tokens each, as nanoGPT's `generate`
    /// (context cropped to the last `block_size` tokens), with a key/value cache: while the
    /// context fits in `block_size` each new token costs one position; once it is full the
    /// window is recomputed, as nanoGPT does at every step.
    /// - Parameters:
    ///   - prompt: at least one token id.
    ///   - temperature: > 0, or 0 for greedy decoding.
    ///   - topK: keep the k most likely tokens (nil = all).
    /// - Returns: the new tokens of each sample.
    /// - Throws: `TensorError.invalidArgument` for an empty prompt; `.indexOutOfRange` for an unknown id.
    public func generate<G: RandomNumberGenerator>(prompt: [Int], samples: Int, maxNewTokens: Int, temperature: Float, topK: Int?,
                                                   using generator: inout G) throws -> [[Int]] {
        guard !prompt.isEmpty else { throw TensorError.invalidArgument(op: "GPT generate", reason: "the prompt has no tokens") }
        guard samples > 0, maxNewTokens > 0 else { return Array(repeating: [], count: max(samples, 0)) }
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        return try noGrad {
            var sequences = Array(repeating: prompt, count: samples)
            var caches = [GPTLayerCache?](repeating: nil, count: config.nLayer)
            var cached = 0
            func window() throws -> Tensor {
                let length = min(config.blockSize, sequences[0].count)
                caches = [GPTLayerCache?](repeating: nil, count: config.nLayer)
                cached = length
                return try forwardCached(sequences.flatMap { $0.suffix(length) }, batch: samples, length: length, start: 0, caches: &caches)
            }
            var logits = try window()
            for step in 0..<maxNewTokens {
                logits.withUnsafeBufferPointer { p in
                    for s in 0..<samples {
                        let row = UnsafeBufferPointer(rebasing: p[(s * config.vocabSize)..<((s + 1) * config.vocabSize)])
                        sequences[s].append(TokenSampling.pick(row, temperature: temperature, topK: topK, using: &generator))
                    }
                }
                if step == maxNewTokens - 1 { break }
                if cached < config.blockSize {
                    logits = try forwardCached(sequences.map { $0[$0.count - 1] }, batch: samples, length: 1, start: cached, caches: &caches)
                    cached += 1
                } else {
                    logits = try window()
                }
            }
            return sequences.map { Array($0.dropFirst(prompt.count)) }
        }
    }
}
