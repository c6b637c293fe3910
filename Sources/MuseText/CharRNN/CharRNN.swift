import Foundation
import MuseCore

/// Karpathy's char-rnn as a PyTorch module: token embedding (`encoder`, vocab → H), a multi-layer
/// LSTM (`rnn`, batch first) and a linear read-out (`decoder`, H → vocab), with PyTorch's names
/// and initialisation. The LSTM state is returned so training can carry it across batches
/// (truncated back-propagation through time).
public final class CharRNN: Module {
    /// Sizes.
    public let config: CharRNNConfig
    /// vocab → H
    public let encoder: Embedding
    /// The stacked LSTM.
    public let rnn: LSTM
    /// H → vocab
    public let decoder: Linear
    public var isTraining = true
    public var children: [(name: String, module: any Module)] { [("encoder", encoder), ("rnn", rnn), ("decoder", decoder)] }

    /// A char-rnn with PyTorch's default initialisation drawn from `seed`.
    /// - Throws: `TrainingError.badField` for a config that makes no sense.
    public init(config: CharRNNConfig, seed: UInt64 = 0) throws {
        try config.validate()
        self.config = config
        var rng = SplitMix64(seed: seed)
        encoder = Embedding(numEmbeddings: config.vocabSize, embeddingDim: config.hiddenSize, using: &rng)
        rnn = LSTM(inputSize: config.hiddenSize, hiddenSize: config.hiddenSize, numLayers: config.numLayers, batchFirst: true,
                   dropout: config.dropout, dropoutSeed: seed &+ 1, using: &rng)
        decoder = Linear(inFeatures: config.hiddenSize, outFeatures: config.vocabSize, using: &rng)
    }

    /// The inter-layer dropout generator's state (for exact resume).
    public var randomStates: [String: UInt64] {
        get { rnn.interLayerDropout.map { ["rnn.dropout": $0.generator.state] } ?? [:] }
        set { if let s = newValue["rnn.dropout"] { rnn.interLayerDropout?.generator.state = s } }
    }

    /// Logits for every position and the final state.
    /// - Parameters:
    ///   - ids: B·T token ids, row-major.
    ///   - state: the state to start from (zeros when nil).
    /// - Returns: logits [B, T, vocab] and the LSTM state after the last position.
    public func callAsFunction(_ ids: [Int], batch: Int, length: Int, state: LSTMState?) throws -> (logits: Tensor, state: LSTMState) {
        let (h, next) = try rnn(encoder(ids, shape: [batch, length]), state)
        return (try decoder(h), next)
    }

    /// The state with its history cut (so back-propagation stops at the batch boundary).
    public static func detach(_ state: LSTMState) -> LSTMState { LSTMState(hidden: state.hidden.detach(), cell: state.cell.detach()) }

    /// Continues `prompt` `samples` times: the prompt runs through the LSTM once, then each new
    /// token is fed back one step at a time (the state carries the whole history).
    /// - Throws: `TensorError.invalidArgument` for an empty prompt.
    public func generate<G: RandomNumberGenerator>(prompt: [Int], samples: Int, maxNewTokens: Int, temperature: Float, topK: Int?,
                                                   using generator: inout G) throws -> [[Int]] {
        guard !prompt.isEmpty else { throw TensorError.invalidArgument(op: "char-rnn generate", reason: "the prompt has no tokens") }
        guard samples > 0, maxNewTokens > 0 else { return Array(repeating: [], count: max(samples, 0)) }
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        return try noGrad {
            var out = [[Int]](repeating: [], count: samples)
            var (logits, state) = try self(Array(repeating: prompt, count: samples).flatMap { $0 }, batch: samples, length: prompt.count, state: nil)
            logits = try logits.narrow(axis: 1, start: prompt.count - 1, length: 1).reshape([samples, config.vocabSize])
            for step in 0..<maxNewTokens {
                logits.withUnsafeBufferPointer { p in
                    for s in 0..<samples {
                        let row = UnsafeBufferPointer(rebasing: p[(s * config.vocabSize)..<((s + 1) * config.vocabSize)])
                        out[s].append(TokenSampling.pick(row, temperature: temperature, topK: topK, using: &generator))
                    }
                }
                if step == maxNewTokens - 1 { break }
                (logits, state) = try self(out.map { $0[$0.count - 1] }, batch: samples, length: 1, state: state)
                logits = try logits.reshape([samples, config.vocabSize])
            }
            return out
        }
    }
}
