import Foundation
import MuseCore

/// A stack of single-layer LSTMs with dropout between layers, whose parameters carry
/// `torch.nn.LSTM(num_layers: n)`'s names (`weight_ih_l0`, …, `bias_hh_l{n-1}`), so its weights
/// load into one PyTorch LSTM. (MuseCore's multi-layer `LSTM` has no inter-layer dropout, which
/// Magenta's melody RNN uses after every layer.)
public final class StackedLSTM: Module {
    /// One single-layer LSTM per level, lowest first.
    public let layers: [LSTM]
    /// Dropout after each layer but the last (PyTorch's `dropout=` argument).
    public let dropouts: [Dropout]
    public var isTraining = true
    public var children: [(name: String, module: any Module)] { [] }

    /// Renames layer k's `_l0` parameters to `_lk`.
    public var localParameters: [(name: String, tensor: Tensor)] {
        layers.enumerated().flatMap { k, layer in
            layer.localParameters.map { (String($0.name.dropLast(1)) + "\(k)", $0.tensor) }
        }
    }

    /// - Parameters:
    ///   - dropout: probability of zeroing a layer's output before the next layer.
    ///   - seed: seeds the dropout masks (layer k uses `seed + k`).
    public init<G: RandomNumberGenerator>(inputSize: Int, hiddenSize: Int, numLayers: Int, dropout: Float, seed: UInt64,
                                          using generator: inout G) {
        layers = (0..<numLayers).map { k in
            LSTM(inputSize: k == 0 ? inputSize : hiddenSize, hiddenSize: hiddenSize, numLayers: 1, batchFirst: true, using: &generator)
        }
        dropouts = (0..<max(0, numLayers - 1)).map { Dropout(probability: dropout, seed: seed &+ UInt64($0)) }
    }

    /// Sets training mode here and in the dropout layers.
    public func setTraining(_ on: Bool) {
        isTraining = on
        for d in dropouts { d.isTraining = on }
        for l in layers { l.isTraining = on }
    }

    /// Runs the stack.
    /// - Parameters:
    ///   - input: [batch, steps, inputSize].
    ///   - states: one state per layer (each h, c: [1, batch, hiddenSize]); zeros if `nil`.
    /// - Returns: the top layer's output [batch, steps, hiddenSize] and each layer's final state.
    public func callAsFunction(_ input: Tensor, _ states: [LSTMState]? = nil) throws -> (output: Tensor, states: [LSTMState]) {
        var x = input
        var out: [LSTMState] = []
        for (k, layer) in layers.enumerated() {
            let (y, s) = try layer(x, states?[k])
            out.append(s)
            x = k < dropouts.count ? try dropouts[k](y) : y
        }
        return (x, out)
    }
}
