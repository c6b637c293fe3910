import Foundation
import MuseCore

/// Trains any `TrainingTask`: runs its steps with the optimizers it made, the learning-rate
/// schedule, gradient accumulation, gradient hooks and optional clipping; evaluates on held-out
/// data; writes checkpoint bundles; stops cleanly on a stop request (Ctrl-C); and resumes a stopped
/// run from its newest checkpoint — after checking it is the same run — so that it ends with the
/// same weights as an uninterrupted run.
public final class Trainer {
    /// The model being trained.
    public let task: any TrainingTask
    /// Run settings.
    public let options: TrainerOptions
    /// The task's optimizers with their base learning rates, in stepping order.
    public let optimizers: [OptimizerSlot]
    /// Progress output.
    public let progress: ProgressReporter
    /// Stop requests (Ctrl-C).
    public let interrupt: InterruptMonitor
    /// Where the run is.
    public private(set) var state: TrainingState
    /// The checkpoint the run resumed from, if any.
    public private(set) var resumedFrom: URL?
    /// Called with every optimizer's gradients after back-propagation, before clipping and the
    /// step (data-parallel training all-reduces here).
    public var gradientHooks: [(GradientHookContext) throws -> Void] = []
    /// Runs the last back-propagation of every optimizer step and finishes the gradients before
    /// the hooks (data-parallel training overlaps its all-reduce with it); `nil`: `loss.backward()`.
    public var gradientReducer: (any GradientReducer)?
    /// Called after every step with the step count (e.g. to request a stop in tests).
    public var afterStep: ((Int) -> Void)?
    /// Combines a finished step's metrics and this process's stop request with the other
    /// processes' (data-parallel training averages the metrics and stops every rank when one is
    /// asked to); `nil` in a plain run.
    public var stepSynchronizer: ((_ metrics: Metrics, _ stopRequested: Bool) throws -> (metrics: Metrics, stop: Bool))?
    private var dataGenerator: SplitMix64

    /// One optimizer of the task, its name and the learning rate it was made with.
    public struct OptimizerSlot {
        /// Name the task uses in `step.optimize(name)`.
        public let name: String
        /// The optimizer.
        public let optimizer: any Optimizer
        /// Its rate before any schedule.
        public let baseLearningRate: Float
    }

    /// Prepares a run; resumes from the newest checkpoint in `options.outputDirectory` if there is
    /// one (or deletes the folder's checkpoints first with `options.fresh`).
    /// - Throws: `TrainingError.invalidOption`, `.runMismatch` naming the setting that differs from
    ///   the saved run, or an error naming the checkpoint file that could not be loaded.
    public init(task: any TrainingTask, options: TrainerOptions, progress: ProgressReporter = ProgressReporter(),
                interrupt: InterruptMonitor = InterruptMonitor()) throws {
        try options.validate()
        self.task = task
        self.options = options
        self.progress = progress
        self.interrupt = interrupt
        optimizers = task.makeOptimizers(options: options).map { OptimizerSlot(name: $0.name, optimizer: $0.optimizer, baseLearningRate: $0.optimizer.learningRate) }
        guard !optimizers.isEmpty, Set(optimizers.map(\.name)).count == optimizers.count else {
            throw TrainingError.invalidOption("a task needs one or more optimizers with distinct names")
        }
        dataGenerator = SplitMix64(seed: options.seed)
        state = TrainingState(step: 0, dataGeneratorState: dataGenerator.state, randomStates: task.randomStates,
                              seed: options.seed, lastTrainingLoss: nil, evaluations: [], run: try Self.runIdentity(task, options))
        // Other ranks of a data-parallel run neither delete nor read checkpoints: rank 0's state is
        // broadcast to them (`DataParallel.attach`).
        guard options.shard.isPrimary else { return }
        if options.fresh {
            for old in Checkpoint.list(in: options.outputDirectory) { try? FileManager.default.removeItem(at: old.url) }
        }
        AtomicFile.removeStaleTemporaries(in: options.outputDirectory)
        // Newest checkpoint first; a damaged one is moved aside and the one before it is used.
        var firstDamage: Error?
        for candidate in Checkpoint.list(in: options.outputDirectory).reversed() {
            do {
                try resume(from: candidate.url)
                if firstDamage != nil { progress.message("resuming from \(candidate.url.lastPathComponent)") }
                firstDamage = nil
                break
            } catch let error as TrainingError {
                switch error {
                case .runMismatch, .wrongKind, .invalidOption: throw error
                default: break
                }
                firstDamage = firstDamage ?? error
                let aside = candidate.url.deletingLastPathComponent().appendingPathComponent("damaged-" + candidate.url.lastPathComponent)
                try? FileManager.default.removeItem(at: aside)
                let moved = (try? FileManager.default.moveItem(at: candidate.url, to: aside)) != nil
                progress.message("\(candidate.url.lastPathComponent) is unusable (\(error))"
                                 + (moved ? "; moved to \(aside.lastPathComponent)" : ""))
            }
        }
        if let damage = firstDamage { throw damage }  // no good checkpoint left: say why, start nothing
    }

