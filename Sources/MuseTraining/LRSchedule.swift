import Foundation
import MuseCore

/// A learning rate as a function of the number of optimizer steps taken so far (0 before the
/// first step), like PyTorch's schedulers' `last_epoch` when stepped once per optimizer step.
public protocol LRSchedule {
    /// Learning rate for the update after `step` completed steps.
    func learningRate(atStep step: Int) -> Float
}

/// A fixed learning rate.
public struct ConstantLR: LRSchedule {
    /// The rate.
    public var value: Float
    /// A constant schedule.
    public init(_ value: Float) { self.value = value }
    public func learningRate(atStep step: Int) -> Float { value }
}

/// `base · gamma^⌊step / stepSize⌋` (`torch.optim.lr_scheduler.StepLR`).
public struct StepLR: LRSchedule {
    /// Initial rate.
    public var base: Float
    /// Steps between decays.
    public var stepSize: Int
    /// Decay factor.
    public var gamma: Float
    /// A step-decay schedule.
    public init(base: Float, stepSize: Int, gamma: Float = 0.1) { self.base = base; self.stepSize = stepSize; self.gamma = gamma }
    public func learningRate(atStep step: Int) -> Float {
        base * Foundation.pow(gamma, Float(step / Swift.max(stepSize, 1)))
    }
}

/// `min + (base − min)·(1 + cos(π·step/totalSteps))/2`, held at `min` after `totalSteps`
/// (the closed form of `CosineAnnealingLR`).
public struct CosineLR: LRSchedule {
    /// Initial rate.
    public var base: Float
    /// T_max, steps from `base` down to `minimum`.
    public var totalSteps: Int
    /// η_min.
    public var minimum: Float
    /// A cosine annealing schedule.
    public init(base: Float, totalSteps: Int, minimum: Float = 0) { self.base = base; self.totalSteps = totalSteps; self.minimum = minimum }
    public func learningRate(atStep step: Int) -> Float {
        let s = Double(Swift.min(step, totalSteps)) / Double(Swift.max(totalSteps, 1))
        return minimum + (base - minimum) * Float((1 + Foundation.cos(Double.pi * s)) / 2)
    }
}

/// Linear warmup then inverse square root decay (fairseq's `inverse_sqrt`, the Transformer
/// schedule): with s = step + 1, `base · min(s / warmupSteps, √(warmupSteps / s))`.
public struct WarmupInverseSqrtLR: LRSchedule {
    /// Peak rate, reached at the end of warmup.
    public var base: Float
    /// Warmup length in steps.
    public var warmupSteps: Int
    /// A warmup + inverse-sqrt schedule.
    public init(base: Float, warmupSteps: Int) { self.base = base; self.warmupSteps = warmupSteps }
    public func learningRate(atStep step: Int) -> Float {
        let s = Float(step + 1), w = Float(Swift.max(warmupSteps, 1))
        return base * Swift.min(s / w, (w / s).squareRoot())
    }
}

/// nanoGPT's `get_lr`: linear warm-up from 0 over `warmupSteps` (lr·(it+1)/(warmup+1)), then a cosine
/// from `base` down to `minimum` at `decaySteps`, held at `minimum` afterwards (`it` = `step`).
public struct WarmupCosineLR: LRSchedule {
    /// Peak rate (nanoGPT's `learning_rate`).
    public var base: Float
    /// `warmup_iters`.
    public var warmupSteps: Int
    /// `lr_decay_iters`: where the cosine reaches `minimum`.
    public var decaySteps: Int
    /// `min_lr`.
    public var minimum: Float
    /// A warm-up + cosine schedule.
    public init(base: Float, warmupSteps: Int, decaySteps: Int, minimum: Float) {
        self.base = base; self.warmupSteps = warmupSteps; self.decaySteps = decaySteps; self.minimum = minimum
    }
    public func learningRate(atStep step: Int) -> Float {
        if step < warmupSteps { return Float(Double(base) * Double(step + 1) / Double(warmupSteps + 1)) }
        if step > decaySteps { return minimum }
        let ratio = Double(step - warmupSteps) / Double(Swift.max(decaySteps - warmupSteps, 1))
        let coefficient = 0.5 * (1 + Foundation.cos(Double.pi * ratio))
        return Float(Double(minimum) + coefficient * (Double(base) - Double(minimum)))
    }
}

/// Magenta's exponential decay with a floor: (base − minimum)·rate^step + minimum (MusicVAE).
public struct ExponentialLR: LRSchedule {
    /// Initial rate.
    public var base: Float
    /// Decay per step.
    public var rate: Double
    /// Floor.
    public var minimum: Float
    /// An exponential decay schedule.
    public init(base: Float, rate: Double, minimum: Float) { self.base = base; self.rate = rate; self.minimum = minimum }
    public func learningRate(atStep step: Int) -> Float {
        (base - minimum) * Float(Foundation.pow(rate, Double(step))) + minimum
    }
}

/// char-rnn's decay by epochs (Karpathy's `train.lua`): after each epoch k ≥ `afterEpochs`
/// (epoch k ends at step k·`stepsPerEpoch`), the rate is multiplied by `factor`. The update after
/// `step` completed steps uses `base · factor^max(0, ⌊step / stepsPerEpoch⌋ − afterEpochs + 1)`.
public struct EpochDecayLR: LRSchedule {
    /// Initial rate.
    public var base: Float
    /// Optimizer steps per pass over the training data.
    public var stepsPerEpoch: Int
    /// The first epoch whose end decays the rate (char-rnn's `learning_rate_decay_after`: 10).
    public var afterEpochs: Int
    /// Decay per epoch (char-rnn's `learning_rate_decay`: 0.97).
    public var factor: Float
    /// An epoch-decay schedule.
    public init(base: Float, stepsPerEpoch: Int, afterEpochs: Int, factor: Float) {
        self.base = base; self.stepsPerEpoch = stepsPerEpoch; self.afterEpochs = afterEpochs; self.factor = factor
    }
    public func learningRate(atStep step: Int) -> Float {
        let decays = Swift.max(0, step / Swift.max(stepsPerEpoch, 1) - Swift.max(afterEpochs, 1) + 1)
        return Float(Double(base) * Foundation.pow(Double(factor), Double(decays)))
    }
}
