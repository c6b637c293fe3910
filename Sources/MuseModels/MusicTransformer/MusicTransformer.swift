import Foundation
import MuseCore
import MuseEncoding

/// Magenta's Music Transformer (Huang et al., ICLR 2019): a decoder-only Transformer over
/// performance-event tokens.
///
///     x = dropout(embedding(tokens) · √E  [+ timing signal when positions are absolute])
///     x = layers(x)                        (pre-norm `MusicTransformerLayer`s, causal)
///     logits = final_norm(x) · embedding.weightᵀ   (tied)   or   output(final_norm(x))  (untied)
///
/// Parameter names (PyTorch's, as scripts/make_music_transformer_fixtures.py builds the same
/// model): `embedding.weight` [V, E], `layers.N.self_attn.{in_proj_weight, in_proj_bias,
/// relative_embeddings, out_proj.*}`, `layers.N.{linear1, linear2, norm1, norm2}.*`,
/// `final_norm.*`, and `output.*` when untied. The embedding starts N(0, 1/E) (tensor2tensor's
/// initializer), so the scaled embeddings have unit variance and tied logits start small.
public final class MusicTransformer: Module {
    /// The hyperparameters.
    public let config: MusicTransformerConfig
    /// Tokens V = performance classes + 2.
    public let vocabularySize: Int
    /// Token embeddings [V, E] (also the output matrix when tied).
    public let embedding: Embedding
    /// Dropout on the input embeddings.
    public let embeddingDropout: Dropout
    /// The decoder blocks, lowest first.
    public let layers: [MusicTransformerLayer]
    /// Layer norm after the last block (pre-norm models need it).
    public let finalNorm: LayerNorm
    /// Untied output projection E → V, `nil` when tied.
    public let output: Linear?
    public var isTraining = true
    public var children: [(name: String, module: any Module)] {
        // The embedding dropout is a child too (it has no weights): `train(false)` must reach it, or
        // evaluation would drop embeddings and draw from its generator, changing later training.
        var c: [(name: String, module: any Module)] = [("embedding", embedding), ("embedding_dropout", embeddingDropout)]
        for (k, layer) in layers.enumerated() { c.append(("layers.\(k)", layer)) }
        c.append(("final_norm", finalNorm))
        if let output { c.append(("output", output)) }
        return c
    }

    /// A freshly initialised model (seeded).
    /// - Throws: `ModelError.badField` for an invalid config.
    public init(config: MusicTransformerConfig, seed: UInt64) throws {
        try config.validate()
        self.config = config
        vocabularySize = try config.vocabularySize
        var generator = SplitMix64(seed: seed)
        embedding = Embedding(numEmbeddings: vocabularySize, embeddingDim: config.dModel, using: &generator)
        let scale = 1 / Float(config.dModel).squareRoot()
        embedding.weight.withUnsafeMutableBufferPointer { w in for i in w.indices { w[i] *= scale } }
        embeddingDropout = Dropout(probability: config.dropout, seed: seed &+ 1000)
        layers = (0..<config.numLayers).map {
            MusicTransformerLayer(config: config, seed: seed &+ 2000 &+ UInt64($0) &* 10, using: &generator)
        }
        finalNorm = LayerNorm(normalizedShape: [config.dModel])
        output = config.tiedEmbeddings ? nil : Linear(inFeatures: config.dModel, outFeatures: vocabularySize, using: &generator)
    }

    /// Training mode (dropout on) or evaluation mode (off), for every layer.
    public func setTraining(_ on: Bool) { train(on) }

    /// States of every dropout generator, so a resumed run draws the same masks.
    public var randomStates: [String: UInt64] {
        get {
            var s = ["embeddingDropout": embeddingDropout.generator.state]
            for (k, layer) in layers.enumerated() { for (name, v) in layer.randomStates { s["layers.\(k).\(name)"] = v } }
            return s
        }
        set {
            if let v = newValue["embeddingDropout"] { embeddingDropout.generator.state = v }
            for (k, layer) in layers.enumerated() {
                var mine: [String: UInt64] = [:]
                for (name, v) in newValue where name.hasPrefix("layers.\(k).") { mine[String(name.dropFirst("layers.\(k).".count))] = v }
                layer.randomStates = mine
            }
        }
    }

