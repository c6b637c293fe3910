import Foundation
import MuseCore

/// Flat MusicVAE (Roberts et al. 2018, "A Hierarchical Latent Vector Model for Learning Long-Term
/// Structure in Music"), built as Magenta's `BidirectionalLstmEncoder` + `CategoricalLstmDecoder`
/// (`magenta/models/music_vae/lstm_models.py`, `base_model.py`):
///
/// - encoder: bidirectional LSTM over one-hot events; the final forward and backward hidden states
///   of the top layer, concatenated, give μ = `mu(h)` and σ = softplus(`sigma(h)`);
/// - z = μ + σ·ε, ε ~ N(0, I);
/// - decoder: the initial (c, h) of every layer is tanh(`decoder_init(z)`), split per layer as
///   (c, h); its input at step t is [one-hot event t−1 (zeros at t = 0), z]; `output` maps the
///   top layer to logits.
///
/// Parameter names (`encoder.weight_ih_l0_reverse`, `mu.weight`, `decoder_init.bias`, …) are those
/// of the matching `torch.nn` modules, so weights round-trip through safetensors with PyTorch.
public final class MusicVAE: Module {
    /// Hyperparameters.
    public let config: MusicVAEConfig
    /// Bidirectional encoder LSTM, input `classCount`.
    public let encoder: LSTM
    /// μ layer [2·encoderHidden → zSize].
    public let mu: Linear
    /// Pre-softplus σ layer [2·encoderHidden → zSize].
    public let sigma: Linear
    /// z → initial (c, h) of every decoder layer [zSize → decoderLayers·2·decoderHidden].
    public let decoderInit: Linear
    /// Decoder LSTM, input `classCount + zSize`.
    public let decoder: LSTM
    /// Top decoder layer → logits [decoderHidden → classCount].
    public let output: Linear
    public var isTraining = true

    public var children: [(name: String, module: any Module)] {
        [("encoder", encoder), ("mu", mu), ("sigma", sigma), ("decoder_init", decoderInit), ("decoder", decoder), ("output", output)]
    }

    /// A freshly initialised model: LSTMs and the output layer as PyTorch initialises them; the
    /// μ, σ and initial-state layers as Magenta's (weights N(0, 0.001²), biases 0).
    /// - Throws: `MusicVAEError.invalidConfiguration`.
    public init(config: MusicVAEConfig) throws {
        try config.validate()
        self.config = config
        var rng = SplitMix64(seed: config.seed)
        let C = config.classCount, Z = config.zSize
        encoder = LSTM(inputSize: C, hiddenSize: config.encoderHiddenSize, numLayers: config.encoderLayers,
                       bidirectional: true, using: &rng)
        mu = Linear(inFeatures: 2 * config.encoderHiddenSize, outFeatures: Z, using: &rng)
        sigma = Linear(inFeatures: 2 * config.encoderHiddenSize, outFeatures: Z, using: &rng)
        decoderInit = Linear(inFeatures: Z, outFeatures: 2 * config.decoderLayers * config.decoderHiddenSize, using: &rng)
        decoder = LSTM(inputSize: C + Z, hiddenSize: config.decoderHiddenSize, numLayers: config.decoderLayers, using: &rng)
        output = Linear(inFeatures: config.decoderHiddenSize, outFeatures: C, using: &rng)
        for layer in [mu, sigma, decoderInit] {
            try layer.weight.copy(from: Tensor.randn(layer.weight.shape, standardDeviation: 0.001, using: &rng))
            try layer.bias?.copy(from: Tensor.zeros(layer.bias!.shape))
        }
    }

    // MARK: - Encoder

    /// The posterior q(z | x).
    /// - Parameter events: [batch, seq, classCount] one-hot events.
    /// - Returns: μ and σ, each [batch, zSize].
    public func encode(_ events: Tensor) throws -> (mu: Tensor, sigma: Tensor) {
        let (_, state) = try encoder(events)
        let B = events.shape[0], H = config.encoderHiddenSize, top = 2 * (config.encoderLayers - 1)
        let forward = try state.hidden.narrow(axis: 0, start: top, length: 1).reshape([B, H])
        let backward = try state.hidden.narrow(axis: 0, start: top + 1, length: 1).reshape([B, H])
        let h = try Tensor.concat([forward, backward], axis: 1)  // [B, 2H]
        return (try mu(h), try sigma(h).softplus())
    }

    // MARK: - Decoder

