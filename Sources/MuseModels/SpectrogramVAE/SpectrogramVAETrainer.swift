import Foundation
import MuseCore

/// Trains a `SpectrogramVAE` with Adam, gradient clipping and KL warm-up; checkpoints are bundle
/// folders (`config.json`, `model.safetensors`, `optimizer.safetensors`, `trainer_state.json`).
public final class SpectrogramVAETrainer {
    /// The model being trained.
    public let model: SpectrogramVAE
    /// Its optimizer.
    public let optimizer: Adam
    /// Steps taken.
    public private(set) var step = 0
    /// Generator of batches and ε.
    public var generator: SplitMix64

    private struct State: Codable { var step: Int; var generator: SplitMix64 }

    /// A trainer at step 0.
    public init(model: SpectrogramVAE) {
        self.model = model
        optimizer = Adam(model.namedParameters(), learningRate: model.config.learningRate)
        generator = SplitMix64(seed: model.config.seed &+ 0x5eed)
    }

    /// One step on `patches`. - Returns: the loss terms and β used.
    @discardableResult
    public func trainStep(on patches: [[Float]]) throws -> (loss: SpectrogramVAE.Loss, beta: Float) {
        model.train()
        let x = try model.tensor(patches)
        let beta = model.config.beta(atStep: step)
        let loss = try model.loss(patches: x, epsilon: Tensor.randn([patches.count, model.config.zSize], using: &generator), beta: beta)
        optimizer.zeroGrad()
        loss.total.backward()
        clipGradientNorm(model.parameters(), maxNorm: model.config.gradientClipNorm)
        optimizer.step()
        step += 1
        return (loss, beta)
    }

    /// A random batch (with replacement).
    public func randomBatch(from patches: [[Float]]) -> [[Float]] {
        (0..<min(model.config.batchSize, patches.count)).map { _ in patches[Int.random(in: 0..<patches.count, using: &generator)] }
    }

    /// Writes a checkpoint bundle.
    public func save(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(model.config), to: directory.appendingPathComponent("config.json"))
        try model.save(to: directory.appendingPathComponent("model.safetensors"), metadata: ["kind": SpectrogramVAEConfig.bundleKind])
        try SafeTensors.write(optimizer.stateDict(), to: directory.appendingPathComponent("optimizer.safetensors"))
        try AtomicFile.write(JSONEncoder().encode(State(step: step, generator: generator)),
                             to: directory.appendingPathComponent("trainer_state.json"))
    }

    /// Loads a bundle's model (eval mode).
    /// - Throws: `MusicVAEError.wrongModelKind` for another kind, `.unreadableBundle`, `TensorError`.
    public static func loadModel(from directory: URL) throws -> SpectrogramVAE {
        let model = try SpectrogramVAE(config: MusicVAEBundle.config(SpectrogramVAEConfig.self, at: directory,
                                                                      kind: SpectrogramVAEConfig.bundleKind))
        try MusicVAEBundle.loadWeights(into: model, from: directory)
        return model
    }
}
