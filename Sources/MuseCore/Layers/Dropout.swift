import Foundation

/// Zeroes each element with probability `probability` in training mode and scales survivors by
/// 1/(1−p) (`torch.nn.Dropout`); the identity in eval mode. Owns its seeded generator, whose
/// state (`generator`) belongs in checkpoints.
public final class Dropout: Layer {
    /// Probability of zeroing an element, in [0, 1).
    public let probability: Float
    /// The mask generator (owned; save its state to resume a run exactly).
    public var generator: SplitMix64
    public var isTraining = true

    /// - Precondition: `0 <= probability < 1` (a programmer's constant).
    public init(probability: Float, seed: UInt64) {
        precondition(probability >= 0 && probability < 1, "Dropout: probability \(probability) not in [0, 1)")
        self.probability = probability
        generator = SplitMix64(seed: seed)
    }

    /// - Returns: `input` with dropped elements zeroed and the rest scaled (training), else `input`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard isTraining, probability > 0 else { return input }
        let scale = 1 / (1 - probability), p = probability
        let mask = Tensor(uninitializedShape: input.shape)
        let pm = mask.storage.pointer
        for i in 0..<mask.count { pm[i] = generator.nextUnitFloat() < p ? 0 : scale }
        return try input * mask
    }
}
