import Foundation
import MuseCore

/// A trained model that draws new pictures (the DCGAN, the image VAE), for sampling commands and
/// `SampleQuality`.
public protocol PictureGenerator: AnyObject {
    /// Side of the pictures, in pixels.
    var pictureSize: Int { get }
    /// Channels of the pictures.
    var pictureChannels: Int { get }
    /// Length of the noise or latent vector a picture is decoded from.
    var latentSize: Int { get }
    /// Pictures [N, channels, size, size] in [−1, 1] decoded from `latents` [N, latentSize]
    /// (evaluation mode, no gradients).
    /// - Throws: `TensorError` for a wrong shape.
    func pictures(fromLatents latents: Tensor) throws -> Tensor
    /// `count` new pictures [count, channels, size, size] in [−1, 1], drawn with `generator` in
    /// evaluation mode, without gradients, in batches of at most `batchSize`.
    /// - Throws: `TensorError` (not for valid counts).
    func generatePictures(count: Int, batchSize: Int, using generator: inout SplitMix64) throws -> Tensor
}

extension DCGAN: PictureGenerator {
    public var pictureSize: Int { config.imageSize }
    public var pictureChannels: Int { config.channels }
    public var latentSize: Int { config.noiseSize }
    public func pictures(fromLatents latents: Tensor) throws -> Tensor { try generate(noise: latents) }

    public func generatePictures(count: Int, batchSize: Int = 500, using rng: inout SplitMix64) throws -> Tensor {
        var parts: [Tensor] = []
        for start in stride(from: 0, to: count, by: max(1, batchSize)) {
            parts.append(try generate(noise: noise(count: min(batchSize, count - start), using: &rng)))
        }
        return try Tensor.concat(parts, axis: 0)
    }
}

extension ImageVAE: PictureGenerator {
    public var pictureSize: Int { config.imageSize }
    public var pictureChannels: Int { config.channels }
    public var latentSize: Int { config.zSize }
    public func pictures(fromLatents latents: Tensor) throws -> Tensor { try decode(latents) * 2 - 1 }

    /// Decoded pixel probabilities p mapped to 2p − 1.
    public func generatePictures(count: Int, batchSize: Int = 500, using rng: inout SplitMix64) throws -> Tensor {
        var parts: [Tensor] = []
        for start in stride(from: 0, to: count, by: max(1, batchSize)) {
            parts.append(try sample(count: min(batchSize, count - start), using: &rng) * 2 - 1)
        }
        return try Tensor.concat(parts, axis: 0)
    }
}
