import MuseCore

/// The style-transfer loss of Gatys, Ecker and Bethge on the features of a random filter bank:
///
///     L(x) = w_c · mean_l ‖F_l(x) − F_l(c)‖² / ‖F_l(c)‖²
///          + w_s · mean_l ‖G_l(x) − G_l(s)‖² / ‖G_l(s)‖²
///          + w_tv · (mean (x[i+1, j] − x[i, j])² + mean (x[i, j+1] − x[i, j])²)
///
/// with F_l the ReLU feature maps of scale l ([filters, positions]) of the input minus
/// `inputOffset`, G_l = F_l·F_lᵀ / positions their Gram matrices, c the content and s the style.
/// Dividing each term by its target's squared norm makes the weights independent of the filter
/// count and of the picture's brightness. Gradients with respect to x come from MuseCore's autodiff.
public final class StyleObjective {
    /// The feature network.
    public let bank: RandomFilterBank
    /// Term weights.
    public let weights: StyleWeights
    /// Subtracted from every input value before the filters (0.5 centres [0, 1] pictures).
    public let inputOffset: Float
    /// G_l(s), one [filters, filters] per scale.
    public let styleGrams: [Tensor]
    /// F_l(c), one [filters, positions] per scale; `nil` without a content (texture synthesis).
    public let contentFeatures: [Tensor]?
    let styleNorms: [Float], contentNorms: [Float]

    /// Computes the targets.
    /// - Parameters:
    ///   - style: [1, channels, height, width]
    ///   - content: [1, channels, height, width] or `nil`; the optimised input must have its shape.
    /// - Throws: `StyleError.invalidArgument` for shapes the bank cannot take.
    public init(bank: RandomFilterBank, style: Tensor, content: Tensor?, weights: StyleWeights, inputOffset: Float = 0) throws {
        self.bank = bank
        self.weights = weights
        self.inputOffset = inputOffset
        let (grams, features): ([Tensor], [Tensor]?) = try noGrad {
            let grams = try bank.features(style - inputOffset).map { try $0.gram() }
            let features = try content.map { try bank.features($0 - inputOffset) }
            return (grams, features)
        }
        styleGrams = grams
        contentFeatures = features
        styleNorms = grams.map { StyleObjective.sumOfSquares($0) }
        contentNorms = features?.map { StyleObjective.sumOfSquares($0) } ?? []
    }

    /// The loss terms of `pixels` as tensors (differentiable with respect to `pixels`).
    /// - Parameter pixels: [1, channels, height, width]
    /// - Returns: total, content, style and total-variation scalars (content is 0 without a content target).
    /// - Throws: `StyleError`/`TensorError` for a shape that does not fit.
    public func losses(_ pixels: Tensor) throws -> (total: Tensor, content: Tensor, style: Tensor, totalVariation: Tensor) {
        let features = try bank.features(pixels - inputOffset)
        let scales = Float(features.count)
        var style = Tensor(scalar: 0), content = Tensor(scalar: 0)
        for (l, f) in features.enumerated() {
            let d = try f.gram() - styleGrams[l]
            style = try style + d.square().sum() * (1 / (styleNorms[l] * scales))
            if let targets = contentFeatures {
                guard targets[l].shape == f.shape else {
                    throw StyleError.invalidArgument(name: "input shape", value: "\(pixels.shape)", reason: "must be the content's shape")
                }
                content = try content + (f - targets[l]).square().sum() * (1 / (contentNorms[l] * scales))
            }
        }
        let tv = try StyleObjective.totalVariation(pixels)
        var total = style * weights.style
        if contentFeatures != nil { total = try total + content * weights.content }
        if weights.totalVariation != 0 { total = try total + tv * weights.totalVariation }
        return (total, content, style, tv)
    }

    /// The loss at `pixels` and its gradient, by one forward and one backward pass.
    /// - Parameters:
    ///   - values: the pixels, row-major in `shape`
    ///   - shape: [1, channels, height, width]
    /// - Returns: the terms and d(total)/d(pixels) in the same layout.
    public func valueAndGradient(_ values: [Float], shape: [Int]) throws -> (values: StyleLossValues, gradient: [Float]) {
        let x = try Tensor(values, shape: shape, requiresGrad: true)
        let l = try losses(x)
        let numbers = StyleLossValues(total: l.total.item(), content: l.content.item(), style: l.style.item(),
                                      totalVariation: l.totalVariation.item())
        l.total.backward()
        return (numbers, x.grad?.scalars ?? [Float](repeating: 0, count: values.count))
    }

    /// The terms at `pixels` without a gradient.
    public func values(_ pixels: Tensor) throws -> StyleLossValues {
        try noGrad {
            let l = try losses(pixels)
            return StyleLossValues(total: l.total.item(), content: l.content.item(), style: l.style.item(), totalVariation: l.totalVariation.item())
        }
    }

    /// mean (x[.., i+1, j] − x[.., i, j])² + mean (x[.., i, j+1] − x[.., i, j])² over a
    /// [n, channels, height, width] tensor (a side of 1 contributes 0).
    public static func totalVariation(_ x: Tensor) throws -> Tensor {
        let h = x.shape[2], w = x.shape[3]
        var tv = Tensor(scalar: 0)
        if h > 1 {
            tv = try tv + (x.narrow(axis: 2, start: 1, length: h - 1) - x.narrow(axis: 2, start: 0, length: h - 1)).square().mean()
        }
        if w > 1 {
            tv = try tv + (x.narrow(axis: 3, start: 1, length: w - 1) - x.narrow(axis: 3, start: 0, length: w - 1)).square().mean()
        }
        return tv
    }

    /// Σ v² (at least the smallest normal float, so that a blank target cannot divide by zero).
    static func sumOfSquares(_ t: Tensor) -> Float {
        let s = t.withUnsafeBufferPointer { $0.reduce(0.0) { $0 + Double($1) * Double($1) } }
        return Swift.max(Float(s), Float.leastNormalMagnitude)
    }
}
