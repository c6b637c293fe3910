import CBLAS
import MuseCore

/// The mean and covariance of a set of feature vectors, in `Double`: what the Fréchet distance
/// compares (pytorch-fid's `calculate_activation_statistics`: `np.mean(axis=0)`, `np.cov(rowvar=False)`).
public struct FeatureStatistics: Equatable, Sendable {
    /// Feature dimension `d`.
    public let dimension: Int
    /// Number of feature vectors `N` the statistics were taken over.
    public let count: Int
    /// `[d]` mean vector.
    public let mean: [Double]
    /// `[d, d]` row-major covariance with the unbiased `N − 1` divisor, as `numpy.cov`.
    public let covariance: [Double]

    /// Wraps precomputed statistics; sizes must agree (programmer error otherwise).
    public init(dimension: Int, count: Int, mean: [Double], covariance: [Double]) {
        precondition(mean.count == dimension && covariance.count == dimension * dimension,
                     "FeatureStatistics: mean \(mean.count) / covariance \(covariance.count) for d = \(dimension)")
        self.dimension = dimension
        self.count = count
        self.mean = mean
        self.covariance = covariance
    }

    /// Statistics of `count` feature vectors of `dimension` values each, row-major in `features`.
    /// - Throws: `ImageError.invalidArgument` for fewer than 2 vectors, a size mismatch, or a
    ///   NaN or infinite feature.
    public init(features: [Float], count: Int, dimension: Int) throws {
        guard dimension >= 1, count >= 2, features.count == count * dimension else {
            throw ImageError.invalidArgument(name: "features", value: "\(features.count) values as [\(count), \(dimension)]",
                                             reason: "need at least 2 vectors of at least 1 feature, count × dimension values")
        }
        guard features.allSatisfy({ $0.isFinite }) else {
            throw ImageError.invalidArgument(name: "features", value: "[\(count), \(dimension)]", reason: "contains NaN or infinity")
        }
        var mean = [Double](repeating: 0, count: dimension)
        for i in 0..<count {
            for j in 0..<dimension { mean[j] += Double(features[i * dimension + j]) }
        }
        for j in 0..<dimension { mean[j] /= Double(count) }
        // Centred copy in Double, then covariance = Xcᵀ Xc / (N − 1) with one BLAS product.
        var centred = [Double](repeating: 0, count: count * dimension)
        for i in 0..<count {
            for j in 0..<dimension { centred[i * dimension + j] = Double(features[i * dimension + j]) - mean[j] }
        }
        var covariance = [Double](repeating: 0, count: dimension * dimension)
        let d = Int32(dimension), n = Int32(count)
        centred.withUnsafeBufferPointer { x in
            covariance.withUnsafeMutableBufferPointer { c in
                cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, d, d, n,
                            1 / Double(count - 1), x.baseAddress, d, x.baseAddress, d, 0, c.baseAddress, d)
            }
        }
        self.init(dimension: dimension, count: count, mean: mean, covariance: covariance)
    }

    /// Statistics of the rows of a `[N, d]` tensor.
    /// - Throws: `ImageError.invalidArgument` for another rank, or as `init(features:count:dimension:)`.
    public init(features: Tensor) throws {
        guard features.rank == 2 else {
            throw ImageError.invalidArgument(name: "features shape", value: "\(features.shape)", reason: "must be [N, d]")
        }
        try self.init(features: features.scalars, count: features.shape[0], dimension: features.shape[1])
    }
}
