import Foundation

/// Updates parameters from their `.grad` (PyTorch's update rules, step for step).
///
/// Parameters are given by name (`module.namedParameters()`), so the optimizer state
/// (`stateDict()`) is keyed `"<parameter>.<slot>"` plus `"step"` and can be saved to safetensors
/// beside the weights and restored with `loadStateDict(_:)` to resume a run exactly.
public protocol Optimizer: AnyObject {
    /// The learning rate used by the next `step()` (set it from an `LRSchedule`).
    var learningRate: Float { get set }
    /// The named parameters being optimised.
    var parameters: [(name: String, tensor: Tensor)] { get }
    /// Applies one update to every parameter that has a gradient (under `noGrad`).
    func step()
    /// The optimizer's state tensors by name.
    func stateDict() -> [String: Tensor]
    /// Restores state saved by `stateDict()`. - Throws: `TensorError` for missing/mis-shaped state.
    func loadStateDict(_ state: [String: Tensor]) throws
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.tensor.grad = nil } }
}

/// Scales all gradients in place so their global L2 norm is at most `maxNorm`
/// (`torch.nn.utils.clip_grad_norm_`: coefficient maxNorm / (norm + 1e-6), capped at 1).
/// - Returns: the global norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var total: Double = 0
    let kernels = ElementwiseKernels.best
    for p in parameters { if let g = p.grad { total += kernels.sum_of_squares(g.storage.pointer, g.count) } }
    let norm = Float(total.squareRoot())
    let coefficient = Swift.min(maxNorm / (norm + 1e-6), 1)
    if coefficient < 1 {
        for p in parameters { p.grad?.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] *= coefficient } } }
    }
    return norm
}

/// Per-parameter state slots stored by name, shared by the optimizers.
final class OptimizerSlots {
    var slots: [String: Tensor] = [:]

    func slot(_ name: String, like p: Tensor) -> (Tensor, isNew: Bool) {
        if let s = slots[name] { return (s, false) }
        let s = Tensor.zeros(p.shape)
        slots[name] = s
        return (s, true)
    }

    func load(_ state: [String: Tensor], parameters: [(name: String, tensor: Tensor)], slotNames: [String]) throws {
        var restored: [String: Tensor] = [:]
        for (name, p) in parameters {
            for slot in slotNames {
                let key = "\(name).\(slot)"
                guard let t = state[key] else { continue }  // absent: slot not created yet
                guard t.shape == p.shape else {
                    throw TensorError.loadShapeMismatch(file: "optimizer state", tensor: key, expected: p.shape, found: t.shape)
                }
                restored[key] = t.clone()
            }
        }
        slots = restored
    }
}

/// Reads the `"step"` entry of an optimizer state.
func loadStep(_ state: [String: Tensor]) throws -> Int {
    guard let s = state["step"], s.count == 1 else { throw TensorError.missingTensor(file: "optimizer state", tensor: "step") }
    return Int(s.item())
}
