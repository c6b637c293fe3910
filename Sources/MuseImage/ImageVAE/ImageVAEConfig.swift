import Foundation

/// A convolutional VAE for small pictures (TensorFlow's CVAE tutorial, with a Bernoulli
/// likelihood on grey levels in [0, 1]): sizes and training settings, Codable as the `config`
/// object of an `image-vae` bundle.
public struct ImageVAEConfig: Codable, Equatable, Sendable {
    /// `kind` in `config.json`.
    public static let bundleKind = "image-vae"

    /// Latent size (2 draws the latent-manifold picture).
    public var zSize = 2
    /// Side of the square pictures, in pixels; a multiple of 4.
    public var imageSize = 28
    /// Channels of the pictures: 1 (grey) or 3 (RGB).
    public var channels = 1
    /// Output channels of the encoder's two stride-2 3×3 convolutions (the decoder mirrors them).
    public var convChannels = [32, 64]
    /// Pictures per step.
    public var batchSize = 128
    /// Adam learning rate.
    public var learningRate: Float = 1e-3
    /// Seed of the initial weights.
    public var seed: UInt64 = 0

    /// The defaults above.
    public init() {}

    /// Side of the feature map after the encoder (`imageSize / 4`).
    public var bottleneckSize: Int { imageSize / 4 }

    /// - Throws: `ImageError.invalidArgument` for sizes the network cannot take.
    public func validate() throws {
        func bad(_ name: String, _ value: Any, _ reason: String) -> ImageError {
            ImageError.invalidArgument(name: name, value: "\(value)", reason: reason)
        }
        guard imageSize >= 4, imageSize % 4 == 0 else { throw bad("imageSize", imageSize, "must be a positive multiple of 4") }
        guard channels == 1 || channels == 3 else { throw bad("channels", channels, "must be 1 or 3") }
        guard zSize > 0 else { throw bad("zSize", zSize, "must be positive") }
        guard convChannels.count == 2, convChannels.allSatisfy({ $0 > 0 }) else { throw bad("convChannels", convChannels, "must be two positive counts") }
        guard batchSize > 0 else { throw bad("batchSize", batchSize, "must be positive") }
        guard learningRate > 0 else { throw bad("learningRate", learningRate, "must be positive") }
    }
}
