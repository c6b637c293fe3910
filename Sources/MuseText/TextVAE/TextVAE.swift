import Foundation
import MuseCore

/// The three terms of a text VAE's loss for one batch, each in nats per line (mean over lines).
public struct TextVAELoss {
    /// Reconstruction + β·max(KL − free nats, 0) per line: the trained loss (−ELBO when β = 1
    /// and no free bits).
    public let total: Tensor
    /// −log p(line | z), summed over the line's tokens and its end.
    public let reconstruction: Tensor
    /// KL(q(z | line) ‖ N(0, I)).
    public let kl: Tensor
}

/// Bowman et al.'s sentence VAE (2016) as a PyTorch module with these parameter names:
/// `embedding` (vocab → E, shared by both LSTMs) → `encoder` (LSTM E → H, the top layer's output
/// at each line's last token) → `to_mean`, `to_log_variance` (Linear H → Z) → z = μ + e^(logσ²/2)·ε
/// → `latent_to_state` (Linear Z → 2·layers·H: the decoder's h₀ then c₀, when
/// `latentToInitialState`) → `decoder` (LSTM (E [+ Z]) → H, z concatenated to every input when
/// `latentAtEveryStep`) → `output` (Linear H → vocab).
public final class TextVAE: Module {
    /// Sizes.
    public let config: TextVAEConfig
    /// vocab → E, for both LSTMs.
    public let embedding: Embedding
    /// Reads the line.
    public let encoder: LSTM
    /// H → Z: μ.
    public let toMean: Linear
    /// H → Z: log σ².
    public let toLogVariance: Linear
    /// Z → 2·layers·H, or nil when z does not set the decoder's state.
    public let latentToState: Linear?
    /// Writes the line.
    public let decoder: LSTM
    /// H → vocab.
    public let output: Linear
    public var isTraining = true
    public var children: [(name: String, module: any Module)] {
        [("embedding", embedding), ("encoder", encoder), ("to_mean", toMean), ("to_log_variance", toLogVariance)]
            + (latentToState.map { [("latent_to_state", $0 as any Module)] } ?? [])
            + [("decoder", decoder), ("output", output)]
    }

    /// A VAE with PyTorch's default initialisation drawn from `seed`.
    /// - Throws: `TrainingError.badField` for a config that makes no sense.
    public init(config: TextVAEConfig, seed: UInt64 = 0) throws {
        try config.validate()
        self.config = config
        let e = config.embeddingSize, h = config.hiddenSize, z = config.latentSize, layers = config.numLayers
        var rng = SplitMix64(seed: seed)
        embedding = Embedding(numEmbeddings: config.vocabSize, embeddingDim: e, using: &rng)
        encoder = LSTM(inputSize: e, hiddenSize: h, numLayers: layers, batchFirst: true, using: &rng)
        toMean = Linear(inFeatures: h, outFeatures: z, using: &rng)
        toLogVariance = Linear(inFeatures: h, outFeatures: z, using: &rng)
        latentToState = config.latentToInitialState ? Linear(inFeatures: z, outFeatures: 2 * layers * h, using: &rng) : nil
        decoder = LSTM(inputSize: e + (config.latentAtEveryStep ? z : 0), hiddenSize: h, numLayers: layers, batchFirst: true, using: &rng)
        output = Linear(inFeatures: h, outFeatures: config.vocabSize, using: &rng)
    }

    /// The posterior of each line of `batch`.
    /// - Returns: μ and log σ², each [B, Z].
    public func encode(_ batch: TextVAEBatch) throws -> (mean: Tensor, logVariance: Tensor) {
        let b = batch.count, l = batch.length, h = config.hiddenSize
        let (states, _) = try encoder(embedding(batch.encoderInputs, shape: [b, l]))  // [B, L, H]
        let last = try states.reshape([b * l, h]).indexSelect(axis: 0, indices: batch.lengths.enumerated().map { $0.offset * l + $0.element - 1 })
        return (try toMean(last), try toLogVariance(last))
    }

    /// z = μ + e^(logσ²/2)·ε. - Parameter epsilon: [B, Z] standard normal draws.
    public static func reparameterize(mean: Tensor, logVariance: Tensor, epsilon: Tensor) throws -> Tensor {
        try mean + (logVariance * 0.5).exp() * epsilon
    }

    /// The decoder's initial state from z [B, Z], or nil (zeros) when z does not set it.
    /// - Returns: h₀ and c₀, each [layers, B, H].
    public func initialState(_ z: Tensor) throws -> LSTMState? {
        guard let latentToState else { return nil }
        let b = z.shape[0], layers = config.numLayers, h = config.hiddenSize
        let both = try latentToState(z).reshape([b, 2 * layers, h]).permute([1, 0, 2])  // [2·layers, B, H]
        return LSTMState(hidden: try both.narrow(axis: 0, start: 0, length: layers), cell: try both.narrow(axis: 0, start: layers, length: layers))
    }

