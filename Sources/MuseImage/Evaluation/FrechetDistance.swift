import CBLAS
import CLAPACK
import MuseCore

/// The Fréchet distance between two Gaussians fitted to feature sets — FID's formula (Heusel et
/// al. 2017, "GANs trained by a two time-scale update rule converge to a local Nash equilibrium"):
///
///     d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½)
///
/// The trace of the matrix square root is computed through symmetric eigen-decompositions
/// (LAPACK `dsyevd` from OpenBLAS) instead of a general `sqrtm` of the non-symmetric product:
/// with S = Σ₁^½ (from Σ₁'s eigenvectors and the square roots of its eigenvalues clamped at 0),
/// Σ₁ Σ₂ = S (S Σ₂) has the eigenvalues of (S Σ₂) S = M, symmetric positive semi-definite, so
/// Tr((Σ₁ Σ₂)^½) = Σᵢ √max(λᵢ(M), 0). All arithmetic is in `Double`.
public enum FrechetDistance {
    /// The Fréchet distance between two feature sets' Gaussians.
    /// - Throws: `ImageError.invalidArgument` if the dimensions differ or LAPACK fails.
    public static func compute(_ a: FeatureStatistics, _ b: FeatureStatistics) throws -> Double {
        guard a.dimension == b.dimension else {
            throw ImageError.invalidArgument(name: "feature dimension", value: "\(a.dimension) vs \(b.dimension)",
                                             reason: "both feature sets must have the same dimension")
        }
        let d = a.dimension
        var meanTerm = 0.0
        for j in 0..<d { let diff = a.mean[j] - b.mean[j]; meanTerm += diff * diff }
        var traceA = 0.0, traceB = 0.0
        for j in 0..<d { traceA += a.covariance[j * d + j]; traceB += b.covariance[j * d + j] }
        let traceRoot = try traceOfSquareRootOfProduct(a.covariance, b.covariance, dimension: d)
        return meanTerm + traceA + traceB - 2 * traceRoot
    }

    /// The Fréchet distance between the Gaussians of two `[N, d]` feature tensors (rows are
    /// feature vectors; the row counts may differ).
    /// - Throws: `ImageError.invalidArgument` as `FeatureStatistics.init(features:)` and `compute(_:_:)`.
    public static func compute(features a: Tensor, _ b: Tensor) throws -> Double {
        try compute(FeatureStatistics(features: a), FeatureStatistics(features: b))
    }

    /// Tr((A B)^½) for symmetric positive semi-definite `[d, d]` A and B (row-major).
    /// - Throws: `ImageError.invalidArgument` if LAPACK fails.
    static func traceOfSquareRootOfProduct(_ a: [Double], _ b: [Double], dimension d: Int) throws -> Double {
        let root = try symmetricSquareRoot(a, dimension: d)
        // M = S B S, symmetric in exact arithmetic; symmetrised against rounding.
        var sb = [Double](repeating: 0, count: d * d), m = [Double](repeating: 0, count: d * d)
        let n = Int32(d)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, root, n, b, n, 0, &sb, n)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, sb, n, root, n, 0, &m, n)
        for i in 0..<d {
            for j in (i + 1)..<d {
                let mean = 0.5 * (m[i * d + j] + m[j * d + i])
                m[i * d + j] = mean; m[j * d + i] = mean
            }
        }
        let eigenvalues = try symmetricEigen(&m, dimension: d, vectors: false)
        return eigenvalues.reduce(0) { $0 + max($1, 0).squareRoot() }
    }

    /// The symmetric square root V diag(√max(λ, 0)) Vᵀ of a symmetric `[d, d]` matrix.
    /// - Throws: `ImageError.invalidArgument` if LAPACK fails.
    static func symmetricSquareRoot(_ matrix: [Double], dimension d: Int) throws -> [Double] {
        var vectors = matrix
        let eigenvalues = try symmetricEigen(&vectors, dimension: d, vectors: true)
        // dsyevd leaves eigenvector k in column k (column-major), i.e. row k of `vectors` read
        // row-major: vectors = Vᵀ. Scale row k by √λₖ, then S = Vᵀᵀ · (diag(√λ) Vᵀ).
        var scaled = vectors
        for k in 0..<d {
            let s = max(eigenvalues[k], 0).squareRoot()
            for j in 0..<d { scaled[k * d + j] *= s }
        }
        var root = [Double](repeating: 0, count: d * d)
        let n = Int32(d)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, n, 1, vectors, n, scaled, n, 0, &root, n)
        return root
    }

    /// Eigenvalues (ascending) of the symmetric `[d, d]` `matrix`, through LAPACK `dsyevd`; with
    /// `vectors`, `matrix` is overwritten by the eigenvectors as its rows (else destroyed).
    /// - Throws: `ImageError.invalidArgument` if LAPACK reports failure (`info ≠ 0`).
    static func symmetricEigen(_ matrix: inout [Double], dimension d: Int, vectors: Bool) throws -> [Double] {
        guard d > 0 else { return [] }
        var jobz = CChar(UInt8(ascii: vectors ? "V" : "N")), uplo = CChar(UInt8(ascii: "U"))
        var n = Int32(d), lda = Int32(d), info: Int32 = 0
        var eigenvalues = [Double](repeating: 0, count: d)
        // Workspace query, then the decomposition.
        var workSize = 0.0, iworkSize: Int32 = 0, queryWork: Int32 = -1, queryIWork: Int32 = -1
        dsyevd_(&jobz, &uplo, &n, &matrix, &lda, &eigenvalues, &workSize, &queryWork, &iworkSize, &queryIWork, &info, 1, 1)
        guard info == 0 else {
            throw ImageError.invalidArgument(name: "LAPACK dsyevd workspace query", value: "info=\(info)", reason: "failed")
        }
        var lwork = Int32(workSize.rounded(.up)), liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(&jobz, &uplo, &n, &matrix, &lda, &eigenvalues, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        guard info == 0 else {
            throw ImageError.invalidArgument(name: "LAPACK dsyevd", value: "info=\(info)",
                                             reason: info > 0 ? "the eigenvalues did not converge" : "argument \(-info) was illegal")
        }
        return eigenvalues
    }
}
