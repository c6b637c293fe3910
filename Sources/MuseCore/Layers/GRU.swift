import Foundation

/// Multi-layer, optionally bidirectional GRU with `torch.nn.GRU`'s equations, gate order
/// (r, z, n) and parameter names/shapes (`weight_ih_l{k}[_reverse]` [3H, in], …):
/// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h′ = (1 − z) ⊙ n + z ⊙ h.
/// Built from tensor ops (its gradient is the ops' gradients).
public final class GRU: Module {
    /// Features per input step.
    public let inputSize: Int
    /// H.
    public let hiddenSize: Int
    /// Stacked layers.
    public let numLayers: Int
    /// Whether a second direction runs backwards in time.
    public let bidirectional: Bool
    /// `true`: [batch, seq, features]; `false`: [seq, batch, features].
    public let batchFirst: Bool
    public var isTraining = true
    /// Parameters per (layer, direction): weight_ih, weight_hh, bias_ih, bias_hh.
    public let cells: [[Tensor]]
    var numDirections: Int { bidirectional ? 2 : 1 }

    /// PyTorch's initialisation: every parameter ~ U(−1/√H, 1/√H).
    public init<G: RandomNumberGenerator>(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bidirectional: Bool = false,
                                          batchFirst: Bool = true, using generator: inout G) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.bidirectional = bidirectional
        self.batchFirst = batchFirst
        cells = RecurrentParameters.make(gates: 3, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers,
                                         bidirectional: bidirectional, using: &generator)
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        RecurrentParameters.named(cells, directions: numDirections)
    }

    /// Runs the GRU.
    /// - Parameters:
    ///   - input: [batch, seq, inputSize] if `batchFirst`, else [seq, batch, inputSize].
    ///   - hidden: h0 [numLayers · numDirections, batch, H]; zeros if `nil`.
    /// - Returns: `output` [batch, seq, H · numDirections] (or seq first) and h_n like h0.
    /// - Throws: `TensorError` on shape mismatch.
    public func callAsFunction(_ input: Tensor, _ hidden: Tensor? = nil) throws -> (output: Tensor, hidden: Tensor) {
        guard input.rank == 3, input.shape[2] == inputSize else {
            throw TensorError.invalidShape(op: "GRU", shape: input.shape, reason: "expected rank 3 with last axis \(inputSize)")
        }
        var x = batchFirst ? input : try input.transpose(0, 1)
        let B = x.shape[0], T = x.shape[1], H = hiddenSize, D = numDirections
        if let hidden, hidden.shape != [numLayers * D, B, H] {
            throw TensorError.shapeMismatch(op: "GRU h0", lhs: hidden.shape, rhs: [numLayers * D, B, H])
        }
        var hN: [Tensor] = []
        for layer in 0..<numLayers {
            var outputs: [Tensor] = []
            for dir in 0..<D {
                let index = layer * D + dir
                let p = cells[index]
                var h = try hidden.map { try $0.narrow(axis: 0, start: index, length: 1).reshape([B, H]) } ?? Tensor.zeros([B, H])
                let projected = try x.matmul(p[0], transposeB: true) + p[2]  // [B, T, 3H]
                var ys = [Tensor?](repeating: nil, count: T)
                for s in 0..<T {
                    let t = dir == 1 ? T - 1 - s : s
                    let gx = try projected.narrow(axis: 1, start: t, length: 1).reshape([B, 3 * H]).chunk(3, axis: 1)
                    let gh = try (h.matmul(p[1], transposeB: true) + p[3]).chunk(3, axis: 1)
                    let r = try (gx[0] + gh[0]).sigmoid(), z = try (gx[1] + gh[1]).sigmoid()
                    let n = try (gx[2] + r * gh[2]).tanh()
                    h = try (1 - z) * n + z * h
                    ys[t] = try h.unsqueeze(axis: 1)
                }
                outputs.append(T == 0 ? Tensor.zeros([B, 0, H]) : try Tensor.concat(ys.map { $0! }, axis: 1))
                hN.append(h)
            }
            x = D == 1 ? outputs[0] : try Tensor.concat(outputs, axis: 2)
        }
        return (batchFirst ? x : try x.transpose(0, 1), try Tensor.stack(hN, axis: 0))
    }
}
