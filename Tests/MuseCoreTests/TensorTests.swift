import Foundation
import MuseCore
import XCTest
import _MuseTestSupport

final class TensorTests: XCTestCase {
    func testShapeMismatchNamesOpAndBothShapes() {
        let a = Tensor.zeros([2, 3]), b = Tensor.zeros([4])
        XCTAssertThrowsError(try a + b) { e in
            XCTAssertEqual(e as? TensorError, .shapeMismatch(op: "add", lhs: [2, 3], rhs: [4]))
            XCTAssertEqual("\(e)", "add: shapes [2, 3] and [4] do not match")
        }
        XCTAssertThrowsError(try a.matmul(Tensor.zeros([2, 3]))) { e in
            XCTAssertEqual(e as? TensorError, .shapeMismatch(op: "matmul", lhs: [2, 3], rhs: [2, 3]))
        }
        XCTAssertThrowsError(try Tensor.concat([a, Tensor.zeros([3, 3])], axis: 1)) { e in
            XCTAssertEqual(e as? TensorError, .shapeMismatch(op: "concat", lhs: [2, 3], rhs: [3, 3]))
        }
        XCTAssertThrowsError(try a.reshape([4, 2]))
        XCTAssertThrowsError(try a.sum(axis: 2)) { e in
            XCTAssertEqual(e as? TensorError, .invalidAxis(op: "sum", axis: 2, rank: 2))
        }
        XCTAssertThrowsError(try a.indexSelect(axis: 0, indices: [2]))
        XCTAssertThrowsError(try Tensor([1, 2, 3], shape: [2, 2]))
    }

    func testReshapeIsAViewSharingStorage() throws {
        let a = Tensor.arange(0, 6)
        let b = try a.reshape([2, -1])
        XCTAssertEqual(b.shape, [2, 3])
        XCTAssertTrue(a.storage === b.storage)
        a.withUnsafeMutableBufferPointer { $0[4] = 40 }
        XCTAssertEqual(b.scalars[4], 40)
    }

    func testBroadcastingFollowsNumPyRules() throws {
        let a = try Tensor([1, 2, 3], shape: [3, 1]), b = try Tensor([10, 20], shape: [1, 2])
        let c = try a + b
        XCTAssertEqual(c.shape, [3, 2])
        XCTAssertEqual(c.scalars, [11, 21, 12, 22, 13, 23])
    }