    /// tensor2tensor's `get_timing_signal_1d`: row p = [sin(p·τᵢ)…, cos(p·τᵢ)…] with
    /// τᵢ = 10⁻⁴ⁱ⁄⁽ⁿ⁻¹⁾, n = E/2 timescales (a zero column last when E is odd).
    /// - Returns: `length · E` scalars, row-major [length, E].
    public static func timingSignal(length: Int, channels: Int, startPosition: Int = 0) -> [Float] {
        let n = channels / 2
        let increment = log(1e4) / Double(max(n - 1, 1))
        var signal = [Float](repeating: 0, count: length * channels)
        for p in 0..<length {
            let position = Double(p + startPosition)
            for i in 0..<n {
                let angle = position * exp(-Double(i) * increment)
                signal[p * channels + i] = Float(sin(angle))
                signal[p * channels + n + i] = Float(cos(angle))
            }
        }
        return signal
    }

    /// Scaled embeddings (plus the timing signal for absolute positions) of `tokens` at positions
    /// `startPosition…`, before dropout. - Returns: [B, L, E]
    func embed(_ tokens: [Int], batch: Int, length: Int, startPosition: Int = 0) throws -> Tensor {
        let e = config.dModel
        var x = try embedding(tokens, shape: [batch, length]) * Float(e).squareRoot()
        if config.positions == .absolute {
            let signal = try Tensor(Self.timingSignal(length: length, channels: e, startPosition: startPosition), shape: [length, e])
            x = try x + signal
        }
        return x
    }

    /// The final hidden states → logits. - Parameter x: [B, L, E] - Returns: [B, L, V]
    func logits(fromHidden x: Tensor) throws -> Tensor {
        let h = try finalNorm(x)
        if let output { return try output(h) }
        return try h.matmul(embedding.weight, transposeB: true)
    }

    /// Logits of the next token at every position.
    /// - Parameters:
    ///   - tokens: B·L token ids, row-major (each row's first input is the start token 0).
    ///   - batch: B
    /// - Returns: [B, L, V]
    /// - Throws: `TensorError` for an id outside the vocabulary or a bad shape.
    public func callAsFunction(_ tokens: [Int], batch: Int) throws -> Tensor {
        guard batch > 0, tokens.count % batch == 0, !tokens.isEmpty else {
            throw ModelError.invalidArgument("\(tokens.count) tokens do not make \(batch) equal rows")
        }
        var x = try embeddingDropout(embed(tokens, batch: batch, length: tokens.count / batch))
        for layer in layers { x = try layer(x) }
        return try logits(fromHidden: x)
    }

    /// Mean cross-entropy (nats per predicted token) of `targets` (−100 = ignored) under the
    /// logits of `inputs`; both B·L row-major.
    public func loss(inputs: [Int], targets: [Int], batch: Int) throws -> Tensor {
        let logits = try self(inputs, batch: batch)
        return try crossEntropy(logits: logits.reshape([-1, vocabularySize]), targets: targets, ignoreIndex: -100)
    }

    /// Tokens of performance class indices (shifted by `tokenOffset`).
    public static func tokens(classIndices: [Int]) -> [Int] { classIndices.map { $0 + MusicTransformerConfig.tokenOffset } }

    /// Performance class indices of tokens, stopping at the first end-of-sequence token and
    /// skipping padding.
    public static func classIndices(tokens: [Int]) -> [Int] {
        var out: [Int] = []
        for t in tokens {
            if t == MusicTransformerConfig.endToken { break }
            if t >= MusicTransformerConfig.tokenOffset { out.append(t - MusicTransformerConfig.tokenOffset) }
        }
        return out
    }
}
