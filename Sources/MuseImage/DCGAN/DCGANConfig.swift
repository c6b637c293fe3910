import Foundation

/// The DCGAN of TensorFlow's tutorial ("Deep Convolutional Generative Adversarial Network"):
/// sizes, the constants Keras uses by default, and the training settings. Codable as the
/// `config` object of a `dcgan` bundle.
public struct DCGANConfig: Codable, Equatable, Sendable {
    /// `kind` in `config.json`.
    public static let bundleKind = "dcgan"

    /// Length of the generator's noise vector (the tutorial's `noise_dim`).
    public var noiseSize = 100
    /// Side of the square pictures, in pixels (28 for Fashion-MNIST); a multiple of 4.
    public var imageSize = 28
    /// Channels of the pictures: 1 (grey) or 3 (RGB).
    public var channels = 1
    /// Channels after the generator's dense layer (`7·7·256` for 28×28).
    public var baseChannels = 256
    /// Output channels of the generator's first two transposed convolutions (128, 64).
    public var generatorChannels = [128, 64]
    /// Output channels of the discriminator's two convolutions (64, 128).
    public var discriminatorChannels = [64, 128]
    /// Negative slope of every LeakyReLU (Keras `LeakyReLU` default `alpha` = 0.3).
    public var leakySlope: Float = 0.3
    /// Dropout probability in the discriminator.
    public var dropout: Float = 0.3
    /// Keras `BatchNormalization` epsilon (1e-3) added to the variance.
    public var batchNormEpsilon: Float = 1e-3
    /// Weight of the newest batch in the running statistics: PyTorch's convention for Keras'
    /// `momentum` 0.99, i.e. 0.01.
    public var batchNormMomentum: Float = 0.01
    /// Pictures per step (the tutorial's `BATCH_SIZE`).
    public var batchSize = 256
    /// Adam learning rate of both optimizers.
    public var learningRate: Float = 1e-4
    /// Seed of the initial weights, the dropout masks and the fixed sample noise.
    public var seed: UInt64 = 0

    /// The tutorial's settings.
    public init() {}

    /// Side of the generator's first feature map (`imageSize / 4`).
    public var startSize: Int { imageSize / 4 }

    /// - Throws: `ImageError.invalidArgument` for sizes the network cannot take.
    public func validate() throws {
        func bad(_ name: String, _ value: Any, _ reason: String) -> ImageError {
            ImageError.invalidArgument(name: name, value: "\(value)", reason: reason)
        }
        guard imageSize >= 4, imageSize % 4 == 0 else { throw bad("imageSize", imageSize, "must be a positive multiple of 4") }
        guard channels == 1 || channels == 3 else { throw bad("channels", channels, "must be 1 or 3") }
        guard noiseSize > 0 else { throw bad("noiseSize", noiseSize, "must be positive") }
        guard generatorChannels.count == 2, generatorChannels.allSatisfy({ $0 > 0 }) else {
            throw bad("generatorChannels", generatorChannels, "must be two positive counts")
        }
        guard discriminatorChannels.count == 2, discriminatorChannels.allSatisfy({ $0 > 0 }) else {
            throw bad("discriminatorChannels", discriminatorChannels, "must be two positive counts")
        }
        guard baseChannels > 0 else { throw bad("baseChannels", baseChannels, "must be positive") }
        guard batchSize > 1 else { throw bad("batchSize", batchSize, "must be at least 2 (batch normalisation)") }
        guard dropout >= 0, dropout < 1 else { throw bad("dropout", dropout, "must be in [0, 1)") }
        guard learningRate > 0 else { throw bad("learningRate", learningRate, "must be positive") }
    }
}