    /// The decoder's initial state from z: tanh(dense(z)) split per layer into (c, h).
    /// - Parameter z: [batch, zSize]. - Returns: h and c, each [decoderLayers, batch, decoderHidden].
    public func initialState(_ z: Tensor) throws -> LSTMState {
        let B = z.shape[0], L = config.decoderLayers, H = config.decoderHiddenSize
        let flat = try decoderInit(z).tanh().reshape([B, L, 2, H])
        let c = try flat.narrow(axis: 2, start: 0, length: 1).reshape([B, L, H]).permute([1, 0, 2])
        let h = try flat.narrow(axis: 2, start: 1, length: 1).reshape([B, L, H]).permute([1, 0, 2])
        return LSTMState(hidden: h, cell: c)
    }

    /// Teacher-forced logits: step t sees the true event t−1.
    /// - Parameters: events [batch, seq, classCount] one-hot; z [batch, zSize].
    /// - Returns: [batch, seq, classCount] logits.
    public func decodeTeacherForced(_ events: Tensor, z: Tensor) throws -> Tensor {
        let B = events.shape[0], T = events.shape[1], C = events.shape[2]
        let previous = try Tensor.concat([Tensor.zeros([B, 1, C]), events.narrow(axis: 1, start: 0, length: T - 1)], axis: 1)
        let input = try Tensor.concat([previous, z.unsqueeze(axis: 1).expand(to: [B, T, config.zSize])], axis: 2)
        let (y, _) = try decoder(input, initialState(z))
        return try output(y)
    }

    /// Logits with scheduled sampling: at each step after the first, each sequence is fed its own
    /// sample from the previous step's logits with probability `probability`, else the truth.
    /// The coin flips are drawn first; the decoder then runs fused over each stretch of steps in
    /// which no sequence is fed a sample, so a small probability costs little more than teacher
    /// forcing.
    /// - Returns: [batch, seq, classCount] logits.
    public func decodeScheduled<G: RandomNumberGenerator>(_ events: Tensor, z: Tensor, probability: Float,
                                                          using generator: inout G) throws -> Tensor {
        let B = events.shape[0], T = events.shape[1], C = events.shape[2]
        // fed[t][b]: sequence b's input at step t is its own sample (never at t = 0).
        var fed = [[Bool]](repeating: [Bool](repeating: false, count: B), count: T)
        for t in 1..<max(T, 1) { for b in 0..<B { fed[t][b] = Float.random(in: 0..<1, using: &generator) < probability } }
        var starts = [0] + (1..<max(T, 1)).filter { t in fed[t].contains(true) }
        if T == 0 { starts = [] }
        var state = try initialState(z)
        let truth = events.scalars
        var logits: [Tensor] = []
        var lastLogits: Tensor?  // [B, C] logits of the step before the current stretch
        for (k, start) in starts.enumerated() {
            let end = k + 1 < starts.count ? starts[k + 1] : T
            let L = end - start
            // Inputs of steps start..<end: the true previous event, or a sample at the first step.
            var input = [Float](repeating: 0, count: B * L * C)
            let sampled = try lastLogits.map { try Self.sample(logits: $0, temperature: 1, using: &generator) }
            for b in 0..<B {
                for t in start..<end where t > 0 {
                    let row = (b * L + (t - start)) * C
                    if t == start, fed[t][b], let sampled {
                        input[row + sampled[b]] = 1
                    } else {
                        for c in 0..<C { input[row + c] = truth[(b * T + t - 1) * C + c] }
                    }
                }
            }
            let x = try Tensor.concat([Tensor(input, shape: [B, L, C]), z.unsqueeze(axis: 1).expand(to: [B, L, config.zSize])], axis: 2)
            let (y, next) = try decoder(x, state)
            state = next
            let stretch = try output(y)  // [B, L, C]
            logits.append(stretch)
            lastLogits = try stretch.narrow(axis: 1, start: L - 1, length: 1).detach().reshape([B, C])
        }
        return try Tensor.concat(logits, axis: 1)
    }

    /// Decodes latents autoregressively, feeding back each step's chosen class.
    /// - Parameters:
    ///   - z: [batch, zSize].
    ///   - temperature: logits are divided by it before sampling; `0` takes the argmax (greedy).
    /// - Returns: `batch` windows of `sequenceLength` class indices.
    public func decode<G: RandomNumberGenerator>(_ z: Tensor, temperature: Float, using generator: inout G) throws -> [[Int]] {
        try noGrad {
            let B = z.shape[0], C = config.classCount, T = config.sequenceLength
            var state = try initialState(z)
            var previous = Tensor.zeros([B, 1, C])
            let zStep = try z.unsqueeze(axis: 1)
            var out = [[Int]](repeating: [], count: B)
            for _ in 0..<T {
                let (y, next) = try decoder(Tensor.concat([previous, zStep], axis: 2), state)
                state = next
                let logits = try output(y).reshape([B, C])
                let chosen = temperature > 0
                    ? try Self.sample(logits: logits, temperature: temperature, using: &generator)
                    : try logits.argmax(axis: 1).indices()
                var fed = [Float](repeating: 0, count: B * C)
                for b in 0..<B { out[b].append(chosen[b]); fed[b * C + chosen[b]] = 1 }
                previous = try Tensor(fed, shape: [B, 1, C])
            }
            return out
        }
    }

