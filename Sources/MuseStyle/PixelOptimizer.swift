import MuseCore

/// How the pixels (or spectrogram values) are optimised.
public enum PixelOptimizer: Equatable, Sendable {
    /// L-BFGS with a strong-Wolfe line search (one step = one L-BFGS iteration, several evaluations).
    case lbfgs(historySize: Int)
    /// Adam at `learningRate` (one step = one evaluation).
    case adam(learningRate: Float)

    /// Parses `lbfgs` or `adam` (with `learningRate` for Adam).
    /// - Throws: `StyleError.invalidArgument` for another name.
    public static func named(_ name: String, learningRate: Float = 0.02) throws -> PixelOptimizer {
        switch name.lowercased() {
        case "lbfgs", "l-bfgs": return .lbfgs(historySize: 10)
        case "adam": return .adam(learningRate: learningRate)
        default: throw StyleError.invalidArgument(name: "optimizer", value: name, reason: "must be lbfgs or adam")
        }
    }
}

/// What one optimisation step reached.
public struct StyleProgress: Sendable {
    /// 1-based step.
    public var step: Int
    /// The loss terms after the step.
    public var losses: StyleLossValues
    /// Loss-and-gradient evaluations so far.
    public var evaluations: Int
}

/// Runs an optimiser on a `StyleObjective`, starting from given values.
public enum StyleOptimization {
    /// Minimises `objective` from `initial` for `steps` steps.
    /// - Parameters:
    ///   - initial: [1, channels, height, width], the starting pixels (the content, or noise).
    ///   - clamp: range the values are clamped to at the end (and after every Adam step).
    ///   - progress: called after every step; return `false` to stop early.
    /// - Returns: the optimised values, same shape.
    /// - Throws: `StyleError.nonFinite` when the loss diverges, or what the objective throws.
    public static func run(_ objective: StyleObjective, initial: Tensor, steps: Int, optimizer: PixelOptimizer,
                           clamp: ClosedRange<Float>? = nil,
                           progress: (StyleProgress) throws -> Bool = { _ in true }) throws -> Tensor {
        let shape = initial.shape
        var result: [Float]
        switch optimizer {
        case .lbfgs(let history):
            // The terms of every evaluation of the current iteration: the line search accepts one of them.
            var evaluated: [(total: Double, values: StyleLossValues)] = []
            let lbfgs = LBFGS(historySize: history)
            let r = try lbfgs.minimize(initial.scalars, iterations: steps, function: { x in
                let (values, gradient) = try objective.valueAndGradient(x, shape: shape)
                evaluated.append((Double(values.total), values))
                return (Double(values.total), gradient)
            }, onIteration: { it in
                let accepted = evaluated.last(where: { $0.total == it.value })?.values
                    ?? StyleLossValues(total: Float(it.value), content: .nan, style: .nan, totalVariation: .nan)
                evaluated.removeAll(keepingCapacity: true)
                evaluated.append((it.value, accepted))
                return try progress(StyleProgress(step: it.index, losses: accepted, evaluations: it.evaluations))
            })
            result = r.x
        case .adam(let learningRate):
            let x = initial.clone()
            x.requiresGrad = true
            let adam = Adam([("pixels", x)], learningRate: learningRate)
            for step in 1...max(steps, 1) where steps > 0 {
                adam.zeroGrad()
                let l = try objective.losses(x)
                let values = StyleLossValues(total: l.total.item(), content: l.content.item(), style: l.style.item(),
                                             totalVariation: l.totalVariation.item())
                guard values.total.isFinite else { throw StyleError.nonFinite(what: "loss", iteration: step) }
                l.total.backward()
                adam.step()
                if let clamp {
                    x.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = min(max(p[i], clamp.lowerBound), clamp.upperBound) } }
                }
                if try !progress(StyleProgress(step: step, losses: values, evaluations: step)) { break }
            }
            result = x.scalars
        }
        if let clamp { result = result.map { min(max($0, clamp.lowerBound), clamp.upperBound) } }
        return try Tensor(result, shape: shape)
    }
}
