import Foundation
import MuseCore

/// Back-propagation that says when each leaf's gradient is final, so that data-parallel training
/// can start averaging a bucket of gradients while the rest of the graph is still being
/// differentiated (`DataParallel`'s overlapped all-reduce).
///
/// The walk is `Tensor.backward`'s own (its `leafGradientReady` callback), so the gradients are
/// bit for bit those of a plain backward pass and activations are freed as it goes.
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

    /// Back-propagates from the one-element `root` (a loss) with `Tensor.backward`, which calls
    /// `ready(leaf)` right after a leaf's gradient of this pass has been added.
    /// - Throws: what `ready` throws (back-propagation stops there).
    static func run(_ root: Tensor, ready: (Tensor) throws -> Void) throws {
        precondition(root.count == 1, "ReadyOrderBackward: the root must hold one value, not \(root.shape)")
        try root.backward(leafGradientReady: ready)
    }
}