    /// Draws one class per row from softmax(logits / temperature).
    /// - Parameter logits: [batch, classes]. - Returns: `batch` class indices.
    static func sample<G: RandomNumberGenerator>(logits: Tensor, temperature: Float, using generator: inout G) throws -> [Int] {
        let B = logits.shape[0], C = logits.shape[1]
        let values = logits.scalars
        var out: [Int] = []
        out.reserveCapacity(B)
        for b in 0..<B {
            let row = values[(b * C)..<((b + 1) * C)]
            let top = row.max() ?? 0
            let weights = row.map { Foundation.exp(Double(($0 - top) / temperature)) }
            var u = Double.random(in: 0..<1, using: &generator) * weights.reduce(0, +)
            var pick = C - 1
            for (c, w) in weights.enumerated() { u -= w; if u < 0 { pick = c; break } }
            out.append(pick)
        }
        return out
    }

    // MARK: - Loss

    /// The terms of one training step's loss, each a mean over the batch.
    public struct Loss {
        /// recon + β·klCost, rank 0 (differentiable).
        public var total: Tensor
        /// Σ over steps of cross-entropy, in nats per sequence.
        public var reconstruction: Float
        /// KL(q(z|x) ‖ N(0, I)) in nats per sequence (before free bits).
        public var kl: Float
        /// Teacher-forced (or scheduled) step accuracy of the argmax.
        public var accuracy: Float
    }

    /// Magenta's loss: mean over the batch of Σ_t cross-entropy + β·max(KL − free_nats, 0),
    /// free_nats = freeBits·ln 2.
    /// - Parameters:
    ///   - events: [batch, seq, classCount] one-hot; targets: batch·seq class indices.
    ///   - epsilon: [batch, zSize] standard normal noise (z = μ + σ·ε).
    ///   - samplingProbability: scheduled-sampling probability (0: pure teacher forcing).
    public func loss<G: RandomNumberGenerator>(events: Tensor, targets: [Int], epsilon: Tensor, beta: Float,
                                               samplingProbability: Float = 0, using generator: inout G) throws -> Loss {
        let B = events.shape[0], T = events.shape[1], C = events.shape[2]
        let (m, s) = try encode(events)
        let z = try m + s * epsilon
        let logits = samplingProbability > 0
            ? try decodeScheduled(events, z: z, probability: samplingProbability, using: &generator)
            : try decodeTeacherForced(events, z: z)
        let flat = try logits.reshape([B * T, C])
        let reconstruction = try crossEntropy(logits: flat, targets: targets) * Float(T)
        // KL of N(μ, σ²) from N(0, 1), per sequence: ½ Σ (σ² + μ² − 1 − 2 log σ).
        let klPerSequence = try ((s.square() + m.square() - 1 - 2 * s.log()) * 0.5).sum(axis: 1)  // [B]
        let freeNats = config.freeBits * Float(Foundation.log(2.0))
        let klCost = (klPerSequence - freeNats).clamp(min: 0).mean()
        let total = try reconstruction + klCost * beta
        let predicted = try flat.argmax(axis: 1).indices()
        let correct = zip(predicted, targets).filter { $0 == $1 }.count
        return Loss(total: total, reconstruction: reconstruction.item(), kl: klPerSequence.mean().item(),
                    accuracy: Float(correct) / Float(max(targets.count, 1)))
    }

    // MARK: - Windows ↔ tensors

    /// One-hot tensor of class windows.
    /// - Parameter windows: each `sequenceLength` class indices in `0..<classCount`.
    /// - Returns: [windows.count, sequenceLength, classCount].
    /// - Throws: `MusicVAEError.badWindow` for a wrong length or class.
    public func oneHot(_ windows: [[Int]]) throws -> Tensor {
        let T = config.sequenceLength, C = config.classCount
        var values = [Float](repeating: 0, count: windows.count * T * C)
        for (b, window) in windows.enumerated() {
            guard window.count == T else { throw MusicVAEError.badWindow(reason: "\(window.count) steps, expected \(T)") }
            for (t, c) in window.enumerated() {
                guard c >= 0 && c < C else { throw MusicVAEError.badWindow(reason: "class \(c) at step \(t) is outside 0..<\(C)") }
                values[(b * T + t) * C + c] = 1
            }
        }
        return try Tensor(values, shape: [windows.count, T, C])
    }
}
