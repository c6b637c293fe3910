import Foundation
import MuseCore

/// What the `Trainer` needs from a model to train, evaluate and checkpoint it. The melody RNN is
/// one conformer; any model with named parameters and a batch loss can be another.
public protocol TrainingTask: AnyObject {
    /// The module whose named parameters are optimised and saved as `model.safetensors`.
    var module: any Module { get }
    /// The bytes of `config.json` written into every checkpoint bundle.
    func configJSON() throws -> Data
    /// Switches dropout (and anything else mode-dependent) on for training, off for evaluation.
    func setTraining(_ on: Bool)
    /// The loss of one training batch, drawn with `generator` (the trainer saves its state).
    /// - Returns: a rank-0 tensor connected to the parameters.
    func trainingLoss(using generator: inout SplitMix64) throws -> Tensor
    /// Loss and accuracy on held-out data (called in evaluation mode; must not use the data generator).
    func evaluate() throws -> EvaluationMetrics
    /// Random states the task owns besides the data generator (dropout masks), for exact resume.
    var randomStates: [String: UInt64] { get set }
    /// Told the number of steps completed before each `trainingLoss` call (also after a resume),
    /// for losses that change over the run (a VAE's KL warm-up). Default: ignored.
    func willTrain(step: Int)
    /// One line describing held-out metrics (after `step N: `). Default: loss, perplexity, accuracy.
    func evaluationSummary(_ metrics: EvaluationMetrics) -> String
    /// The task's own learning-rate schedule (MusicVAE's exponential decay), or `nil` for the
    /// trainer's (`TrainerOptions.learningRate`, constant or cosine). Default: `nil`.
    func learningRate(atStep step: Int) -> Float?
}

extension TrainingTask {
    public func willTrain(step: Int) {}

    public func learningRate(atStep step: Int) -> Float? { nil }

    public func evaluationSummary(_ metrics: EvaluationMetrics) -> String {
        String(format: "eval loss %.4f nats/step (perplexity %.2f), accuracy %.3f over %d steps",
               metrics.loss, Foundation.exp(metrics.loss), metrics.accuracy, metrics.steps)
    }
}
