import Foundation

/// `training_state.json` of a checkpoint: everything besides weights and optimizer moments that a
/// resumed run needs to continue the very same run.
public struct TrainingState: Codable, Equatable, Sendable {
    /// Optimizer steps completed.
    public var step: Int
    /// State of the generator that draws the batches (the data order position).
    public var dataGeneratorState: UInt64
    /// The task's other generators (dropout), by name.
    public var randomStates: [String: UInt64]
    /// The seed the run started from.
    public var seed: UInt64
    /// Loss of the last training batch, nats per step.
    public var lastTrainingLoss: Double?
    /// Evaluations so far: step and metrics.
    public var evaluations: [EvaluationRecord]

    /// One held-out evaluation.
    public struct EvaluationRecord: Codable, Equatable, Sendable {
        public var step: Int
        public var metrics: EvaluationMetrics
    }
}
