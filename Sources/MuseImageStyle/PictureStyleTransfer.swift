import MuseCore
import MuseImage
import MuseStyle

/// Style transfer and texture synthesis for pictures with a multi-scale network of random
/// filters (Ustyuzhaninov et al. 2016) in place of a pretrained VGG: the pixels of the output are
/// optimised so that its Gram matrices approach the style's and (for a transfer) its features stay
/// near the content's, with a total-variation term against high-frequency noise.
public enum PictureStyleTransfer {
    /// `image` as an RGB [1, 3, height, width] tensor in [0, 1], resized (Pillow-style bilinear)
    /// so that its longest side is `longestSide` pixels; grey is copied to the three channels,
    /// alpha is dropped.
    /// - Throws: `ImageError.invalidArgument` for an empty picture.
    public static func tensor(_ image: Image, longestSide: Int) throws -> Tensor {
        let rgb = image.converted(to: .rgb).to8Bit()
        let scale = Double(longestSide) / Double(max(rgb.width, rgb.height, 1))
        let w = max(1, Int((Double(rgb.width) * scale).rounded())), h = max(1, Int((Double(rgb.height) * scale).rounded()))
        return try rgb.resized(width: w, height: h).tensor(valueRange: 0...1)
    }

    /// The random feature network of `config` for RGB pictures.
    public static func filterBank(_ config: PictureStyleConfig) throws -> RandomFilterBank {
        try RandomFilterBank(inChannels: 3, scales: FilterScale.pictureScales(sizes: config.filterSizes, filters: config.filtersPerSize),
                             seed: config.seed)
    }

    /// Transfers `style` onto `content`, or synthesises a texture of `style` when `content` is `nil`.
    /// - Parameters:
    ///   - progress: after each step; return `false` to stop early.
    /// - Returns: the output picture (8-bit RGB; the content's aspect, or the style's for a texture)
    ///   and the loss terms at the end.
    /// - Throws: `StyleError` for bad settings or a picture smaller than the largest filter.
    public static func run(content: Image?, style: Image, config: PictureStyleConfig,
                           progress: (StyleProgress) throws -> Bool = { _ in true }) throws -> (image: Image, losses: StyleLossValues) {
        try config.validate()
        let bank = try filterBank(config)
        let styleTensor = try tensor(style, longestSide: config.size)
        let contentTensor = try content.map { try tensor($0, longestSide: config.size) }
        for t in [styleTensor] + (contentTensor.map { [$0] } ?? []) {
            let minimum = bank.minimumInputSize
            guard t.shape[2] >= minimum.height, t.shape[3] >= minimum.width else {
                throw StyleError.invalidArgument(name: "picture size", value: "\(t.shape[3])×\(t.shape[2]) after resizing",
                                                 reason: "must be at least \(minimum.width)×\(minimum.height), the largest filter; use a larger --size or a less elongated picture")
            }
        }
        let objective = try StyleObjective(bank: bank, style: styleTensor, content: contentTensor, weights: config.weights, inputOffset: 0.5)
        let initial: Tensor
        if let contentTensor, config.initialization == "content" {
            initial = contentTensor.clone()
        } else {
            var generator = SplitMix64(seed: config.seed &+ 0x5EED)
            initial = Tensor.uniform((contentTensor ?? styleTensor).shape, low: 0.35, high: 0.65, using: &generator)
        }
        let optimizer = try PixelOptimizer.named(config.optimizer, learningRate: config.learningRate)
        let result = try StyleOptimization.run(objective, initial: initial, steps: config.steps, optimizer: optimizer,
                                               clamp: 0...1, progress: progress)
        let losses = try objective.values(result)
        return (try Image(tensor: result, index: 0, valueRange: 0...1), losses)
    }
}
