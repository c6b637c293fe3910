import Foundation

/// A small CNN that classifies pictures (Fashion-MNIST's 10 classes by default): sizes and
/// training settings, Codable as the `config` object of an `image-classifier` bundle.
public struct ImageClassifierConfig: Codable, Equatable, Sendable {
    /// `kind` in `config.json`.
    public static let bundleKind = "image-classifier"

    /// Side of the square pictures, in pixels; a multiple of 4.
    public var imageSize = 28
    /// Channels of the pictures: 1 or 3.
    public var channels = 1
    /// Number of classes.
    public var classes = 10
    /// The layer plan; bundles written before the field existed are `.strided`.
    public var architecture = ImageClassifierArchitecture.pooled
    /// Channels of the two convolution blocks (see `ImageClassifierArchitecture`).
    public var convChannels = [32, 64]
    /// Size of the penultimate layer, whose activations are the Fréchet distance's features.
    public var featureSize = 128
    /// Dropout before the last layer.
    public var dropout: Float = 0.3
    /// Pictures per step.
    public var batchSize = 128
    /// Adam learning rate (cosine-decayed over the run by the CLI).
    public var learningRate: Float = 2e-3
    /// Seed of the initial weights and dropout masks.
    public var seed: UInt64 = 0

    /// The defaults above.
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case imageSize, channels, classes, architecture, convChannels, featureSize, dropout, batchSize, learningRate, seed
    }

    /// Decodes a bundle's config; a missing `architecture` (bundles of the first version) is `.strided`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        imageSize = try c.decode(Int.self, forKey: .imageSize)
        channels = try c.decode(Int.self, forKey: .channels)
        classes = try c.decode(Int.self, forKey: .classes)
        architecture = try c.decodeIfPresent(ImageClassifierArchitecture.self, forKey: .architecture) ?? .strided
        convChannels = try c.decode([Int].self, forKey: .convChannels)
        featureSize = try c.decode(Int.self, forKey: .featureSize)
        dropout = try c.decode(Float.self, forKey: .dropout)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        learningRate = try c.decode(Float.self, forKey: .learningRate)
        seed = try c.decode(UInt64.self, forKey: .seed)
    }

    /// - Throws: `ImageError.invalidArgument` for sizes the network cannot take.
    public func validate() throws {
        func bad(_ name: String, _ value: Any, _ reason: String) -> ImageError {
            ImageError.invalidArgument(name: name, value: "\(value)", reason: reason)
        }
        guard imageSize >= 4, imageSize % 4 == 0 else { throw bad("imageSize", imageSize, "must be a positive multiple of 4") }
        guard channels == 1 || channels == 3 else { throw bad("channels", channels, "must be 1 or 3") }
        guard classes >= 2 else { throw bad("classes", classes, "must be at least 2") }
        guard convChannels.count == 2, convChannels.allSatisfy({ $0 > 0 }) else { throw bad("convChannels", convChannels, "must be two positive counts") }
        guard featureSize > 0 else { throw bad("featureSize", featureSize, "must be positive") }
        guard dropout >= 0, dropout < 1 else { throw bad("dropout", dropout, "must be in [0, 1)") }
        guard batchSize > 1 else { throw bad("batchSize", batchSize, "must be at least 2") }
    }
}

/// The classifier's layer plan (channels a, b = `convChannels`; N×N pictures, N a multiple of 4).
public enum ImageClassifierArchitecture: String, Codable, Sendable, CaseIterable {
    /// Two blocks of [3×3 conv → BN → ReLU → 2×2 max-pool] (a, then b channels; N → N/2 → N/4),
    /// Flatten → Dense(featureSize) → ReLU → Dropout → Dense(classes).
    case pooled
    /// Two blocks of [3×3 conv → BN → ReLU → stride-2 3×3 conv → BN → ReLU] (a, then b channels),
    /// Flatten → Dense(featureSize) → ReLU → Dropout → Dense(classes) (the first version).
    case strided
}