    func testGradientsAccumulateAcrossBackwardCalls() throws {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        try (x * x).sum().backward()
        try (x * x).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [4, 8, 12])
        x.zeroGrad()
        XCTAssertNil(x.grad)
    }

    func testNoGradRecordsNoGraphAndDetachCutsIt() throws {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = noGrad { x.exp() }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertNil(y.gradFunction)
        XCTAssertTrue(GradMode.isEnabled)
        let z = x.exp().detach()
        XCTAssertFalse(z.requiresGrad)
        let w = try (x * x.detach()).sum()
        w.backward()
        XCTAssertEqual(x.grad?.scalars, [1, 2])  // d/dx (x · const) = const
    }

    func testTensorUsedTwiceGetsBothGradientContributions() throws {
        let x = Tensor(scalar: 3, requiresGrad: true)
        let y = try x * x + x  // dy/dx = 2x + 1 = 7
        y.backward()
        XCTAssertEqual(x.grad?.item(), 7)
    }

    func testSeededGeneratorIsDeterministicAndResumable() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        let t1 = Tensor.randn([100], using: &a)
        let saved = a
        let t2 = Tensor.randn([10], using: &a)
        var resumed = saved
        XCTAssertEqual(Tensor.randn([100], using: &b).scalars, t1.scalars)
        XCTAssertEqual(Tensor.randn([10], using: &resumed).scalars, t2.scalars)
        let n = Tensor.randn([20000], using: &b).scalars
        let mean = n.reduce(0, +) / Float(n.count)
        let variance = n.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(n.count)
        XCTAssertEqual(mean, 0, accuracy: 0.03)  // 4.2 standard errors of 1/sqrt(20000)
        XCTAssertEqual(variance, 1, accuracy: 0.05)
        let u = Tensor.uniform([1000], low: -2, high: 3, using: &b).scalars
        XCTAssertTrue(u.allSatisfy { $0 >= -2 && $0 < 3 })
    }

    /// Compute-bound ops on large tensors split over the cores (above `Parallel.minimumElements`);
    /// every element must equal the serial scalar result exactly.
    func testLargeElementwiseWorkSplitAcrossCoresMatchesSerial() throws {
        var rng = SplitMix64(seed: 1)
        let a = Tensor.randn([300, 1000], using: &rng), b = Tensor.randn([1000], using: &rng)
        XCTAssertGreaterThan(a.count, Parallel.minimumElements)
        let e = a.exp().scalars, t = a.tanh().scalars, pa = a.scalars
        for i in 0..<pa.count {
            XCTAssertEqual(e[i], Foundation.exp(pa[i]))
            XCTAssertEqual(t[i], Foundation.tanh(pa[i]))
        }
        let c = try a * b
        let pb = b.scalars, pc = c.scalars
        for i in stride(from: 0, to: pa.count, by: 997) { XCTAssertEqual(pc[i], pa[i] * pb[i % 1000]) }
        var covered = [Bool](repeating: false, count: 100_000)
        let lock = NSLock()
        Parallel.forEachChunk(count: covered.count, minimumChunk: 1000) { r in
            lock.lock(); for i in r { covered[i] = true }; lock.unlock()
        }
        XCTAssertTrue(covered.allSatisfy { $0 })
    }

    /// Products large enough to be split by rows over the cores equal a double-precision
    /// reference for every transpose flag (1e-4 relative: 1000-term float32 dot products).
    func testLargeMatmulSplitByRowsMatchesReferenceForAllTransposes() throws {
        var rng = SplitMix64(seed: 4)
        let m = 66, n = 80, k = 1000
        for (tA, tB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = Tensor.randn(tA ? [k, m] : [m, k], using: &rng), b = Tensor.randn(tB ? [n, k] : [k, n], using: &rng)
            let c = try a.matmul(b, transposeA: tA, transposeB: tB)
            XCTAssertEqual(c.shape, [m, n])
            let pa = a.scalars, pb = b.scalars, pc = c.scalars
            for i in stride(from: 0, to: m, by: 5) {
                for j in stride(from: 0, to: n, by: 7) {
                    var ref: Double = 0
                    for p in 0..<k {
                        ref += Double(tA ? pa[p * m + i] : pa[i * k + p]) * Double(tB ? pb[j * k + p] : pb[p * n + j])
                    }
                    XCTAssertEqual(Double(pc[i * n + j]), ref, accuracy: 1e-4 * Swift.max(1, Swift.abs(ref)) + 1e-3, "tA \(tA) tB \(tB)")
                }
            }
        }
    }

    func testSoftmaxOfLargeLogitsIsStable() throws {
        let x = try Tensor([1000, 1001, -1000], shape: [1, 3])
        let s = try x.softmax(axis: -1).scalars
        XCTAssertEqual(s[0], 0.26894142, accuracy: 1e-6)
        XCTAssertEqual(s[1], 0.7310586, accuracy: 1e-6)
        XCTAssertEqual(s[2], 0)
        XCTAssertTrue(try x.logSoftmax().scalars.allSatisfy { !$0.isNaN })
    }

    func testSplitAndChunkInvertConcat() throws {
        let x = try Tensor.arange(0, 24).reshape([2, 6, 2])
        let parts = try x.split(sizes: [1, 2, 3], axis: 1)
        XCTAssertEqual(parts.map(\.shape), [[2, 1, 2], [2, 2, 2], [2, 3, 2]])
        XCTAssertEqual(try Tensor.concat(parts, axis: 1).scalars, x.scalars)
        XCTAssertEqual(try x.chunk(3, axis: 1).count, 3)
        XCTAssertThrowsError(try x.split(sizes: [1, 2], axis: 1))
    }
}