    /// Loads weights, optimizer state and training state from `checkpoint` after checking its
    /// checksums. Errors other than a run mismatch mean the checkpoint is damaged.
    func resume(from checkpoint: URL) throws {
        try Checkpoint.verify(checkpoint)
        let saved = try Checkpoint.readState(checkpoint)
        try Checkpoint.checkSameRun(checkpoint, saved: saved, configJSON: task.configJSON(), run: state.run ?? [:])
        do {
            try ModelBundle.open(checkpoint).loadWeights(into: task.module)
            let optimizerState = try SafeTensors.read(contentsOf: checkpoint.appendingPathComponent("optimizer.safetensors"))
            for slot in optimizers {
                try slot.optimizer.loadStateDict(Checkpoint.optimizerState(optimizerState, name: slot.name, single: optimizers.count == 1))
            }
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError.damagedCheckpoint(file: checkpoint.path, reason: "\(error)")
        }
        state = saved
        state.run = try Self.runIdentity(task, options)
        dataGenerator.state = saved.dataGeneratorState
        task.randomStates = saved.randomStates
        resumedFrom = checkpoint
    }

    /// The task's run settings plus the trainer's own that change the result.
    static func runIdentity(_ task: any TrainingTask, _ options: TrainerOptions) throws -> [String: String] {
        var run = task.runSettings.merging(options.runSettings) { _, option in option }
        run["seed"] = String(options.seed)
        run["gradientAccumulationSteps"] = String(options.gradientAccumulationSteps)
        return run
    }

    /// The optimizer called `name`.
    func optimizerSlot(named name: String) -> OptimizerSlot? { optimizers.first { $0.name == name } }

    /// Learning rate of the first optimizer for the update after `step` completed steps.
    public func learningRate(atStep step: Int) -> Float {
        task.learningRate(atStep: step) ?? options.learningRate(atStep: step)
    }

    /// The scheduled rate of `slot`: the schedule's rate itself for an optimizer made with the
    /// options' base rate, else scaled by the ratio of its own base rate.
    func learningRate(of slot: OptimizerSlot, atStep step: Int) -> Float {
        let scheduled = learningRate(atStep: step)
        if slot.baseLearningRate == options.learningRate { return scheduled }
        guard options.learningRate > 0 else { return slot.baseLearningRate }
        return slot.baseLearningRate * (scheduled / options.learningRate)
    }

