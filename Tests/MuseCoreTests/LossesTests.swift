import MuseCore
import XCTest
import _MuseTestSupport

/// Losses against PyTorch (forward and gradient of sum(out · w)), 1e-5 relative: each loss sums
/// at most 30 terms, accumulated here in double precision.
final class LossesTests: XCTestCase {
    func check(_ name: String, file: StaticString = #filePath, line: UInt = #line, _ loss: ([Tensor]) throws -> Tensor) throws {
        let f = try fixture("losses")
        let xs = OpsTests.inputs(f, name)
        for x in xs { x.requiresGrad = true }
        let out = try loss(xs)
        assertClose(out, try f.tensor("\(name).out"), "\(name) forward", file: file, line: line)
        try (out * f.tensor("\(name).w")).sum().backward()
        for (i, x) in xs.enumerated() {
            if let g = f["\(name).g\(i)"] { assertClose(x.grad!, g, "\(name) grad \(i)", file: file, line: line) }
        }
    }

    func targets() throws -> [Int] { try fixture("losses").tensor("ce.targets").indices() }

    func testCrossEntropyWithIgnoreIndexMatchesPyTorch() throws {
        let t = try targets()
        try check("ce") { try crossEntropy(logits: $0[0], targets: t) }
    }

    func testCrossEntropyWithLabelSmoothingMatchesPyTorch() throws {
        let t = try targets()
        try check("ce_smooth") { try crossEntropy(logits: $0[0], targets: t, labelSmoothing: 0.1) }
    }

    func testBinaryCrossEntropyWithLogitsMatchesPyTorch() throws {
        try check("bce") { try binaryCrossEntropyWithLogits(logits: $0[0], targets: $0[1]) }
    }

    func testMSEMatchesPyTorch() throws { try check("mse") { try mseLoss($0[0], $0[1]) } }

    func testGaussianKLMatchesPyTorch() throws {
        try check("kl") { try gaussianKLDivergence(mean: $0[0], logVariance: $0[1]) }
    }

    func testCrossEntropyGradientMatchesFiniteDifferences() throws {
        var rng = SplitMix64(seed: 5)
        let x = Tensor.randn([4, 6], using: &rng)
        x.requiresGrad = true
        try checkGradients([x], "ce") { try crossEntropy(logits: $0[0], targets: [1, -100, 5, 0], labelSmoothing: 0.2) }
        try checkGradients([x], "bce") { try binaryCrossEntropyWithLogits(logits: $0[0], targets: Tensor.full([4, 6], 0.3)) }
    }

    func testCrossEntropyRejectsBadTargets() {
        XCTAssertThrowsError(try crossEntropy(logits: Tensor.zeros([2, 3]), targets: [0, 3])) { e in
            XCTAssertEqual(e as? TensorError, .indexOutOfRange(op: "cross_entropy", index: 3, bound: 3))
        }
        XCTAssertThrowsError(try crossEntropy(logits: Tensor.zeros([2, 3]), targets: [0])) { e in
            XCTAssertEqual(e as? TensorError, .shapeMismatch(op: "cross_entropy", lhs: [2, 3], rhs: [1]))
        }
    }
}
