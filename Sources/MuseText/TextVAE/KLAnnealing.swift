import Foundation

/// The weight β of the KL term of a text VAE's loss over training (Bowman et al. 2016, §3.1,
/// "KL cost annealing"): starting near 0 lets the decoder learn to use z before the KL term
/// pushes the posterior onto the prior; β reaches 1 after `warmupSteps`.
public enum KLAnnealingKind: String, Codable, CaseIterable, Sendable {
    /// β = min(1, step / N).
    case linear
    /// β = 1 / (1 + e^(−k·(step − N/2))) with k = 10 / N: 0.0067 at step 0, ½ at N/2, 0.9933 at
    /// N, 1 from then on (Bowman et al. used a logistic curve).
    case logistic
    /// β = 1 throughout (no annealing).
    case none
}

/// A KL weight schedule: a kind and the steps it takes to reach 1.
public struct KLAnnealing: Codable, Equatable, Sendable {
    /// The curve.
    public var kind: KLAnnealingKind
    /// N, steps until β = 1 (0 = β is 1 from the start).
    public var warmupSteps: Int

    enum CodingKeys: String, CodingKey { case kind, warmupSteps = "warmup_steps" }

    /// A schedule of `kind` over `warmupSteps` steps.
    public init(kind: KLAnnealingKind = .logistic, warmupSteps: Int = 2000) {
        self.kind = kind
        self.warmupSteps = warmupSteps
    }

    /// β at 0-based training step `step`, in [0, 1].
    public func weight(atStep step: Int) -> Double {
        guard warmupSteps > 0, step < warmupSteps else { return 1 }
        let n = Double(warmupSteps), s = Double(max(step, 0))
        switch kind {
        case .none: return 1
        case .linear: return s / n
        case .logistic: return 1 / (1 + Foundation.exp(-10 / n * (s - n / 2)))
        }
    }
}
