import Foundation

/// Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay
/// (`torch.optim.SGD`): g ← ∇ + λp; b ← μb + (1−τ)g (b = g on the first step);
/// g ← g + μb (Nesterov) or b; p ← p − lr·g.
public final class SGD: Optimizer {
    public var learningRate: Float
    /// μ (0 = plain SGD).
    public let momentum: Float
    /// τ, damping of the momentum update.
    public let dampening: Float
    /// λ, L2 penalty added to the gradient.
    public let weightDecay: Float
    /// Nesterov momentum.
    public let nesterov: Bool
    public let parameters: [(name: String, tensor: Tensor)]
    let state = OptimizerSlots()
    /// Updates applied so far.
    public private(set) var stepCount = 0

    /// An SGD optimizer over named parameters.
    public init(_ parameters: [(name: String, tensor: Tensor)], learningRate: Float, momentum: Float = 0,
                dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public func step() {
        stepCount += 1
        let lr = learningRate, mu = momentum, tau = dampening, wd = weightDecay
        for (name, p) in parameters {
            guard let grad = p.grad else { continue }
            let pp = p.storage.pointer, pg = grad.storage.pointer
            if mu == 0 {
                for i in 0..<p.count { pp[i] -= lr * (pg[i] + wd * pp[i]) }
                continue
            }
            let (buf, isNew) = state.slot("\(name).momentum_buffer", like: p)
            let pb = buf.storage.pointer
            for i in 0..<p.count {
                let g = pg[i] + wd * pp[i]
                let b = isNew ? g : mu * pb[i] + (1 - tau) * g
                pb[i] = b
                pp[i] -= lr * (nesterov ? g + mu * b : b)
            }
        }
    }

    public func stateDict() -> [String: Tensor] {
        state.slots.merging(["step": Tensor(scalar: Float(stepCount))]) { a, _ in a }
    }

    public func loadStateDict(_ s: [String: Tensor]) throws {
        stepCount = try loadStep(s)
        try state.load(s, parameters: parameters, slotNames: ["momentum_buffer"])
    }
}
