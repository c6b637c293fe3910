import Foundation
import MuseCore
import MuseTraining

/// A text VAE with its tokenizer, as loaded from a bundle: samples lines from the prior,
/// reconstructs lines and walks the latent line between two.
public final class TextVAEModel {
    /// The model (evaluation mode).
    public let model: TextVAE
    /// The tokenizer it was trained with.
    public let tokenizer: any TextTokenizer

    /// Tokenizer ids whose text holds a line break (never generated: the end id stands for it).
    public let lineBreakIDs: [Int]

    /// Pairs a model with its tokenizer.
    public init(model: TextVAE, tokenizer: any TextTokenizer) {
        self.model = model
        self.tokenizer = tokenizer
        lineBreakIDs = (0..<tokenizer.vocabularySize).filter { id in
            ((try? tokenizer.decodeBytes([Int32(id)])) ?? []).contains { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        }
    }

    /// Text of generated ids (a byte-level token cut mid-character becomes U+FFFD).
    func text(_ ids: [Int]) throws -> String { try tokenizer.decode(ids.map(Int32.init), lossy: true) }

    /// `count` lines decoded from z ~ N(0, I) drawn from `generator`.
    /// - Parameters: temperature 0 = greedy decoding, > 0 sampled.
    public func sample(count: Int, temperature: Float, using generator: inout SplitMix64) throws -> [String] {
        guard count > 0 else { return [] }
        let z = Tensor.randn([count, model.config.latentSize], using: &generator)
        return try model.generate(z: z, temperature: temperature, banned: lineBreakIDs, using: &generator).map(text)
    }

    /// Token ids of one line of text.
    /// - Throws: `TextError.emptyInput` for a blank line, the tokenizer's errors.
    func ids(_ line: String, name: String) throws -> [Int32] {
        let ids = try tokenizer.encode(line, file: name)
        guard !ids.isEmpty, line.contains(where: { !$0.isWhitespace }) else { throw TextError.emptyInput(file: name) }
        return ids
    }

    /// Each line encoded to its posterior mean and decoded greedily.
    public func reconstruct(_ lines: [String]) throws -> [String] {
        let means = try model.means(of: lines.enumerated().map { try ids($0.element, name: "line \($0.offset + 1)") })
        var unused = SplitMix64(seed: 0)
        return try model.generate(z: means, temperature: 0, banned: lineBreakIDs, using: &unused).map(text)
    }

    /// `steps` lines decoded (greedily, or sampled at `temperature`) from points on the line (or
    /// great circle) between the posterior means of `first` and `second`, both ends included.
    /// - Throws: `TextError` for a blank or unencodable line.
    public func interpolate(from first: String, to second: String, steps: Int, spherical: Bool = false, temperature: Float = 0,
                            using generator: inout SplitMix64) throws -> [String] {
        let means = try model.means(of: [ids(first, name: "first line"), ids(second, name: "second line")]).scalars
        let z = model.config.latentSize
        let path = LatentPath.points(from: Array(means[0..<z]), to: Array(means[z...]), steps: max(2, steps), spherical: spherical)
        return try model.generate(z: Tensor(path.flatMap { $0 }, shape: [path.count, z]), temperature: temperature, banned: lineBreakIDs, using: &generator).map(text)
    }
}

extension TextVAE {
    /// The bundle kind: text VAEs sample lines, interpolate between two and score text.
    public static let bundleKind = BundleKind(
        name: "text-vae", summary: "sentence VAE, LSTM encoder and decoder (text lines, with its vocab.json)",
        capabilities: [.sample, .interpolate, .evaluate]) { try TextVAE.load(bundle: $0) }

    /// Loads an opened bundle (config, weights, `vocab.json`) in evaluation mode.
    /// - Throws: `TrainingError` naming the file and field that is missing or wrong, `TextError` for a bad vocabulary.
    public static func load(bundle: ModelBundle) throws -> TextVAEModel {
        let config = try bundle.config(TextVAEConfig.self)
        try config.validate(file: bundle.configURL.path)
        let tokenizer = try TextModelBundle.tokenizer(in: bundle, vocabularySize: config.tokenizerVocabSize)
        let model = try TextVAE(config: config)
        try bundle.loadWeights(into: model)
        model.eval()
        return TextVAEModel(model: model, tokenizer: tokenizer)
    }
}
