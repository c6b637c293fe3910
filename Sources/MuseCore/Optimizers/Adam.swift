import CMuseKernels
import Foundation

/// Adam (`torch.optim.Adam`, L2 weight decay added to the gradient) or AdamW
/// (`torch.optim.AdamW`, decoupled decay p ← p(1 − lr·λ)), with PyTorch's formulas and order of
/// operations (on AVX2 machines multiply-adds are fused, as in PyTorch's vectorised kernels):
/// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − (lr/(1−β₁ᵗ)) · m / (√v/√(1−β₂ᵗ) + ε).
public final class Adam: Optimizer {
    public var learningRate: Float
    /// β₁, β₂.
    public let betas: (Float, Float)
    /// ε added to the denominator.
    public let epsilon: Float
    /// λ of the first parameter group (of every parameter when there is one group).
    public var weightDecay: Float { groupWeightDecays.first ?? 0 }
    /// λ of each parameter, from its group (PyTorch's `param_groups`).
    let groupWeightDecays: [Float]
    /// `true` for AdamW's decoupled decay.
    public let decoupledWeightDecay: Bool
    public let parameters: [(name: String, tensor: Tensor)]
    let state = OptimizerSlots()
    /// Updates applied so far (t).
    public private(set) var stepCount = 0

    /// Adam (defaults as PyTorch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no decay).
    public init(_ parameters: [(name: String, tensor: Tensor)], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.betas = betas
        self.epsilon = epsilon
        self.groupWeightDecays = [Float](repeating: weightDecay, count: parameters.count)
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    /// Adam or AdamW over parameter groups with their own weight decay, as PyTorch's
    /// `param_groups` (nanoGPT: decay 0.1 on matrices, none on biases, norms and embeddings' … as
    /// the model chooses). Parameters keep their names; state is keyed by name as usual.
    public init(groups: [(parameters: [(name: String, tensor: Tensor)], weightDecay: Float)], learningRate: Float = 1e-3,
                betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8, decoupledWeightDecay: Bool = true) {
        self.parameters = groups.flatMap(\.parameters)
        self.learningRate = learningRate
        self.betas = betas
        self.epsilon = epsilon
        self.groupWeightDecays = groups.flatMap { g in [Float](repeating: g.weightDecay, count: g.parameters.count) }
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    /// AdamW with PyTorch's defaults (weight decay 0.01).
    public static func adamW(_ parameters: [(name: String, tensor: Tensor)], learningRate: Float = 1e-3,
                             betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
        Adam(parameters, learningRate: learningRate, betas: betas, epsilon: epsilon, weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    public func step() {
        stepCount += 1
        let lr = learningRate, (b1, b2) = betas, eps = epsilon
        // Bias corrections in double precision, as PyTorch computes them with Python floats.
        let bc1 = 1 - Foundation.pow(Double(b1), Double(stepCount)), bc2 = 1 - Foundation.pow(Double(b2), Double(stepCount))
        let stepSize = Float(Double(lr) / bc1), bc2Root = Float(bc2.squareRoot())
        for (index, (name, p)) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            let wd = groupWeightDecays[index]
            let m = state.slot("\(name).exp_avg", like: p).0, v = state.slot("\(name).exp_avg_sq", like: p).0
            let pp = p.storage.pointer, pg = grad.storage.pointer, pm = m.storage.pointer, pv = v.storage.pointer
            // PyTorch's update (m as a lerp, v, then p −= stepSize·m / (√v / √bc2 + ε)) in the C
            // kernels, 8 wide on AVX2.
            let constants = MuseAdamStep(learningRate: lr, weightDecay: wd, beta1: b1, beta2: b2, stepSize: stepSize,
                                         bias2Root: bc2Root, epsilon: eps, decoupled: decoupledWeightDecay ? 1 : 0)
            let kernels = ElementwiseKernels.best
            withUnsafePointer(to: constants) { constants in
                Parallel.forEachChunk(count: p.count) { r in
                    let i = r.lowerBound
                    kernels.adam_update(pp + i, pg + i, pm + i, pv + i, r.count, constants)
                }
            }
        }
    }

    public func stateDict() -> [String: Tensor] {
        state.slots.merging(["step": Tensor(scalar: Float(stepCount))]) { a, _ in a }
    }

    public func loadStateDict(_ s: [String: Tensor]) throws {
        stepCount = try loadStep(s)
        try state.load(s, parameters: parameters, slotNames: ["exp_avg", "exp_avg_sq"])
    }
}
