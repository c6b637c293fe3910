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
        // Every parameter's update is one segment of a single parallel job, split by elements
        // (a model's many small tensors would each be too small to split on their own). Each
        // element's update is independent, so the split changes no result.
        struct Segment { var start: Int, count: Int, p, g, m, v: UnsafeMutablePointer<Float>, constants: MuseAdamStep }
        var segments: [Segment] = []
        var total = 0
        for (index, (name, p)) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            let m = state.slot("\(name).exp_avg", like: p).0, v = state.slot("\(name).exp_avg_sq", like: p).0
            // PyTorch's update (m as a lerp, v, then p −= stepSize·m / (√v / √bc2 + ε)) in the C
            // kernels, 8 wide on AVX2.
            let constants = MuseAdamStep(learningRate: lr, weightDecay: groupWeightDecays[index], beta1: b1, beta2: b2,
                                         stepSize: stepSize, bias2Root: bc2Root, epsilon: eps, decoupled: decoupledWeightDecay ? 1 : 0)
            segments.append(Segment(start: total, count: p.count, p: p.storage.pointer, g: grad.storage.pointer,
                                    m: m.storage.pointer, v: v.storage.pointer, constants: constants))
            total += p.count
        }
        let kernels = ElementwiseKernels.best
        segments.withUnsafeBufferPointer { segments in
            Parallel.forEachChunk(count: total) { range in
                // The first segment that ends after the range starts, then each overlapping one.
                var lo = 0, hi = segments.count
                while lo < hi { let mid = (lo + hi) / 2; if segments[mid].start + segments[mid].count <= range.lowerBound { lo = mid + 1 } else { hi = mid } }
                var s = lo
                while s < segments.count, segments[s].start < range.upperBound {
                    let segment = segments[s]
                    let from = Swift.max(range.lowerBound, segment.start) - segment.start
                    let to = Swift.min(range.upperBound, segment.start + segment.count) - segment.start
                    withUnsafePointer(to: segment.constants) { constants in
                        kernels.adam_update(segment.p + from, segment.g + from, segment.m + from, segment.v + from, to - from, constants)
                    }
                    s += 1
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
