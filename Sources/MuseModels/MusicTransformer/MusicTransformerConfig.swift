import Foundation
import MuseEncoding

/// Hyperparameters of a Music Transformer: what `config.json` of a `music-transformer` bundle holds.
///
/// Tokens are performance class indices shifted by 2 as Magenta's Music Transformer
/// (`score2perf`): 0 = padding (also the start-of-window input), 1 = end of sequence, 2 + k =
/// performance class k of `pipeline` (388 classes with note_seq's defaults → 390 tokens).
///
/// The defaults are a small model that learns Bach chorales in minutes on two CPU cores
/// (Magenta's is 6 layers of width 512, 8 heads, feed-forward 2048, windows of 2048 events).
public struct MusicTransformerConfig: Codable, Equatable, Sendable {
    /// How positions enter the model.
    public enum Positions: String, Codable, Sendable, CaseIterable {
        /// Learned relative-position keys per head and layer (Shaw et al. 2018, Huang et al. 2019's skewing).
        case relative
        /// tensor2tensor's sinusoidal timing signal added to the scaled embeddings (Vaswani et al. 2017).
        case absolute
    }

    /// Format tag, so a bundle of another model kind is rejected by name.
    public var model = "music_transformer"
    /// The performance encoding of the events.
    public var pipeline = PerformancePipeline()
    /// Relative or absolute positions.
    public var positions: Positions = .relative
    /// Decoder layers.
    public var numLayers = 3
    /// Attention heads per layer (must divide `dModel`).
    public var numHeads = 4
    /// Model width.
    public var dModel = 128
    /// Hidden width of the feed-forward branch.
    public var dFF = 512
    /// Dropout on the embeddings, on every residual branch, inside the feed-forward branch and on
    /// the attention weights (tensor2tensor's music hparams: 0.1).
    public var dropout: Float = 0.1
    /// Output layer shares the embedding matrix (tensor2tensor's default `shared_embedding_and_softmax_weights`).
    public var tiedEmbeddings = true
    /// Rows of each relative table: the longest attended distance is `maxRelativePosition − 1`
    /// (0 = `maxSeqLen`).
    public var maxRelativePosition = 0

    // Training settings (kept with the model so a resumed run uses the same ones).
    /// Events per training window (random crops).
    public var maxSeqLen = 512
    /// Windows per batch.
    public var batchSize = 8
    /// Adam learning rate.
    public var learningRate: Float = 1e-3
    /// Transpositions drawn uniformly per window (the paper: −3…3 semitones).
    public var transpositions = [-3, -2, -1, 0, 1, 2, 3]
    /// Time-stretch factors drawn uniformly per window (Magenta's score2perf: ±5% in 2.5% steps).
    public var stretchFactors: [Double] = [0.95, 0.975, 1.0, 1.025, 1.05]

    /// Default settings.
    public init() {}

    /// Token id of padding and of the start-of-window input.
    public static let padToken = 0
    /// Token id of the end of a piece.
    public static let endToken = 1
    /// Performance class k is token k + `tokenOffset`.
    public static let tokenOffset = 2

    /// Performance classes plus padding and end of sequence.
    public var vocabularySize: Int {
        get throws { try pipeline.encoding().classCount + Self.tokenOffset }
    }

    /// Rows of each relative table actually used (`maxRelativePosition`, or `maxSeqLen` when 0).
    public var relativeTableRows: Int { maxRelativePosition > 0 ? maxRelativePosition : maxSeqLen }

    /// Checks every field; `file` names the config in the error.
    /// - Throws: `ModelError.badField` naming the first bad field.
    public func validate(file: String = "config.json") throws {
        func bad(_ field: String, _ reason: String) -> ModelError { .badField(file: file, field: field, reason: reason) }
        guard model == "music_transformer" else { throw bad("model", "'\(model)' is not a music_transformer bundle") }
        do { _ = try pipeline.encoding() } catch { throw bad("pipeline", "\(error)") }
        guard (1...64).contains(numLayers) else { throw bad("numLayers", "\(numLayers) not in 1...64") }
        guard (1...4096).contains(dModel) else { throw bad("dModel", "\(dModel) not in 1...4096") }
        guard numHeads > 0, dModel % numHeads == 0 else { throw bad("numHeads", "\(numHeads) does not divide dModel \(dModel)") }
        guard (1...65536).contains(dFF) else { throw bad("dFF", "\(dFF) not in 1...65536") }
        guard dropout >= 0 && dropout < 1 else { throw bad("dropout", "\(dropout) not in [0, 1)") }
        guard (0...65536).contains(maxRelativePosition) else { throw bad("maxRelativePosition", "\(maxRelativePosition) not in 0...65536") }
        guard (2...65536).contains(maxSeqLen) else { throw bad("maxSeqLen", "\(maxSeqLen) not in 2...65536") }
        guard batchSize > 0 else { throw bad("batchSize", "must be positive") }
        guard learningRate > 0, learningRate.isFinite else { throw bad("learningRate", "must be positive") }
        guard !transpositions.isEmpty, transpositions.allSatisfy({ abs($0) <= 12 }) else {
            throw bad("transpositions", "need at least one shift, each within ±12 semitones")
        }
        guard !stretchFactors.isEmpty, stretchFactors.allSatisfy({ $0 >= 0.5 && $0 <= 2 }) else {
            throw bad("stretchFactors", "need at least one factor, each in 0.5...2")
        }
    }
}
