import Foundation

/// The (hidden, cell) state of a recurrent layer: each [numLayers · numDirections, batch, hiddenSize].
public struct LSTMState {
    /// h: [numLayers · numDirections, batch, hiddenSize]
    public var hidden: Tensor
    /// c: [numLayers · numDirections, batch, hiddenSize]
    public var cell: Tensor
    /// A state from its two tensors.
    public init(hidden: Tensor, cell: Tensor) { self.hidden = hidden; self.cell = cell }
}

/// Multi-layer, optionally bidirectional LSTM with `torch.nn.LSTM`'s equations, gate order
/// (i, f, g, o), parameter names and shapes, so weights map 1:1:
/// `weight_ih_l{k}[_reverse]` [4H, in], `weight_hh_l{k}[_reverse]` [4H, H],
/// `bias_ih_l{k}[_reverse]`, `bias_hh_l{k}[_reverse]` [4H]; `in` is `inputSize` for layer 0 and
/// `H · numDirections` above. `dropout` > 0 drops each layer's output except the last's in
/// training mode, as PyTorch's `dropout` argument.
public final class LSTM: Module {
    /// Features per input step.
    public let inputSize: Int
    /// H, features per hidden state.
    public let hiddenSize: Int
    /// Stacked layers.
    public let numLayers: Int
    /// Whether a second direction runs backwards in time (outputs concatenated on features).
    public let bidirectional: Bool
    /// `true`: input/output [batch, seq, features]; `false`: [seq, batch, features].
    public let batchFirst: Bool
    /// Use the fused sequence kernel (default); `false` builds the same LSTM from tensor ops.
    public var useFusedKernel = true
    public var isTraining = true
    /// Dropout between stacked layers (training mode only), or `nil`.
    public let interLayerDropout: Dropout?
    /// Parameters per (layer, direction), in PyTorch order.
    public let cells: [[Tensor]]

    var numDirections: Int { bidirectional ? 2 : 1 }

    /// PyTorch's initialisation: every parameter ~ U(−1/√H, 1/√H).
    /// - Parameters:
    ///   - dropout: probability of dropping each inter-layer output in training (0 = none).
    ///   - dropoutSeed: seed of the inter-layer dropout's own generator.
    public init<G: RandomNumberGenerator>(inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bidirectional: Bool = false,
                                          batchFirst: Bool = true, dropout: Float = 0, dropoutSeed: UInt64 = 0,
                                          using generator: inout G) {
        interLayerDropout = dropout > 0 ? Dropout(probability: dropout, seed: dropoutSeed) : nil
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.bidirectional = bidirectional
        self.batchFirst = batchFirst
        cells = RecurrentParameters.make(gates: 4, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers,
                                         bidirectional: bidirectional, using: &generator)
    }

    public var localParameters: [(name: String, tensor: Tensor)] {
        RecurrentParameters.named(cells, directions: numDirections)
    }

    /// Runs the LSTM.
    /// - Parameters:
    ///   - input: [batch, seq, inputSize] if `batchFirst`, else [seq, batch, inputSize].
    ///   - state: initial (h0, c0), each [numLayers · numDirections, batch, H]; zeros if `nil`.
    /// - Returns: `output` [batch, seq, H · numDirections] (or seq first) and the final state.
    /// - Throws: `TensorError.shapeMismatch` / `.invalidShape` naming the bad shape.
    public func callAsFunction(_ input: Tensor, _ state: LSTMState? = nil) throws -> (output: Tensor, state: LSTMState) {
        guard input.rank == 3, input.shape[2] == inputSize else {
            throw TensorError.invalidShape(op: "LSTM", shape: input.shape, reason: "expected rank 3 with last axis \(inputSize)")
        }
        var x = batchFirst ? input : try input.transpose(0, 1)  // [B, T, I]
        let B = x.shape[0], T = x.shape[1], H = hiddenSize, D = numDirections
        let stateShape = [numLayers * D, B, H]
        if let state {
            guard state.hidden.shape == stateShape else { throw TensorError.shapeMismatch(op: "LSTM h0", lhs: state.hidden.shape, rhs: stateShape) }
            guard state.cell.shape == stateShape else { throw TensorError.shapeMismatch(op: "LSTM c0", lhs: state.cell.shape, rhs: stateShape) }
        }
        var hN: [Tensor] = [], cN: [Tensor] = []
        for layer in 0..<numLayers {
            var outputs: [Tensor] = []
            for dir in 0..<D {
                let index = layer * D + dir
                let h0 = try state.map { try $0.hidden.narrow(axis: 0, start: index, length: 1).reshape([B, H]) } ?? Tensor.zeros([B, H])
                let c0 = try state.map { try $0.cell.narrow(axis: 0, start: index, length: 1).reshape([B, H]) } ?? Tensor.zeros([B, H])
                let p = cells[index]
                let (y, hT, cT): (Tensor, Tensor, Tensor)
                if useFusedKernel {
                    let packed = Tensor.lstmSequence(x: x, h0: h0, c0: c0, weightIH: p[0], weightHH: p[1],
                                                     biasIH: p[2], biasHH: p[3], reverse: dir == 1)
                    y = try packed.narrow(axis: 1, start: 0, length: T)
                    cT = try packed.narrow(axis: 1, start: T, length: 1).reshape([B, H])
                    hT = T == 0 ? h0 : try y.narrow(axis: 1, start: dir == 1 ? 0 : T - 1, length: 1).reshape([B, H])
                } else {
                    (y, hT, cT) = try LSTM.unfusedSequence(x: x, h0: h0, c0: c0, parameters: p, reverse: dir == 1)
                }
                outputs.append(y)
                hN.append(hT)
                cN.append(cT)
            }
            x = D == 1 ? outputs[0] : try Tensor.concat(outputs, axis: 2)
            if let drop = interLayerDropout, layer < numLayers - 1 {
                drop.isTraining = isTraining
                x = try drop(x)
            }
        }
        let output = batchFirst ? x : try x.transpose(0, 1)
        return (output, LSTMState(hidden: try Tensor.stack(hN, axis: 0), cell: try Tensor.stack(cN, axis: 0)))
    }

    /// The same recurrence written with tensor ops, step by step (reference for the fused kernel).
    /// - Returns: y [B, T, H], h_T [B, H], c_T [B, H].
    static func unfusedSequence(x: Tensor, h0: Tensor, c0: Tensor, parameters p: [Tensor], reverse: Bool) throws -> (Tensor, Tensor, Tensor) {
        let T = x.shape[1], B = x.shape[0]
        let projected = try x.matmul(p[0], transposeB: true) + p[2] + p[3]  // [B, T, 4H]
        var h = h0, c = c0
        var ys = [Tensor?](repeating: nil, count: T)
        for s in 0..<T {
            let t = reverse ? T - 1 - s : s
            let gx = try projected.narrow(axis: 1, start: t, length: 1).reshape([B, -1])
            let gates = try gx + h.matmul(p[1], transposeB: true)
            let parts = try gates.chunk(4, axis: 1)
            let i = parts[0].sigmoid(), f = parts[1].sigmoid(), g = parts[2].tanh(), o = parts[3].sigmoid()
            c = try f * c + i * g
            h = try o * c.tanh()
            ys[t] = try h.unsqueeze(axis: 1)
        }
        let y = T == 0 ? Tensor.zeros([B, 0, h0.shape[1]]) : try Tensor.concat(ys.map { $0! }, axis: 1)
        return (y, h, c)
    }
}
