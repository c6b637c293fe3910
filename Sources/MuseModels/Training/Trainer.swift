import Foundation
import MuseCore

/// Settings of a training run (not of the model).
public struct TrainerOptions: Sendable {
    /// Total optimizer steps of the run (a resumed run stops at the same total).
    public var numSteps: Int
    /// Peak learning rate for Adam.
    public var learningRate: Float
    /// Global gradient-norm clip.
    public var clipNorm: Float
    /// Learning-rate schedule: constant (Magenta's melody RNN) or cosine decay to 0 over `numSteps`.
    public var cosineDecay: Bool = false
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

    /// Options with Magenta's melody RNN optimisation settings by default.
    public init(numSteps: Int, outputDirectory: URL, learningRate: Float = 1e-3, clipNorm: Float = 5, seed: UInt64 = 0) {
        self.numSteps = numSteps
        self.outputDirectory = outputDirectory
        self.learningRate = learningRate
        self.clipNorm = clipNorm
        self.seed = seed
    }
}

/// Trains any `TrainingTask` with Adam, gradient clipping and a learning-rate schedule, evaluates
/// on held-out data, writes checkpoint bundles, stops cleanly on Ctrl-C, and resumes a stopped run
/// from its newest checkpoint so that it ends with the same weights as an uninterrupted run.
public final class Trainer {
    /// The model being trained.
    public let task: any TrainingTask
    /// Run settings.
    public let options: TrainerOptions
    /// The optimizer (PyTorch's Adam).
    public let optimizer: Adam
    /// Progress output.
    public let progress: ProgressReporter
    /// Stop requests (Ctrl-C).
    public let interrupt: InterruptMonitor
    /// Where the run is.
    public private(set) var state: TrainingState
    /// The checkpoint the run resumed from, if any.
    public private(set) var resumedFrom: URL?
    /// Called after every optimizer step with the step count (e.g. to request a stop in tests).
    public var afterStep: ((Int) -> Void)?
    private var dataGenerator: SplitMix64

    /// Prepares a run; resumes from the newest checkpoint in `options.outputDirectory` if there is one.
    /// - Throws: `ModelError`/`TensorError` naming the checkpoint file that could not be loaded.
    public init(task: any TrainingTask, options: TrainerOptions, progress: ProgressReporter = ProgressReporter(),
                interrupt: InterruptMonitor = InterruptMonitor()) throws {
        guard options.numSteps >= 0 else { throw ModelError.invalidArgument("number of steps \(options.numSteps) is negative") }
        self.task = task
        self.options = options
        self.progress = progress
        self.interrupt = interrupt
        optimizer = Adam(task.module.namedParameters(), learningRate: options.learningRate)
        dataGenerator = SplitMix64(seed: options.seed)
        state = TrainingState(step: 0, dataGeneratorState: dataGenerator.state, randomStates: task.randomStates,
                              seed: options.seed, lastTrainingLoss: nil, evaluations: [])
        if let latest = Checkpoint.list(in: options.outputDirectory).last {
            let saved = try Checkpoint.readState(latest.url)
            try task.module.load(from: latest.url.appendingPathComponent("model.safetensors"))
            try optimizer.loadStateDict(SafeTensors.read(contentsOf: latest.url.appendingPathComponent("optimizer.safetensors")))
            state = saved
            dataGenerator.state = saved.dataGeneratorState
            task.randomStates = saved.randomStates
            resumedFrom = latest.url
        }
    }

    /// Learning rate for the update after `step` completed steps.
    public func learningRate(atStep step: Int) -> Float {
        if let rate = task.learningRate(atStep: step) { return rate }
        return options.cosineDecay
            ? CosineLR(base: options.learningRate, totalSteps: options.numSteps).learningRate(atStep: step)
            : options.learningRate
    }

    /// Runs until `numSteps` or a stop request; checkpoints at the end either way.
    /// - Returns: the final state (`step < numSteps` if it was stopped).
    @discardableResult
    public func run() throws -> TrainingState {
        progress.begin(step: state.step)
        let parameters = task.module.parameters()
        var lastSaved = resumedFrom == nil ? -1 : state.step
        while state.step < options.numSteps {
            if interrupt.isInterrupted { break }
            optimizer.learningRate = learningRate(atStep: state.step)
            task.setTraining(true)
            optimizer.zeroGrad()
            task.willTrain(step: state.step)
            let loss = try task.trainingLoss(using: &dataGenerator)
            let value = Double(loss.item())
            loss.backward()
            clipGradientNorm(parameters, maxNorm: options.clipNorm)
            optimizer.step()
            state.step += 1
            state.lastTrainingLoss = value
            progress.step(state.step, of: options.numSteps, loss: value, learningRate: optimizer.learningRate)
            afterStep?(state.step)
            let atEnd = state.step == options.numSteps
            if atEnd || (options.evalEvery > 0 && state.step % options.evalEvery == 0) {
                try evaluateNow()
            }
            if atEnd || (options.checkpointEvery > 0 && state.step % options.checkpointEvery == 0) {
                try save()
                lastSaved = state.step
            }
        }
        if lastSaved != state.step { try save() }
        if interrupt.isInterrupted { progress.message("stopped at step \(state.step); run the same command again to resume") }
        return state
    }

    /// Evaluates on the held-out data and records the result.
    @discardableResult
    public func evaluateNow() throws -> EvaluationMetrics {
        task.setTraining(false)
        defer { task.setTraining(true) }
        let metrics = try task.evaluate()
        state.evaluations.append(.init(step: state.step, metrics: metrics))
        progress.message("step \(state.step): " + task.evaluationSummary(metrics))
        return metrics
    }

    /// Writes a checkpoint of the current state.
    @discardableResult
    public func save() throws -> URL {
        state.dataGeneratorState = dataGenerator.state
        state.randomStates = task.randomStates
        return try Checkpoint.write(to: options.outputDirectory, module: task.module, configJSON: task.configJSON(),
                                    optimizer: optimizer, state: state, keep: options.keepCheckpoints)
    }
}
