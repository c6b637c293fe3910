import Foundation
import MuseCore

/// Back-propagation that says when each leaf's gradient is final, so that data-parallel training
/// can start averaging a bucket of gradients while the rest of the graph is still being
/// differentiated (`DataParallel`'s overlapped all-reduce).
///
/// It walks the graph exactly as `Tensor.backward()` does — the same depth-first order, the same
/// sums in the same order — so the gradients are bit for bit the same (tested against it); the one
/// difference is that recorded ops keep their backward functions until the graph is dropped
/// (MuseCore alone may clear them), so the step's activations are freed after back-propagation
/// rather than during it.
enum ReadyOrderBackward {
    /// The leaves (tensors without a backward function) that need a gradient and are reachable
    /// from `root` through tensors that need one: the ones `run(_:ready:)` will report, unless an
    /// op gives one of them no gradient.
    static func reachableLeaves(from root: Tensor) -> Set<ObjectIdentifier> {
        guard root.requiresGrad else { return [] }
        var leaves = Set<ObjectIdentifier>()
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var stack = [root]
        while let node = stack.popLast() {
            guard let fn = node.gradFunction else {
                leaves.insert(ObjectIdentifier(node))
                continue
            }
            for input in fn.inputs where input.requiresGrad && visited.insert(ObjectIdentifier(input)).inserted {
                stack.append(input)
            }
        }
        return leaves
    }

    /// Back-propagates from the one-element `root` (a loss), accumulating into every leaf's
    /// `.grad` as `root.backward()` does, and calls `ready(leaf)` right after a leaf's gradient of
    /// this pass has been added (it changes no further in this pass).
    /// - Throws: what `ready` throws (back-propagation stops there).
    static func run(_ root: Tensor, ready: (Tensor) throws -> Void) throws {
        precondition(root.count == 1, "ReadyOrderBackward: the root must hold one value, not \(root.shape)")
        guard root.requiresGrad else { return }
        // Topological order by iterative DFS, as Tensor.backward.
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
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
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): Tensor.ones(root.shape)]
        try noGrad {
            for node in order.reversed() {
                guard let g = grads.removeValue(forKey: ObjectIdentifier(node)) else { continue }
                guard let fn = node.gradFunction else {
                    node.grad = node.grad.map { sum($0, g) } ?? g.clone()
                    try ready(node)
                    continue
                }
                let inputGrads = fn.backward(g, node)
                for (input, ig) in zip(fn.inputs, inputGrads) {
                    guard input.requiresGrad, let ig else { continue }
                    let key = ObjectIdentifier(input)
                    grads[key] = grads[key].map { sum($0, ig) } ?? ig
                }
                node.requiresGrad = false
            }
        }
    }

    /// `a + b` elementwise into a new tensor (the same float additions as MuseCore's).
    static func sum(_ a: Tensor, _ b: Tensor) -> Tensor {
        let out = a.clone()
        out.withUnsafeMutableBufferPointer { o in
            b.withUnsafeBufferPointer { x in for i in o.indices { o[i] = o[i] + x[i] } }
        }
        return out
    }
}
