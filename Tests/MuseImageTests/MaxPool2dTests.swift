import Foundation
import MuseCore
import MuseImage
import XCTest

/// 2×2 (and 3×3) max pooling against its definition: window maxima forward, the gradient routed
/// to each window's maximum, rows and columns past the last whole window dropped.
final class MaxPool2dTests: XCTestCase {
    /// The window maxima of `x` [n, c, h, w] with window and stride `k`, and each maximum's flat index.
    func reference(_ x: Tensor, _ k: Int) -> (values: [Float], at: [Int]) {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let v = x.scalars
        var values: [Float] = [], at: [Int] = []
        for plane in 0..<(n * c) {
            for oy in 0..<(h / k) {
                for ox in 0..<(w / k) {
                    var best = -Float.infinity, index = -1
                    for dy in 0..<k { for dx in 0..<k {
                        let i = plane * h * w + (oy * k + dy) * w + ox * k + dx
                        if v[i] > best { best = v[i]; index = i }
                    } }
                    values.append(best)
                    at.append(index)
                }
            }
        }
        return (values, at)
    }

    func testForwardAndGradientMatchDefinition() throws {
        var rng = SplitMix64(seed: 5)
        for (shape, k) in [([2, 3, 6, 8], 2), ([1, 2, 7, 5], 2), ([2, 1, 9, 10], 3)] {
            let x = Tensor.randn(shape, using: &rng)
            x.requiresGrad = true
            let y = try MaxPool2d(size: k)(x)
            XCTAssertEqual(y.shape, [shape[0], shape[1], shape[2] / k, shape[3] / k])
            let (values, at) = reference(x, k)
            XCTAssertEqual(y.scalars, values, "\(shape)")
            let probe = Tensor.randn(y.shape, using: &rng)
            try (y * probe).sum().backward()
            var expected = [Float](repeating: 0, count: x.count)
            for (j, i) in at.enumerated() { expected[i] += probe.scalars[j] }
            XCTAssertEqual(try XCTUnwrap(x.grad).scalars, expected, "\(shape)")
        }
    }

    func testTooSmallPictureThrows() {
        XCTAssertThrowsError(try MaxPool2d(size: 2)(Tensor.zeros([1, 1, 1, 4])))
        XCTAssertThrowsError(try MaxPool2d(size: 2)(Tensor.zeros([4, 4])))
    }
}