    /// Decoder logits for `inputs` (B·T ids) given z [B, Z], starting from `state` (the initial
    /// state from z when nil).
    /// - Returns: logits [B, T, vocab] and the decoder's state after the last step.
    public func decode(_ inputs: [Int], batch: Int, length: Int, z: Tensor, state: LSTMState?) throws -> (logits: Tensor, state: LSTMState) {
        var x = try embedding(inputs, shape: [batch, length])  // [B, T, E]
        if config.latentAtEveryStep {
            x = try Tensor.concat([x, z.unsqueeze(axis: 1).expand(to: [batch, length, config.latentSize])], axis: 2)  // [B, T, E + Z]
        }
        let (hidden, next) = try decoder(x, try state ?? initialState(z))
        return (try output(hidden), next)
    }

    /// The loss of `batch` (its decoder inputs as given, word dropout already applied) with the
    /// posterior sample drawn by `epsilon` [B, Z], the KL term weighted by `klWeight` (β): each
    /// line's KL above `config.freeBits` (in bits) counts, as MusicVAE's free bits do; the
    /// reported `kl` is the whole KL.
    /// - Returns: the terms, nats per line, and the decoder's logits [B, L + 1, vocab].
    public func loss(_ batch: TextVAEBatch, epsilon: Tensor, klWeight: Float) throws -> (loss: TextVAELoss, logits: Tensor) {
        let (mean, logVariance) = try encode(batch)
        let z = try Self.reparameterize(mean: mean, logVariance: logVariance, epsilon: epsilon)
        let steps = batch.length + 1
        let (logits, _) = try decode(batch.decoderInputs, batch: batch.count, length: steps, z: z, state: nil)
        // cross_entropy's mean over the predicted tokens, times tokens per line: summed nats per line.
        let perToken = try crossEntropy(logits: logits.reshape([batch.count * steps, config.vocabSize]), targets: batch.targets,
                                        ignoreIndex: TextVAEBatch.ignoreIndex)
        let reconstruction = perToken * (Float(batch.targetCount) / Float(batch.count))
        let klPerLine = try gaussianKLDivergencePerRow(mean: mean, logVariance: logVariance)  // [B]
        let freeNats = config.freeBits * Float(Foundation.log(2.0))
        let klCost = freeNats > 0 ? (klPerLine - freeNats).clamp(min: 0).mean() : klPerLine.mean()
        return (TextVAELoss(total: try reconstruction + klCost * klWeight, reconstruction: reconstruction, kl: klPerLine.mean()), logits)
    }

    /// Decodes each row of z [B, Z] into a line: begin, then one token at a time fed back until
    /// the end id or `config.maxLength` tokens (begin and mask ids are never chosen, nor `banned`).
    /// - Parameters: temperature 0 = the most likely token (greedy); > 0 samples; banned: ids
    ///   never chosen (the tokens holding a newline, so a line stays one line).
    /// - Returns: B lines of tokenizer ids (end excluded).
    public func generate<G: RandomNumberGenerator>(z: Tensor, temperature: Float, banned: [Int] = [], using generator: inout G) throws -> [[Int]] {
        let b = z.shape[0], v = config.vocabSize
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        return try noGrad {
            var lines = [[Int]](repeating: [], count: b)
            var done = [Bool](repeating: false, count: b)
            var inputs = [Int](repeating: config.bosID, count: b)
            var state: LSTMState?
            var row = [Float](repeating: 0, count: v)
            for _ in 0...config.maxLength {
                let (logits, next) = try decode(inputs, batch: b, length: 1, z: z, state: state)
                state = next
                logits.withUnsafeBufferPointer { p in
                    for s in 0..<b where !done[s] {
                        for c in 0..<v { row[c] = p[s * v + c] }
                        row[config.bosID] = -.infinity
                        row[config.unkID] = -.infinity
                        for id in banned where id >= 0 && id < v { row[id] = -.infinity }
                        if lines[s].count == config.maxLength { row.withUnsafeMutableBufferPointer { r in for c in 0..<v where c != config.eosID { r[c] = -.infinity } } }
                        let id = row.withUnsafeBufferPointer { TokenSampling.pick($0, temperature: temperature, topK: nil, using: &generator) }
                        if id == config.eosID { done[s] = true } else { lines[s].append(id); inputs[s] = id }
                    }
                }
                if done.allSatisfy({ $0 }) { break }
            }
            return lines
        }
    }

    /// μ of each line (tokenizer ids, each non-empty), [B, Z] (no gradient).
    /// - Throws: `TensorError.invalidArgument` for an empty line.
    public func means(of lines: [[Int32]]) throws -> Tensor {
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        return try noGrad { try encode(TextVAEBatch(lines: lines, config: config)).mean }
    }
}
