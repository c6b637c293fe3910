import Foundation
import MuseCore
import MuseTraining

/// The spectrogram VAE as a `TrainingTask` for the shared `Trainer`: each step draws
/// `batchSize` distinct training patches and ε from the trainer's data generator, and
/// weights the KL term by `config.beta(atStep:)` of the trainer's step (so a resumed run uses the
/// same β). Evaluation encodes every held-out patch to its mean and decodes it (no sampling).
public final class SpectrogramVAETrainingTask: LossTrainingTask {
    /// The model.
    public let model: SpectrogramVAE
    /// Training patches, each `[nMels, patchFrames]` mel-major.
    public let train: [[Float]]
    /// Held-out patches (the training patches are evaluated when there are none).
    public let eval: [[Float]]
    /// Steps completed before the current one (set by the trainer).
    public private(set) var step = 0
    public var module: any Module { model }
    public var bundleKind: String { SpectrogramVAEConfig.bundleKind }

    /// - Throws: `SpectrogramVAEError.invalidConfiguration` when there is no training patch,
    ///   `.badPatch` for a patch of the wrong size or with a non-finite value.
    public init(model: SpectrogramVAE, train: [[Float]], eval: [[Float]]) throws {
        guard !train.isEmpty else { throw SpectrogramVAEError.invalidConfiguration("no training patches") }
        _ = try model.tensor(train)
        if !eval.isEmpty { _ = try model.tensor(eval) }
        self.model = model
        self.train = train
        self.eval = eval
    }

    public func configJSON() throws -> Data { try ModelBundle.encode(model.config) }

    public func willTrain(step: Int) { self.step = step }

    /// Distinct patch indices (`BatchSampling.distinctIndices`), then ε ~ N(0, I) [batch, zSize], both from `generator`.
    public func trainingLoss(using generator: inout SplitMix64) throws -> Tensor {
        try trainingLoss(using: &generator, shard: .whole)
    }

    /// The global batch's patch indices and ε from `generator`, of which `shard`'s rows are scored.
    public func trainingLoss(using generator: inout SplitMix64, shard: TrainingShard) throws -> Tensor {
        let all = BatchSampling.distinctIndices(model.config.batchSize, from: train.count, using: &generator).map { train[$0] }
        let allEpsilon = Tensor.randn([all.count, model.config.zSize], using: &generator)
        let rows = try shard.rows(ofBatch: all.count)
        let batch = Array(all[rows])
        let epsilon = try shard.slice(allEpsilon, rows: rows)
        let loss = try model.loss(patches: model.tensor(batch), epsilon: epsilon, beta: model.config.beta(atStep: step)).total
        return shard.weighted(loss, local: batch.count, global: all.count)
    }

    /// loss: Σ_pixels (x̂ − x)²/2 + maxβ·KL per patch with z = μ (nats-like units, comparable across
    /// steps); `reconstruction_mse` (mean squared error per pixel of the [0, 1] patches), `kl`
    /// (nats per patch), `patches` evaluated.
    public func evaluate() throws -> Metrics {
        let patches = eval.isEmpty ? train : eval
        let pixels = model.config.nMels * model.config.patchFrames
        var squared = 0.0, kl = 0.0
        try noGrad {
            for start in stride(from: 0, to: patches.count, by: max(1, model.config.batchSize)) {
                let chunk = Array(patches[start..<min(patches.count, start + max(1, model.config.batchSize))])
                let x = try model.tensor(chunk)
                let (m, lv) = try model.encode(x)
                squared += Double(try (model.decode(m) - x).square().sum().item())
                kl += Double(try gaussianKLDivergence(mean: m, logVariance: lv).item()) * Double(chunk.count)
            }
        }
        let count = Double(patches.count)
        let loss = squared / 2 / count + Double(model.config.maxBeta) * kl / count
        return Metrics(["loss": loss, "reconstruction_mse": squared / count / Double(pixels), "kl": kl / count, "patches": count])
    }

    public func evaluationSummary(_ metrics: Metrics) -> String {
        String(format: "eval loss %.3f per patch, reconstruction MSE %.5f, KL %.2f nats over %d %@patches",
               metrics["loss"] ?? .nan, metrics["reconstruction_mse"] ?? .nan, metrics["kl"] ?? .nan, Int(metrics["patches"] ?? 0),
               eval.isEmpty ? "training " : "held-out ")
    }
}

extension SpectrogramVAE: BundledModel {
    public static var kindName: String { SpectrogramVAEConfig.bundleKind }

    public static func make(config: SpectrogramVAEConfig) throws -> SpectrogramVAE { try SpectrogramVAE(config: config) }

    /// The bundle kind: spectrogram VAEs reconstruct and interpolate audio.
    public static let bundleKind = registryEntry(summary: "spectrogram VAE (log-mel patches of audio)", capabilities: [.interpolate, .reconstruct])
}
