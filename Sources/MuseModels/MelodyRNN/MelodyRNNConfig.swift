import Foundation
import MuseEncoding

/// Hyperparameters of a melody RNN: what `config.json` of a melody bundle holds.
///
/// The three presets follow Magenta's melody_rnn configs (`basic_rnn`, `lookback_rnn`,
/// `attention_rnn`: one-hot or lookback inputs, 2 LSTM layers, dropout keep-prob 0.5, Adam at
/// 1e-3, clip norm 5 / 3). Magenta's layer size is 128 with batch 128 on whole melodies; our
/// default trains on random 64-step windows with batch 64, which is the same model at a
/// quarter of the work per step, so a CPU-only run learns in minutes (`hiddenSize` and
/// `batchSize` can be set back to Magenta's 128).
public struct MelodyRNNConfig: Codable, Equatable, Sendable {
    /// Which input/label encoding the model uses.
    public enum EncoderKind: String, Codable, Sendable, CaseIterable {
        /// One-hot of the current event (Magenta's basic_rnn).
        case basic
        /// Magenta's lookback_rnn encoding: lookback events, a bar counter, repeat flags and two
        /// "repeat the event of one / two bars ago" label classes.
        case lookback
    }

    /// Format tag, so a bundle of another model kind is rejected by name.
    public var model = "melody_rnn"
    /// Encoder kind.
    public var encoder: EncoderKind = .basic
    /// Lowest pitch the encoding represents (MIDI number, inclusive).
    public var minNote = 48
    /// One past the highest pitch (MIDI number, exclusive).
    public var maxNote = 84
    /// Quantization of the melodies, steps per quarter note.
    public var stepsPerQuarter = 4
    /// Lookback distances in steps (lookback encoder only).
    public var lookbackDistances = [16, 32]
    /// Bits of the lookback encoder's binary step counter.
    public var binaryCounterBits = 5
    /// LSTM units per layer (`hidden_size` of `torch.nn.LSTM`). Magenta: 128.
    public var hiddenSize = 128
    /// Stacked LSTM layers. Magenta: 2.
    public var numLayers = 2
    /// Probability of dropping an LSTM output in training (Magenta's keep-prob 0.5 → 0.5),
    /// applied after every layer as Magenta's `DropoutWrapper(output_keep_prob)`.
    public var dropout: Float = 0.5
    /// Outputs the attention looks back over (Magenta's `attn_length`; attention_rnn: 40); 0 = no attention.
    public var attentionLength = 0

    // Training settings (kept with the model so a resumed run uses the same ones).
    /// Sequences per batch.
    public var batchSize = 64
    /// Steps (events predicted) per training window; shorter melodies are padded and the padding ignored.
    public var sequenceLength = 64
    /// Adam learning rate.
    public var learningRate: Float = 1e-3
    /// Gradients are scaled so their global L2 norm is at most this (Magenta basic/lookback: 5).
    public var clipNorm: Float = 5

    /// Default settings.
    public init() {}

    /// Magenta's named configurations: `basic` (basic_rnn), `lookback` (lookback_rnn) or
    /// `attention` (attention_rnn: one-hot inputs, attention over the last 40 outputs, clip norm 3).
    /// - Throws: `ModelError.invalidArgument` for an unknown name.
    public static func preset(_ name: String) throws -> MelodyRNNConfig {
        var config = MelodyRNNConfig()
        switch name.replacingOccurrences(of: "_rnn", with: "") {
        case "basic": config.encoder = .basic
        case "lookback": config.encoder = .lookback
        case "attention":
            config.encoder = .basic
            config.attentionLength = 40
            config.clipNorm = 3
        default: throw ModelError.invalidArgument("unknown melody RNN config '\(name)' (known: basic, lookback, attention)")
        }
        return config
    }

    /// The one-hot event encoding of this pitch range.
    public func oneHot() throws -> MelodyOneHotEncoding { try MelodyOneHotEncoding(minNote: minNote, maxNote: maxNote) }

    /// The encoder this config names.
    public func makeEncoder() throws -> any MelodyEncoder {
        switch encoder {
        case .basic: return OneHotMelodyEncoder(oneHot: try oneHot())
        case .lookback:
            return LookbackMelodyEncoder(oneHot: try oneHot(), lookbackDistances: lookbackDistances, binaryCounterBits: binaryCounterBits)
        }
    }

    /// Magenta's melody pipeline with this config's pitch range and quantization.
    public var pipeline: MelodyPipeline {
        var p = MelodyPipeline()
        p.minNote = minNote
        p.maxNote = maxNote
        p.stepsPerQuarter = stepsPerQuarter
        return p
    }

    /// Checks every field; `file` names the config in the error.
    /// - Throws: `ModelError.badField` naming the first bad field.
    public func validate(file: String = "config.json") throws {
        func bad(_ field: String, _ reason: String) -> ModelError { .badField(file: file, field: field, reason: reason) }
        guard model == "melody_rnn" else { throw bad("model", "'\(model)' is not a melody_rnn bundle") }
        guard minNote >= 0, maxNote <= 128, minNote < maxNote else { throw bad("minNote", "pitch range \(minNote)..<\(maxNote) is not inside 0..<128") }
        guard (1...96).contains(stepsPerQuarter) else { throw bad("stepsPerQuarter", "\(stepsPerQuarter) not in 1...96") }
        guard (1...4096).contains(hiddenSize) else { throw bad("hiddenSize", "\(hiddenSize) not in 1...4096") }
        guard (1...16).contains(numLayers) else { throw bad("numLayers", "\(numLayers) not in 1...16") }
        guard dropout >= 0 && dropout < 1 else { throw bad("dropout", "\(dropout) not in [0, 1)") }
        guard lookbackDistances.allSatisfy({ $0 > 0 }) else { throw bad("lookbackDistances", "distances must be positive") }
        guard (0...4096).contains(attentionLength) else { throw bad("attentionLength", "\(attentionLength) not in 0...4096") }
        guard (0...32).contains(binaryCounterBits) else { throw bad("binaryCounterBits", "\(binaryCounterBits) not in 0...32") }
        guard batchSize > 0 else { throw bad("batchSize", "must be positive") }
        guard sequenceLength > 0 else { throw bad("sequenceLength", "must be positive") }
        guard learningRate > 0, learningRate.isFinite else { throw bad("learningRate", "must be positive") }
        guard clipNorm > 0 else { throw bad("clipNorm", "must be positive") }
    }
}
