import Foundation
import MuseCore
import MuseEncoding

/// Magenta's melody RNN: encoded melody events → stacked LSTM (dropout after every layer) →
/// a linear layer to one logit per event class.
///
/// Parameter names are PyTorch's for `lstm = nn.LSTM(inputSize, hiddenSize, numLayers,
/// batch_first=True)` and `output = nn.Linear(hiddenSize, classCount)`:
/// `lstm.weight_ih_l0` [4H, in], `lstm.weight_hh_l0` [4H, H], `lstm.bias_ih_l0`, `lstm.bias_hh_l0`
/// [4H] (gate order i, f, g, o), …, `output.weight` [C, H], `output.bias` [C].
public final class MelodyRNN: Module {
    /// The hyperparameters.
    public let config: MelodyRNNConfig
    /// Input/label encoding.
    public let encoder: any MelodyEncoder
    /// The recurrent stack.
    public let lstm: StackedLSTM
    /// Dropout on the top layer's output (Magenta wraps every layer, the last one too).
    public let outputDropout: Dropout
    /// Attention after the LSTM stack (attention_rnn), `nil` when `attentionLength` is 0.
    public let attention: MelodyAttention?
    /// Projection to class logits.
    public let output: Linear
    public var isTraining = true
    public var children: [(name: String, module: any Module)] {
        [("lstm", lstm)] + (attention.map { [("attention", $0 as any Module)] } ?? []) + [("output", output)]
    }

    /// A freshly initialised model (PyTorch's initialisation, seeded).
    /// - Throws: `ModelError.badField` for an invalid config.
    public init(config: MelodyRNNConfig, seed: UInt64) throws {
        try config.validate()
        self.config = config
        encoder = try config.makeEncoder()
        var generator = SplitMix64(seed: seed)
        lstm = StackedLSTM(inputSize: encoder.inputSize, hiddenSize: config.hiddenSize, numLayers: config.numLayers,
                           dropout: config.dropout, seed: seed &+ 1000, using: &generator)
        outputDropout = Dropout(probability: config.dropout, seed: seed &+ 2000)
        attention = config.attentionLength > 0
            ? MelodyAttention(inputSize: encoder.inputSize, hiddenSize: config.hiddenSize, numLayers: config.numLayers,
                              length: config.attentionLength, using: &generator)
            : nil
        output = Linear(inFeatures: config.hiddenSize, outFeatures: encoder.classCount, using: &generator)
    }

    /// Training mode (dropout on) or evaluation mode (off), for every layer.
    public func setTraining(_ on: Bool) {
        isTraining = on
        lstm.setTraining(on)
        outputDropout.isTraining = on
        output.isTraining = on
    }

    /// States of the dropout generators, so a resumed run draws the same masks.
    public var randomStates: [String: UInt64] {
        get {
            var s = ["outputDropout": outputDropout.generator.state]
            for (k, d) in lstm.dropouts.enumerated() { s["lstmDropout\(k)"] = d.generator.state }
            return s
        }
        set {
            if let v = newValue["outputDropout"] { outputDropout.generator.state = v }
            for (k, d) in lstm.dropouts.enumerated() { if let v = newValue["lstmDropout\(k)"] { d.generator.state = v } }
        }
    }

    /// Zero state for `batch` sequences (what a melody starts from).
    public func zeroState(batch: Int) -> MelodyRNNState {
        let H = config.hiddenSize
        return MelodyRNNState(
            lstm: (0..<config.numLayers).map { _ in LSTMState(hidden: Tensor.zeros([1, batch, H]), cell: Tensor.zeros([1, batch, H])) },
            attention: attention.map { _ in Tensor.zeros([batch, H]) },
            memory: attention.map { Tensor.zeros([batch, $0.length, H]) })
    }

