import MuseStyle

/// Settings of picture style transfer and texture synthesis (`muse style-transfer`).
public struct PictureStyleConfig: Codable, Equatable, Sendable {
    /// Longest side of the output, in pixels (the content, or the style for a texture, is resized to it).
    public var size = 384
    /// Optimisation steps (L-BFGS iterations or Adam updates).
    public var steps = 300
    /// Term weights. The content and style terms are relative squared distances; 1 : 1000 keeps
    /// the content's layout under the style's colours and strokes.
    public var weights = StyleWeights(content: 1, style: 1e3, totalVariation: 1)
    /// Seed of the random filters and of the starting noise.
    public var seed: UInt64 = 0
    /// Kernel sides of the random network's scales, in pixels.
    public var filterSizes = [3, 5, 7, 11, 15, 23]
    /// Random filters per scale.
    public var filtersPerSize = 128
    /// `lbfgs` or `adam`.
    public var optimizer = "lbfgs"
    /// Adam's learning rate (pixels in [0, 1]).
    public var learningRate: Float = 0.02
    /// Start from the content (`content`) or from noise (`noise`); a texture always starts from noise.
    public var initialization = "content"

    /// The defaults above.
    public init() {}

    /// - Throws: `StyleError.invalidArgument` for values the transfer cannot take.
    public func validate() throws {
        func bad(_ name: String, _ value: Any, _ reason: String) -> StyleError {
            StyleError.invalidArgument(name: name, value: "\(value)", reason: reason)
        }
        let largest = filterSizes.max() ?? 0
        guard size >= largest, size <= 4096 else { throw bad("size", size, "must be between the largest filter (\(largest)) and 4096 pixels") }
        guard steps >= 0 else { throw bad("steps", steps, "must not be negative") }
        guard !filterSizes.isEmpty, filterSizes.allSatisfy({ $0 > 0 && $0 <= 64 }) else { throw bad("filter sizes", filterSizes, "must be 1...64 pixels") }
        guard filtersPerSize > 0, filtersPerSize <= 1024 else { throw bad("filters per size", filtersPerSize, "must be 1...1024") }
        for (name, w) in [("content weight", weights.content), ("style weight", weights.style), ("tv weight", weights.totalVariation)] {
            guard w >= 0, w.isFinite else { throw bad(name, w, "must be a finite value >= 0") }
        }
        guard ["content", "noise"].contains(initialization) else { throw bad("init", initialization, "must be content or noise") }
        _ = try PixelOptimizer.named(optimizer, learningRate: learningRate)
        guard learningRate > 0, learningRate.isFinite else { throw bad("learning rate", learningRate, "must be positive") }
    }
}
