import Foundation
import MuseCore

/// Trains a MusicVAE on class windows with Magenta's recipe: Adam, learning rate
/// (lr − min)·decay^s + min, global-norm clipping, β = (1 − rate^s)·maxBeta, scheduled sampling.
/// Checkpoints are bundle folders (`MusicVAEBundle` plus `optimizer.safetensors` and
/// `trainer_state.json` with the step and generator state), so `resume` continues the same run.
public final class MusicVAETrainer {
    /// The model being trained.
    public let model: MusicVAE
    /// Its optimizer.
    public let optimizer: Adam
    /// Optimizer steps taken.
    public private(set) var step = 0
    /// Generator for batches, ε and scheduled sampling (saved in checkpoints).
    public var generator: SplitMix64

    /// Where training stands after one step.
    public struct Progress {
        /// Steps done, after this one.
        public var step: Int
        /// Loss terms (means over the batch).
        public var loss: Float, reconstruction: Float, kl: Float, accuracy: Float
        /// β and scheduled-sampling probability used.
        public var beta: Float, samplingProbability: Float
    }

    private struct State: Codable { var step: Int; var generator: SplitMix64 }

    /// A trainer for `model`, starting at step 0.
    public init(model: MusicVAE) {
        self.model = model
        optimizer = Adam(model.namedParameters(), learningRate: model.config.learningRate)
        generator = SplitMix64(seed: model.config.seed &+ 0x5eed)
    }

    /// Restores model, optimizer, step and generator from a checkpoint bundle written by `save`.
    /// - Throws: `MusicVAEError` / `TensorError` for a damaged or mismatched checkpoint.
    public static func resume(from directory: URL) throws -> MusicVAETrainer {
        let trainer = MusicVAETrainer(model: try MusicVAEBundle.load(from: directory))
        trainer.model.train()
        let stateURL = directory.appendingPathComponent("trainer_state.json")
        guard let data = FileManager.default.contents(atPath: stateURL.path),
              let state = try? JSONDecoder().decode(State.self, from: data) else {
            throw MusicVAEError.unreadableBundle(path: directory.path, reason: "no readable trainer_state.json to resume from")
        }
        try trainer.optimizer.loadStateDict(SafeTensors.read(contentsOf: directory.appendingPathComponent("optimizer.safetensors")))
        trainer.step = state.step
        trainer.generator = state.generator
        return trainer
    }

    /// Writes the checkpoint bundle (model, config, optimizer, step, generator).
    public func save(to directory: URL) throws {
        try MusicVAEBundle.save(model, to: directory)
        try SafeTensors.write(optimizer.stateDict(), to: directory.appendingPathComponent("optimizer.safetensors"))
        try AtomicFile.write(JSONEncoder().encode(State(step: step, generator: generator)),
                             to: directory.appendingPathComponent("trainer_state.json"))
    }

    /// Learning rate for the update after `step` steps (Magenta's exponential decay with floor).
    public func learningRate(atStep step: Int) -> Float {
        let c = model.config
        return (c.learningRate - c.minLearningRate) * Float(Foundation.pow(Double(c.decayRate), Double(step))) + c.minLearningRate
    }

    /// One optimizer step on `batch` windows.
    /// - Throws: `MusicVAEError.badWindow`, `TensorError`.
    @discardableResult
    public func trainStep(on batch: [[Int]]) throws -> Progress {
        let config = model.config
        model.train()
        let events = try model.oneHot(batch)
        let epsilon = Tensor.randn([batch.count, config.zSize], using: &generator)
        let beta = config.beta(atStep: step), p = config.samplingProbability(atStep: step)
        let loss = try model.loss(events: events, targets: batch.flatMap { $0 }, epsilon: epsilon, beta: beta,
                                  samplingProbability: p, using: &generator)
        optimizer.zeroGrad()
        loss.total.backward()
        clipGradientNorm(model.parameters(), maxNorm: config.gradientClipNorm)
        optimizer.learningRate = learningRate(atStep: step)
        optimizer.step()
        step += 1
        return Progress(step: step, loss: loss.total.item(), reconstruction: loss.reconstruction, kl: loss.kl,
                        accuracy: loss.accuracy, beta: beta, samplingProbability: p)
    }

    /// A random batch of `config.batchSize` windows (with replacement) from `windows`.
    public func randomBatch(from windows: [[Int]]) -> [[Int]] {
        (0..<min(model.config.batchSize, max(windows.count, 1))).map { _ in windows[Int.random(in: 0..<windows.count, using: &generator)] }
    }

    /// Trains until `totalSteps` steps, calling `report` after every step and saving a checkpoint
    /// to `directory` every `checkpointEvery` steps and at the end. `shouldStop` is polled between
    /// steps (e.g. set by SIGINT); when it returns `true` the trainer saves and returns.
    public func train(windows: [[Int]], totalSteps: Int, checkpointEvery: Int, directory: URL?,
                      shouldStop: () -> Bool = { false }, report: (Progress) -> Void = { _ in }) throws {
        guard !windows.isEmpty else { throw MusicVAEError.emptyCorpus(directory: directory?.path ?? "corpus", reason: "no training windows") }
        while step < totalSteps && !shouldStop() {
            report(try trainStep(on: randomBatch(from: windows)))
            if let directory, checkpointEvery > 0, step % checkpointEvery == 0 { try save(to: directory) }
        }
        if let directory { try save(to: directory) }
    }
}