    /// Runs the model over encoded inputs.
    /// - Parameters:
    ///   - inputs: [batch, steps, encoder.inputSize].
    ///   - state: the state to continue from (`nil`: zeros).
    /// - Returns: logits [batch, steps, classCount] and the state after the last step.
    public func callAsFunction(_ inputs: Tensor, state: MelodyRNNState? = nil) throws -> (logits: Tensor, state: MelodyRNNState) {
        guard let attention else {
            let (h, s) = try lstm(inputs, state?.lstm)
            return (try output(try outputDropout(h)), MelodyRNNState(lstm: s, attention: nil, memory: nil))
        }
        // attention_rnn: one step at a time, since each step's input depends on the last attention.
        let B = inputs.shape[0], T = inputs.shape[1], I = inputs.shape[2], H = config.hiddenSize
        var st = state ?? zeroState(batch: B)
        guard var a = st.attention, var memory = st.memory else {
            throw ModelError.invalidArgument("attention model given a state without attention")
        }
        var outputs: [Tensor] = []
        for t in 0..<T {
            let x = try inputs.narrow(axis: 0 + 1, start: t, length: 1).reshape([B, I])
            var h = try attention.inputProjection(try Tensor.concat([x, a], axis: 1)).unsqueeze(axis: 1)  // [B, 1, I]
            var layerStates: [LSTMState] = []
            for (k, layer) in lstm.layers.enumerated() {
                let (y, s) = try layer(h, st.lstm[k])
                layerStates.append(s)
                h = k < lstm.dropouts.count ? try lstm.dropouts[k](y) : try outputDropout(y)
            }
            let step = try attention.step(cellOutput: try h.reshape([B, H]), states: layerStates, memory: memory)
            a = step.attention
            memory = step.memory
            st.lstm = layerStates
            outputs.append(try step.output.unsqueeze(axis: 1))
        }
        st.attention = a
        st.memory = memory
        let o = T == 0 ? Tensor.zeros([B, 0, H]) : try Tensor.concat(outputs, axis: 1)
        return (try output(o), st)
    }

    /// Encoded inputs and labels of melodies, padded to the longest: inputs [B, T, inputSize]
    /// (zeros past a melody's end), labels [B·T] with `ignoreIndex` past the end.
    /// A melody of n events gives T = n − 1 predictions.
    public func encodeBatch(_ melodies: [[Int]], ignoreIndex: Int = -100) throws -> (inputs: Tensor, labels: [Int]) {
        let T = max(1, melodies.map { $0.count - 1 }.max() ?? 1)
        return try encodeWindows(melodies.map { ($0, 0, max(0, $0.count - 1)) }, steps: T, ignoreIndex: ignoreIndex)
    }

    /// Encodes windows `(events, start, length)` of prediction positions `start ..< start+length`
    /// (input = event at the position, label = next event), padded to `steps`.
    func encodeWindows(_ windows: [(events: [Int], start: Int, length: Int)], steps T: Int,
                       ignoreIndex: Int) throws -> (inputs: Tensor, labels: [Int]) {
        let B = windows.count, I = encoder.inputSize
        let inputs = Tensor.zeros([B, T, I])
        var labels = [Int](repeating: ignoreIndex, count: B * T)
        try inputs.withUnsafeMutableBufferPointer { buffer in
            for (b, w) in windows.enumerated() {
                for t in 0..<min(T, w.length) {
                    let row = UnsafeMutableBufferPointer(rebasing: buffer[((b * T + t) * I)..<((b * T + t + 1) * I)])
                    try encoder.writeInput(events: w.events, position: w.start + t, into: row)
                    labels[b * T + t] = try encoder.label(events: w.events, position: w.start + t + 1)
                }
            }
        }
        return (inputs, labels)
    }
}

/// Everything a melody RNN carries from step to step: each LSTM layer's (h, c) [1, B, H], and
/// for attention_rnn the last attention vector [B, H] and the memory of outputs [B, length, H].
public struct MelodyRNNState {
    /// Per-layer LSTM state, lowest layer first.
    public var lstm: [LSTMState]
    /// a_{t−1} [B, H] (attention models only).
    public var attention: Tensor?
    /// The last `attentionLength` outputs [B, length, H] (attention models only).
    public var memory: Tensor?

    /// Rows `indices` of the batch (for beam search: copy, reorder, prune).
    public func gather(_ indices: [Int]) throws -> MelodyRNNState {
        MelodyRNNState(
            lstm: try lstm.map { LSTMState(hidden: try $0.hidden.indexSelect(axis: 1, indices: indices),
                                           cell: try $0.cell.indexSelect(axis: 1, indices: indices)) },
            attention: try attention.map { try $0.indexSelect(axis: 0, indices: indices) },
            memory: try memory.map { try $0.indexSelect(axis: 0, indices: indices) })
    }
}
