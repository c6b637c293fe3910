/// How much each term of the style-transfer loss counts.
public struct StyleWeights: Codable, Equatable, Sendable {
    /// Weight of the content term (relative feature distance to the content); 0 for texture synthesis.
    public var content: Float
    /// Weight of the style term (relative Gram distance to the style).
    public var style: Float
    /// Weight of the total-variation term (mean squared difference of neighbouring pixels).
    public var totalVariation: Float

    /// See the properties.
    public init(content: Float = 1, style: Float = 1, totalVariation: Float = 0) {
        self.content = content
        self.style = style
        self.totalVariation = totalVariation
    }
}

/// The terms of one evaluation of the loss, as numbers.
public struct StyleLossValues: Equatable, Sendable {
    /// Weighted sum of the terms below.
    public var total: Float
    /// Content term, unweighted: mean over scales of ‖F − P‖² / ‖P‖² (0 without a content).
    public var content: Float
    /// Style term, unweighted: mean over scales of ‖G − A‖² / ‖A‖².
    public var style: Float
    /// Total variation, unweighted.
    public var totalVariation: Float
}
