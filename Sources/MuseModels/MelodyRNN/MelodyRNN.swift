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
    /// Projection to class logits.
    public let output: Linear
    public var isTraining = true
    public var children: [(name: String, module: any Module)] { [("lstm", lstm), ("output", output)] }

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

    /// Runs the model over encoded inputs.
    /// - Parameters:
    ///   - inputs: [batch, steps, encoder.inputSize].
    ///   - states: per-layer LSTM states to continue from (`nil`: zeros).
    /// - Returns: logits [batch, steps, classCount] and the per-layer final states.
    public func callAsFunction(_ inputs: Tensor, states: [LSTMState]? = nil) throws -> (logits: Tensor, states: [LSTMState]) {
        let (h, s) = try lstm(inputs, states)
        return (try output(try outputDropout(h)), s)
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
