import Foundation
import MuseCore

/// What a task's `trainStep` works with: the step number, the data generator, and `optimize`,
/// which runs one optimizer's update the way the trainer's options say (accumulation, hooks,
/// clipping, schedule).
public final class TrainingStep {
    /// Optimizer steps completed before this one.
    public let index: Int
    /// The generator every batch and noise sample of the step is drawn from (saved in checkpoints).
    public var generator: SplitMix64
    /// This process's rows of every global batch (`.whole` in a plain run).
    public let shard: TrainingShard
    /// Metrics reported so far in this step, in order.
    public private(set) var metrics = Metrics()
    private let trainer: Trainer

    init(index: Int, generator: SplitMix64, trainer: Trainer) {
        self.index = index
        self.generator = generator
        self.trainer = trainer
        shard = trainer.options.shard
    }

    /// Reports a metric of this step (shown on the progress line, kept in the checkpoint).
    public func report(_ name: String, _ value: Double) { metrics[name] = value }

    /// One update of the optimizer `name`: clears its gradients, then `gradientAccumulationSteps`
    /// times draws a micro-batch loss from `loss` and back-propagates it divided by that count (the
    /// update of an N-times larger batch of mean losses; the last back-propagation goes through the
    /// trainer's `gradientReducer` when it has one), then runs the gradient hooks, clips the
    /// global norm if the options say so, sets the scheduled learning rate and steps.
    /// Reports the mean loss as `loss` (`<name>_loss` when the task has several optimizers).
    /// - Returns: the mean loss over the micro-batches.
    /// - Throws: `TrainingError.invalidOption` for an unknown optimizer, or what `loss` or a hook throws.
    @discardableResult
    public func optimize(_ name: String? = nil, loss: (inout SplitMix64) throws -> Tensor) throws -> Double {
        guard let slot = name.map({ trainer.optimizerSlot(named: $0) }) ?? trainer.optimizers.first else {
            throw TrainingError.invalidOption("no optimizer named '\(name ?? "")' (the task made \(trainer.optimizers.map(\.name)))")
        }
        let optimizer = slot.optimizer
        optimizer.zeroGrad()
        let count = trainer.options.gradientAccumulationSteps
        var total = 0.0
        let parameters = optimizer.parameters
        let context = GradientHookContext(optimizerName: slot.name, step: index, parameters: parameters)
        for micro in 0..<count {
            let value = try loss(&generator)
            total += Double(value.item())
            let scaled = count == 1 ? value : value * (1 / Float(count))
            if micro == count - 1, let reducer = trainer.gradientReducer {
                try reducer.backward(scaled, context: context)
            } else {
                scaled.backward()
            }
        }
        try trainer.gradientReducer?.finish(context: context)
        for hook in trainer.gradientHooks {
            try hook(context)
        }
        if let maxNorm = trainer.options.clipNorm {
            let norm = clipGradientNorm(parameters.map(\.tensor), maxNorm: maxNorm)
            if trainer.options.reportGradientNorm { report(metricName("grad_norm", slot), Double(norm)) }
        }
        optimizer.learningRate = trainer.learningRate(of: slot, atStep: index)
        optimizer.step()
        let mean = total / Double(count)
        report(metricName("loss", slot), mean)
        return mean
    }

    /// `loss` for a task with one optimizer, `<optimizer>_loss` with several.
    private func metricName(_ base: String, _ slot: Trainer.OptimizerSlot) -> String {
        trainer.optimizers.count == 1 ? base : "\(slot.name)_\(base)"
    }
}

/// What a gradient hook is given: after back-propagation, before clipping and the optimizer step.
/// Data-parallel training all-reduces `parameters`' gradients here.
public struct GradientHookContext {
    /// The optimizer about to step.
    public let optimizerName: String
    /// Optimizer steps completed before this one.
    public let step: Int
    /// Its parameters; each tied tensor appears once. `.grad` may be `nil` for unused ones.
    public let parameters: [(name: String, tensor: Tensor)]
}

/// Runs the last back-propagation of an optimizer step and makes its gradients final before
/// the gradient hooks, clipping and the step: data-parallel training starts averaging buckets of
/// gradients while back-propagation is still running (`DataParallel`).
public protocol GradientReducer: AnyObject {
    /// Back-propagates `loss` (the last micro-batch's), accumulating into the parameters' `.grad`.
    func backward(_ loss: Tensor, context: GradientHookContext) throws
    /// Completes what `backward` started (waits for the all-reduces); called once per optimizer step.
    func finish(context: GradientHookContext) throws
}
