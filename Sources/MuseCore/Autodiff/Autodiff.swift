import Foundation

/// How one recorded op turns the gradient of its output into gradients of its inputs.
///
/// `backward(gradOutput, output)` returns one entry per input (same order as `inputs`, same
/// shape as that input, `nil` where the input needs no gradient). The output is passed in rather
/// than captured so that no tensor references itself through its own graph.
public final class GradFunction {
    /// The op's name, for debugging (`"matmul"`, `"lstm"`).
    public let name: String
    /// The op's tensor inputs.
    public let inputs: [Tensor]
    /// Gradient of the loss w.r.t. each input, given the gradient w.r.t. the output and the output.
    public let backward: (_ gradOutput: Tensor, _ output: Tensor) -> [Tensor?]

    /// Records an op.
    public init(name: String, inputs: [Tensor], backward: @escaping (_ gradOutput: Tensor, _ output: Tensor) -> [Tensor?]) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}

/// Whether ops record the autodiff graph. A task-local value: `noGrad { }` switches it off for
/// the enclosed code on the current task or thread only; there is no global mutable flag.
public enum GradMode {
    /// `true` (the default) when ops record their backward functions.
    @TaskLocal public static var isEnabled: Bool = true
}

/// Runs `body` without recording the autodiff graph (inference, optimizer updates, evaluation).
@discardableResult
public func noGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false, operation: body)
}

extension Tensor {
    /// Attaches the backward function of an op to its freshly computed `output` when grad mode is
    /// on and any input requires grad; returns `output`. Every differentiable op ends with this:
    ///
    ///     public func square() -> Tensor {
    ///         let out = Tensor.map(self) { $0 * $0 }                        // forward
    ///         return Tensor.record(out, "square", [self]) { g, y in          // backward
    ///             [Tensor.zip(g, self) { 2 * $0 * $1 }]                     // d/dx = 2x · g
    ///         }
    ///     }
    ///
    /// The closure runs under `noGrad`, returns one gradient per input (`nil` to skip one) with
    /// that input's shape, and must capture tensors (not raw pointers) it reads later, so their
    /// storage stays alive until backward.
    public static func record(_ output: Tensor, _ name: String, _ inputs: [Tensor],
                              backward: @escaping (_ gradOutput: Tensor, _ output: Tensor) -> [Tensor?]) -> Tensor {
        guard inputs.contains(where: { $0.requiresGrad }), GradMode.isEnabled else { return output }
        output.requiresGrad = true
        output.gradFunction = GradFunction(name: name, inputs: inputs, backward: backward)
        return output
    }

    /// A view of the same storage that is cut from the graph (no grad flows through it).
    public func detach() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// Clears `.grad`.
    public func zeroGrad() { grad = nil }

    /// Back-propagates from this one-element tensor (a loss): accumulates d(self)/d(leaf) into
    /// every leaf's `.grad`. With `gradient`, back-propagates a vector-Jacobian product instead
    /// (`gradient` must have `self`'s shape). Releases the graph unless `retainGraph`.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false) {
        backward(gradient: gradient, retainGraph: retainGraph, leafGradientReady: { _ in })
    }

    /// `backward(gradient:retainGraph:)` that calls `leafGradientReady(leaf)` right after each
    /// leaf's gradient of this pass has been accumulated (it changes no further in this pass), so
    /// a caller can start using finished gradients while the rest of the graph is differentiated
    /// (data-parallel training launches its all-reduce buckets from here).
    /// - Throws: what `leafGradientReady` throws (back-propagation stops there).
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false,
                         leafGradientReady: (Tensor) throws -> Void) rethrows {
        let seed: Tensor
        if let gradient {
            precondition(gradient.shape == shape, "backward: gradient shape \(gradient.shape) != \(shape)")
            seed = gradient
        } else {
            precondition(count == 1, "backward(): called on a tensor of shape \(shape); pass `gradient:`")
            seed = Tensor.ones(shape)
        }
        guard requiresGrad else { return }
        // Topological order by iterative DFS (graphs over long sequences are deep).
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            let inputs = node.gradFunction?.inputs ?? []
            if next < inputs.count {
                stack.append((node, next + 1))
                let child = inputs[next]
                if child.requiresGrad, visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                order.append(node)
            }
        }
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        try noGrad {
            for node in order.reversed() {
                guard let g = grads.removeValue(forKey: ObjectIdentifier(node)) else { continue }
                guard let fn = node.gradFunction else {
                    // Always a fresh buffer: op backwards may hand the same tensor to several inputs.
                    node.grad = node.grad.map { Tensor.addSameShape($0, g) } ?? g.clone()
                    try leafGradientReady(node)
                    continue
                }
                let inputGrads = fn.backward(g, node)
                for (input, ig) in Swift.zip(fn.inputs, inputGrads) {
                    guard input.requiresGrad, let ig else { continue }
                    let key = ObjectIdentifier(input)
                    if let existing = grads[key] {
                        grads[key] = Tensor.addSameShape(existing, ig)
                    } else {
                        grads[key] = ig
                    }
                }
                if !retainGraph { node.gradFunction = nil; node.requiresGrad = false }
            }
        }
    }
}