    /// Runs until `numSteps` or a stop request; checkpoints at the end either way.
    /// - Returns: the final state (`step < numSteps` if it was stopped).
    @discardableResult
    public func run() throws -> TrainingState {
        progress.begin(step: state.step)
        let primary = options.shard.isPrimary
        var lastSaved = resumedFrom == nil ? -1 : state.step
        var stopAgreed = false
        while state.step < options.numSteps {
            if stepSynchronizer == nil ? interrupt.isInterrupted : stopAgreed { break }
            task.setTraining(true)
            task.willTrain(step: state.step)
            let step = TrainingStep(index: state.step, generator: dataGenerator, trainer: self)
            try task.trainStep(step)
            dataGenerator = step.generator
            state.step += 1
            state.lastTrainingLoss = step.metrics.entries.first?.value
            state.lastTrainingMetrics = step.metrics
            afterStep?(state.step)
            var metrics = step.metrics
            if let stepSynchronizer {
                (metrics, stopAgreed) = try stepSynchronizer(metrics, interrupt.isInterrupted)
                state.lastTrainingLoss = metrics.entries.first?.value
                state.lastTrainingMetrics = metrics
            }
            if primary { progress.step(state.step, of: options.numSteps, metrics: metrics, learningRate: optimizers[0].optimizer.learningRate) }
            let atEnd = state.step == options.numSteps
            if primary, atEnd || (options.evalEvery > 0 && state.step % options.evalEvery == 0) {
                try evaluateNow()
            }
            if primary, atEnd || (options.checkpointEvery > 0 && state.step % options.checkpointEvery == 0) {
                try save()
                lastSaved = state.step
            }
        }
        if primary, lastSaved != state.step { try save() }
        if primary, stepSynchronizer == nil ? interrupt.isInterrupted : stopAgreed { progress.message("stopped at step \(state.step); run the same command again to resume") }
        return state
    }

    /// Whether the last `run()` ended early on a stop request.
    public var wasStopped: Bool { state.step < options.numSteps }

    /// Evaluates on the held-out data and records the result.
    @discardableResult
    public func evaluateNow() throws -> Metrics {
        task.setTraining(false)
        defer { task.setTraining(true) }
        let metrics = try task.evaluate()
        state.evaluations.append(.init(step: state.step, metrics: metrics))
        progress.message("step \(state.step): " + task.evaluationSummary(metrics))
        return metrics
    }

    /// Everything a checkpoint holds, as bytes: what rank 0 broadcasts so that every rank of a
    /// data-parallel run starts (or resumes) from identical weights, optimizer moments and state.
    public struct Snapshot: Equatable {
        /// The module's state dict as safetensors.
        public var weights: Data
        /// Every optimizer's state dict as safetensors (keys as in `optimizer.safetensors`).
        public var optimizerState: Data
        /// `TrainingState` as JSON (step, data-generator position, random states).
        public var state: Data
    }

    /// The current weights, optimizer state and training state.
    public func snapshot() throws -> Snapshot {
        state.dataGeneratorState = dataGenerator.state
        state.randomStates = task.randomStates
        return Snapshot(weights: SafeTensors.encode(task.module.stateDict()), optimizerState: SafeTensors.encode(optimizerStateDict()),
                        state: try JSONEncoder().encode(state))
    }

    /// Continues from `snapshot` (another rank's): weights, optimizer state, step, data generator
    /// and random states.
    /// - Throws: an error naming the part that does not fit this trainer's model or optimizers.
    public func restore(_ snapshot: Snapshot) throws {
        let weights = try SafeTensors.decode(snapshot.weights, fileName: "broadcast weights").tensors
        try task.module.loadStateDict(weights, strict: true, source: "broadcast weights")
        let optimizerState = try SafeTensors.decode(snapshot.optimizerState, fileName: "broadcast optimizer state").tensors
        for slot in optimizers {
            try slot.optimizer.loadStateDict(Checkpoint.optimizerState(optimizerState, name: slot.name, single: optimizers.count == 1))
        }
        let restored: TrainingState
        do {
            restored = try JSONDecoder().decode(TrainingState.self, from: snapshot.state)
        } catch {
            throw TrainingError.badField(file: "broadcast training state", field: "state", reason: "\(error)")
        }
        state = restored
        dataGenerator.state = restored.dataGeneratorState
        task.randomStates = restored.randomStates
    }

    /// Every optimizer's state, keys prefixed by its name when there are several.
    private func optimizerStateDict() -> [String: Tensor] {
        var optimizerState: [String: Tensor] = [:]
        for slot in optimizers {
            for (key, value) in slot.optimizer.stateDict() {
                optimizerState[optimizers.count == 1 ? key : "\(slot.name).\(key)"] = value
            }
        }
        return optimizerState
    }

    /// Writes a checkpoint of the current state.
    @discardableResult
    public func save() throws -> URL {
        state.dataGeneratorState = dataGenerator.state
        state.randomStates = task.randomStates
        return try Checkpoint.write(to: options.outputDirectory, task: task, optimizerState: optimizerStateDict(),
                                    state: state, keep: options.keepCheckpoints)
    }
}
