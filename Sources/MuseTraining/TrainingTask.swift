import Foundation
import MuseCore

/// A model as the `Trainer` sees it (PyTorch Lightning's `training_step`, nanoGPT's loop body):
/// the task owns its step — forward, losses, which optimizers step, in which order — and the
/// trainer owns everything around it: learning-rate schedule, gradient accumulation, gradient
/// hooks, clipping, evaluation, checkpoints, exact resume, progress and interrupts.
///
/// A language model's step is one `step.optimize { loss }`; a GAN's is two, the discriminator's then
/// the generator's, each with its own optimizer from `makeOptimizers`.
public protocol TrainingTask: AnyObject {
    /// Every trained parameter, saved as `model.safetensors` (PyTorch names).
    var module: any Module { get }
    /// The bundle kind written into `config.json` (`"melody-rnn"`, `"music-vae"`, …).
    var bundleKind: String { get }
    /// The model's config as JSON (the `config` object of `config.json`).
    func configJSON() throws -> Data
    /// Further files written into every checkpoint next to the weights (a text model's
    /// `vocab.json`), by file name. Default: none.
    var extraFiles: [String: Data] { get }
    /// Settings that identify the run besides the model config (corpus, batch size): a resumed
    /// run with a different value is refused. Default: none.
    var runSettings: [String: String] { get }
    /// The optimizers by name, in the order they step. Default: one PyTorch `Adam` named `"model"`
    /// over every parameter, with the options' learning rate and betas.
    func makeOptimizers(options: TrainerOptions) -> [(name: String, optimizer: any Optimizer)]
    /// Switches dropout (and anything else mode-dependent) on for training, off for evaluation.
    func setTraining(_ on: Bool)
    /// Told the number of steps completed before each step (also after a resume), for losses
    /// that change over the run (a VAE's KL warm-up). Default: ignored.
    func willTrain(step: Int)
    /// One training step: draw data from `step.generator`, compute losses, `step.optimize` each.
    func trainStep(_ step: TrainingStep) throws
    /// Metrics on held-out data (called in evaluation mode; must not use the data generator).
    func evaluate() throws -> Metrics
    /// One line describing held-out metrics (after `step N: `). Default: the metrics' names and values.
    func evaluationSummary(_ metrics: Metrics) -> String
    /// Random states the task owns besides the data generator (dropout masks), for exact resume.
    var randomStates: [String: UInt64] { get set }
    /// The task's own learning-rate schedule (MusicVAE's exponential decay), or `nil` for the
    /// trainer's (`TrainerOptions.schedule`). Default: `nil`.
    func learningRate(atStep step: Int) -> Float?
}

extension TrainingTask {
    public var runSettings: [String: String] { [:] }
    public var extraFiles: [String: Data] { [:] }

    public func makeOptimizers(options: TrainerOptions) -> [(name: String, optimizer: any Optimizer)] {
        [("model", Adam(module.namedParameters(), learningRate: options.learningRate, betas: options.betas))]
    }

    public func setTraining(_ on: Bool) { module.train(on) }

    public func willTrain(step: Int) {}

    public func learningRate(atStep step: Int) -> Float? { nil }

    public func evaluationSummary(_ metrics: Metrics) -> String { "eval " + metrics.description }

    public var randomStates: [String: UInt64] {
        get { [:] }
        set {}
    }
}

/// A task whose step is one loss minimised by one optimizer (most models): it only says how to
/// compute the loss of one batch.
public protocol LossTrainingTask: TrainingTask {
    /// The loss of one batch drawn with `generator` (the trainer saves its state).
    /// - Returns: a rank-0 tensor connected to the parameters.
    func trainingLoss(using generator: inout SplitMix64) throws -> Tensor
    /// The loss of this process's rows of one global batch drawn with `generator`, weighted by
    /// `shard.weighted(_:local:global:)` (data-parallel training): every rank must draw the same
    /// values from `generator`. Default: `trainingLoss(using:)` for a plain run, and an error
    /// naming the task for several processes.
    func trainingLoss(using generator: inout SplitMix64, shard: TrainingShard) throws -> Tensor
}

extension LossTrainingTask {
    public func trainStep(_ step: TrainingStep) throws {
        try step.optimize { try self.trainingLoss(using: &$0, shard: step.shard) }
    }

    public func trainingLoss(using generator: inout SplitMix64, shard: TrainingShard) throws -> Tensor {
        guard shard.isWhole else {
            throw TrainingError.invalidOption("\(bundleKind) does not train on several processes yet (run it without mpirun)")
        }
        return try trainingLoss(using: &generator)
    }
}
