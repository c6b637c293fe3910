import Foundation
import MuseCore

/// How good generated pictures are, measured with a trained classifier (FID's recipe with a
/// Fashion-MNIST CNN in place of Inception): the Fréchet distance between the classifier's
/// penultimate features of the samples and of reference pictures, and the classifier's label
/// distribution of the samples (a collapsed mode shows as classes with few or many samples).
public struct SampleQuality: Codable, Equatable, Sendable {
    /// Fréchet distance between the samples' and the reference pictures' features.
    public let frechetDistance: Double
    /// Samples compared.
    public let sampleCount: Int
    /// Reference pictures compared.
    public let referenceCount: Int
    /// Fraction of the samples the classifier puts in each class.
    public let labelDistribution: [Double]
    /// Entropy of `labelDistribution` in bits (log2(classes) when every class is equally common).
    public var labelEntropyBits: Double {
        -labelDistribution.filter { $0 > 0 }.reduce(0) { $0 + $1 * log2($1) }
    }

    /// Measures `samples` against `reference` (both [n, c, s, s] in [−1, 1]).
    /// - Throws: `TensorError` for shapes the classifier cannot take, `ImageError` from the
    ///   Fréchet distance (too few pictures for the feature size).
    public init(classifier: ImageClassifier, samples: Tensor, reference: Tensor) throws {
        let (ours, predicted) = try classifier.featuresAndPredictions(samples)
        let (theirs, _) = try classifier.featuresAndPredictions(reference)
        frechetDistance = try FrechetDistance.compute(features: ours, theirs)
        sampleCount = samples.shape[0]
        referenceCount = reference.shape[0]
        var counts = [Int](repeating: 0, count: classifier.config.classes)
        for p in predicted { counts[p] += 1 }
        labelDistribution = counts.map { Double($0) / Double(max(predicted.count, 1)) }
    }
}
