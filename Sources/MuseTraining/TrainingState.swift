import Foundation
import MuseCore

/// `training_state.json` of a checkpoint: everything besides weights and optimizer moments that a
/// resumed run needs to continue the very same run, and to check that it is the same run.
public struct TrainingState: Codable, Equatable, Sendable {
    /// Optimizer steps completed.
    public var step: Int
    /// State of the generator that draws the batches (the data order position).
    public var dataGeneratorState: UInt64
    /// The task's other generators (dropout), by name.
    public var randomStates: [String: UInt64]
    /// The seed the run started from.
    public var seed: UInt64
    /// Loss of the last training step (the first optimizer's), nats.
    public var lastTrainingLoss: Double?
    /// Every metric of the last training step.
    public var lastTrainingMetrics: Metrics?
    /// Evaluations so far: step and metrics.
    public var evaluations: [EvaluationRecord]
    /// What identifies the run besides the model's config (corpus, batch size, accumulation…),
    /// compared when a run resumes; absent in checkpoints of earlier versions.
    public var run: [String: String]?

    /// One held-out evaluation.
    public struct EvaluationRecord: Codable, Equatable, Sendable {
        /// Steps completed when it was made.
        public var step: Int
        /// What the task reported.
        public var metrics: Metrics
    }
}
