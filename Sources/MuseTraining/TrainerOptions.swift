import Foundation
import MuseCore

/// The learning-rate schedule of a run, applied to every optimizer in proportion to its own base rate.
public enum LearningRateSchedule: Equatable, Sendable {
    /// The base rate throughout (Magenta's melody RNN).
    case constant
    /// Cosine from the base rate to `minimum` over the run's steps (`CosineLR`).
    case cosine(minimum: Float)
    /// nanoGPT's linear warm-up then cosine to `minimum` at `decaySteps` (`WarmupCosineLR`).
    case warmupCosine(warmupSteps: Int, decaySteps: Int, minimum: Float)
    /// char-rnn's multiplication by `factor` at the end of every epoch from `afterEpochs` on (`EpochDecayLR`).
    case epochDecay(stepsPerEpoch: Int, afterEpochs: Int, factor: Float)
}

/// Settings of a training run (not of the model).
public struct TrainerOptions: Sendable {
    /// Total optimizer steps of the run (a resumed run stops at the same total).
    public var numSteps: Int
    /// Base learning rate of the first optimizer (and of the default Adam).
    public var learningRate: Float
    /// Adam's β₁, β₂ for the default optimizer (PyTorch's defaults).
    public var betas: (Float, Float) = (0.9, 0.999)
    /// Global gradient-norm clip per optimizer step, or `nil` for none.
    public var clipNorm: Float?
    /// Report the gradient norm before clipping as a metric (`grad_norm`).
    public var reportGradientNorm = false
    /// Learning-rate schedule (a task's own, if it has one, wins).
    public var schedule: LearningRateSchedule = .constant
    /// Micro-batches whose gradients are summed (each divided by this) before one update: the
    /// update of an N-times larger batch.
    public var gradientAccumulationSteps = 1
    /// Evaluate on the held-out data every this many steps (and at the end); 0 = only at the end.
    public var evalEvery: Int = 100
    /// Write a checkpoint every this many steps (and at the end and on Ctrl-C).
    public var checkpointEvery: Int = 100
    /// Checkpoints kept (older ones are deleted).
    public var keepCheckpoints: Int = 3
    /// Seeds the batch order.
    public var seed: UInt64 = 0
    /// Where checkpoints go; a run whose folder already holds one resumes from the newest.
    public var outputDirectory: URL
    /// Delete the folder's checkpoints and start over instead of resuming.
    public var fresh = false
    /// What identifies the run's data besides the model config (`"corpus": path`): a resumed run
    /// with a different value is refused.
    public var runSettings: [String: String] = [:]
    /// This process's share of each global batch in data-parallel training (`DataParallel`
    /// sets it); only the primary rank evaluates, prints progress and writes checkpoints.
    public var shard = TrainingShard.whole

    /// Options with Magenta's melody RNN optimisation settings by default.
    public init(numSteps: Int, outputDirectory: URL, learningRate: Float = 1e-3, clipNorm: Float? = 5, seed: UInt64 = 0) {
        self.numSteps = numSteps
        self.outputDirectory = outputDirectory
        self.learningRate = learningRate
        self.clipNorm = clipNorm
        self.seed = seed
    }

    /// The schedule as a function of completed steps, for the base rate.
    public func learningRate(atStep step: Int) -> Float {
        switch schedule {
        case .constant: return learningRate
        case let .cosine(minimum): return CosineLR(base: learningRate, totalSteps: numSteps, minimum: minimum).learningRate(atStep: step)
        case let .warmupCosine(warmup, decay, minimum):
            return WarmupCosineLR(base: learningRate, warmupSteps: warmup, decaySteps: decay, minimum: minimum).learningRate(atStep: step)
        case let .epochDecay(stepsPerEpoch, afterEpochs, factor):
            return EpochDecayLR(base: learningRate, stepsPerEpoch: stepsPerEpoch, afterEpochs: afterEpochs, factor: factor).learningRate(atStep: step)
        }
    }

    /// - Throws: `TrainingError.invalidOption` naming the setting that makes no sense.
    public func validate() throws {
        guard numSteps >= 0 else { throw TrainingError.invalidOption("number of steps \(numSteps) is negative") }
        guard gradientAccumulationSteps >= 1 else { throw TrainingError.invalidOption("gradient accumulation steps must be at least 1, got \(gradientAccumulationSteps)") }
        guard learningRate >= 0, learningRate.isFinite else { throw TrainingError.invalidOption("learning rate \(learningRate) must be a finite non-negative number") }
        if let clipNorm { guard clipNorm > 0 else { throw TrainingError.invalidOption("gradient clip norm \(clipNorm) must be positive") } }
        guard shard.worldSize >= 1, (0..<shard.worldSize).contains(shard.rank) else {
            throw TrainingError.invalidOption("process rank \(shard.rank) is outside a world of \(shard.worldSize)")
        }
        guard keepCheckpoints >= 1 else { throw TrainingError.invalidOption("keep at least one checkpoint") }
    }
}
