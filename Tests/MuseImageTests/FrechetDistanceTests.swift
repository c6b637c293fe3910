import MuseCore
import MuseImage
import XCTest

/// The Fréchet distance against pytorch-fid's `calculate_frechet_distance` (scipy's general
/// `sqrtm` of Σ₁Σ₂) on the same float32 features.
final class FrechetDistanceTests: XCTestCase {
    /// Both compute in float64 from identical inputs; the two square-root routes agree to ~1e-12,
    /// so 1e-6 relative leaves room only for summation order.
    func testMatchesPytorchFID() throws {
        let cases = try XCTUnwrap(try Fixture.json("image_cases.json")["frechet"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 3)
        for c in cases {
            let name = try XCTUnwrap(c["name"] as? String)
            let expected = try XCTUnwrap(c["frechetDistance"] as? Double)
            let a = try Fixture.npy(name + "_a"), b = try Fixture.npy(name + "_b")
            XCTAssertEqual(a.shape, [try XCTUnwrap(c["countA"] as? Int), try XCTUnwrap(c["dimension"] as? Int)])
            let distance = try FrechetDistance.compute(features: a, b)
            XCTAssertEqual(distance, expected, accuracy: 1e-6 * abs(expected), name)
        }
    }

    func testStatisticsMatchNumPy() throws {
        let c = try XCTUnwrap((try Fixture.json("image_cases.json")["frechet"] as? [[String: Any]])?.first)
        let stats = try FeatureStatistics(features: try Fixture.npy("fid_d8_a"))
        let trace = (0..<8).reduce(0.0) { $0 + stats.covariance[$1 * 8 + $1] }
        XCTAssertEqual(trace, try XCTUnwrap(c["traceCovarianceA"] as? Double), accuracy: 1e-9)
        XCTAssertEqual(stats.mean[0], try XCTUnwrap(c["meanA0"] as? Double), accuracy: 1e-12)
        XCTAssertEqual(stats.covariance[1 * 8 + 3], stats.covariance[3 * 8 + 1])
    }

    func testIdenticalSetsAreAtDistanceZero() throws {
        let a = try Fixture.npy("fid_d32_a")
        let stats = try FeatureStatistics(features: a)
        let trace = (0..<32).reduce(0.0) { $0 + stats.covariance[$1 * 32 + $1] }
        XCTAssertEqual(try FrechetDistance.compute(features: a, a), 0, accuracy: 1e-9 * trace)
    }

    /// In one dimension the distance is (μ₁ − μ₂)² + (σ₁ − σ₂)².
    func testOneDimensionIsTheClosedForm() throws {
        let a = FeatureStatistics(dimension: 1, count: 10, mean: [1], covariance: [4])
        let b = FeatureStatistics(dimension: 1, count: 10, mean: [-2], covariance: [9])
        XCTAssertEqual(try FrechetDistance.compute(a, b), 9 + 1, accuracy: 1e-12)
    }

    /// For commuting (diagonal) covariances (Σ₁Σ₂)^½ = Σ₁^½ Σ₂^½: the sum of per-axis closed forms.
    func testDiagonalCovariancesGiveTheSumOfAxes() throws {
        let a = FeatureStatistics(dimension: 2, count: 10, mean: [0, 0], covariance: [1, 0, 0, 16])
        let b = FeatureStatistics(dimension: 2, count: 10, mean: [3, 0], covariance: [4, 0, 0, 1])
        XCTAssertEqual(try FrechetDistance.compute(a, b), (9 + 1) + (0 + 9), accuracy: 1e-12)
    }

    func testMismatchedDimensionsAndTooFewVectorsAreRefused() throws {
        XCTAssertNotNil(imageError(try FrechetDistance.compute(features: try Fixture.npy("fid_d8_a"), try Fixture.npy("fid_d32_a"))))
        XCTAssertNotNil(imageError(try FeatureStatistics(features: [1, 2, 3], count: 1, dimension: 3)))
        XCTAssertNotNil(imageError(try FeatureStatistics(features: [1, .nan, 3, 4], count: 2, dimension: 2)))
    }
}
