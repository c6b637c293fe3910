import Foundation
import MuseTraining

/// Sizes of a char-rnn (Karpathy's `train.lua` defaults: 2 layers of 128 LSTM units, 50 steps of
/// back-propagation through time, 50 streams per batch, no dropout).
public struct CharRNNConfig: Codable, Equatable, Sendable {
    /// Number of token ids.
    public var vocabSize: Int
    /// LSTM units per layer (`rnn_size`); also the embedding width.
    public var hiddenSize: Int = 128
    /// LSTM layers (`num_layers`).
    public var numLayers: Int = 2
    /// Dropout between LSTM layers in training (`dropout`).
    public var dropout: Float = 0

    enum CodingKeys: String, CodingKey { case vocabSize = "vocab_size", hiddenSize = "rnn_size", numLayers = "num_layers", dropout }

    /// A config for `vocabSize` tokens.
    public init(vocabSize: Int, hiddenSize: Int = 128, numLayers: Int = 2, dropout: Float = 0) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.dropout = dropout
    }

    /// - Throws: `TrainingError.badField` naming `file` and the field that makes no sense.
    public func validate(file: String = "config") throws {
        func bad(_ field: String, _ reason: String) -> TrainingError { .badField(file: file, field: field, reason: reason) }
        guard vocabSize > 0 else { throw bad("vocab_size", "must be positive, got \(vocabSize)") }
        guard hiddenSize > 0 else { throw bad("rnn_size", "must be positive, got \(hiddenSize)") }
        guard numLayers > 0 else { throw bad("num_layers", "must be positive, got \(numLayers)") }
        guard dropout >= 0, dropout < 1 else { throw bad("dropout", "\(dropout) not in [0, 1)") }
    }
}
