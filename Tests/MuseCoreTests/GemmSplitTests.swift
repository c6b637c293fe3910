import Foundation
@testable import MuseCore
import MuseSupport
import XCTest

/// A product large enough is split into row or column blocks over the worker pool; each block is
/// its own OpenBLAS call on pointers offset into A, B and C. Every transpose, both split
/// directions, padded leading dimensions, sizes that leave a partial 16-wide panel, and both
/// `beta` cases must equal the definition.
final class GemmSplitTests: XCTestCase {
    func testSplitProductsEqualTheDefinition() {
        var rng = SplitMix64(seed: 11)
        func random(_ n: Int) -> [Float] { (0..<n).map { _ in rng.nextUnitFloat() * 2 - 1 } }
        // (m, n, k): taller than wide (rows split), wider than tall (columns split), ragged panels.
        for (m, n, k) in [(203, 67, 97), (45, 301, 80), (128, 128, 64)] {
            if Parallel.coreCount > 1 {
                XCTAssertGreaterThan(Tensor.gemmParts(m: m, n: n, k: k), 1, "\(m)×\(n)×\(k) is split")
            }
            for tA in [false, true] {
                for tB in [false, true] {
                    for beta: Float in [0, 0.25] {
                        let lda = (tA ? m : k) + 3, ldb = (tB ? k : n) + 1, ldc = n + 5
                        let a = random((tA ? k : m) * lda), b = random((tB ? n : k) * ldb)
                        var c = random(m * ldc)
                        if beta == 0 { c[ldc * (m - 1) + n - 1] = .nan }   // must not leak through beta = 0
                        let expected = GemvTests.naive(tA: tA, tB: tB, m: m, n: n, k: k, alpha: 0.75, a: a, lda: lda, b: b, ldb: ldb,
                                                       beta: beta, c: c, ldc: ldc)
                        GemvTests.gemm(tA: tA, tB: tB, m: m, n: n, k: k, alpha: 0.75, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &c, ldc: ldc)
                        var worst: Float = 0
                        for i in 0..<m { for j in 0..<n { worst = max(worst, abs(c[i * ldc + j] - expected[i * ldc + j])) } }
                        XCTAssertLessThan(worst, 1e-4, "\(m)×\(n)×\(k) tA \(tA) tB \(tB) beta \(beta)")
                        // The padding between rows of C is never written.
                        for i in 0..<m { for j in n..<ldc { XCTAssertEqual(c[i * ldc + j], expected[i * ldc + j]) } }
                    }
                }
            }
        }
    }

    /// Small products, and products inside a parallel job, are not split.
    func testSmallOrNestedProductsStayWhole() {
        XCTAssertEqual(Tensor.gemmParts(m: 64, n: 64, k: 64), 1)
        XCTAssertEqual(Tensor.gemmParts(m: 16, n: 16, k: 1 << 16), 1, "one panel each way")
        var inside = [Int](repeating: 0, count: 2)
        inside.withUnsafeMutableBufferPointer { inside in
            Parallel.forEach(2) { i in inside[i] = Tensor.gemmParts(m: 512, n: 512, k: 512) }
        }
        XCTAssertEqual(inside, [1, 1])
    }
}
