import Foundation
@testable import MuseCore
import XCTest

/// `Tensor.gemm` with a single row or column goes through `cblas_sgemv`; it must equal the plain
/// triple loop for every transpose, padded leading dimensions and both `beta` cases, and must not
/// read the old contents of `C` when `beta` is 0.
final class GemvTests: XCTestCase {
    /// op(A)·op(B)·alpha + beta·C by the definition, in Double.
    static func naive(tA: Bool, tB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: [Float], lda: Int, b: [Float], ldb: Int,
               beta: Float, c: [Float], ldc: Int) -> [Float] {
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let x = tA ? a[p * lda + i] : a[i * lda + p]
                    let y = tB ? b[j * ldb + p] : b[p * ldb + j]
                    s += Double(x) * Double(y)
                }
                out[i * ldc + j] = Float(Double(alpha) * s + (beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])))
            }
        }
        return out
    }

    /// `Tensor.gemm` on arrays.
    static func gemm(tA: Bool, tB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: [Float], lda: Int, b: [Float], ldb: Int,
                     beta: Float, c: inout [Float], ldc: Int) {
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    Tensor.gemm(transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: alpha, a: ap.baseAddress!, lda: lda,
                                b: bp.baseAddress!, ldb: ldb, beta: beta, c: cp.baseAddress!, ldc: ldc)
                }
            }
        }
    }

    func testSingleRowAndSingleColumnProductsEqualTheDefinition() {
        var rng = SplitMix64(seed: 5)
        func random(_ n: Int) -> [Float] { (0..<n).map { _ in rng.nextUnitFloat() * 2 - 1 } }
        for (m, n) in [(1, 7), (5, 1), (1, 1)] {
            let k = 13
            for tA in [false, true] {
                for tB in [false, true] {
                    for beta: Float in [0, 0.5] {
                        let lda = (tA ? m : k) + 2, ldb = (tB ? k : n) + 3, ldc = n + 1
                        let a = random((tA ? k : m) * lda), b = random((tB ? n : k) * ldb)
                        var c = random(m * ldc)
                        if beta == 0 { c[0] = .nan }                  // must not leak through beta = 0
                        let expected = Self.naive(tA: tA, tB: tB, m: m, n: n, k: k, alpha: 1.5, a: a, lda: lda, b: b, ldb: ldb,
                                             beta: beta, c: c, ldc: ldc)
                        Self.gemm(tA: tA, tB: tB, m: m, n: n, k: k, alpha: 1.5, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &c, ldc: ldc)
                        for i in 0..<m {
                            for j in 0..<n {
                                XCTAssertEqual(c[i * ldc + j], expected[i * ldc + j], accuracy: 1e-5,
                                               "m \(m) n \(n) tA \(tA) tB \(tB) beta \(beta) at \(i),\(j)")
                            }
                        }
                    }
                }
            }
        }
    }

    func testRowSoftmaxExponentiatesShiftedScoresAndReturnsTheirSum() {
        var row: [Float] = [1, 3, -2, 0.5]
        let sum = row.withUnsafeMutableBufferPointer { RowSoftmax.exponentiateShifted($0.baseAddress!, count: 4) }
        let expected = [1, 3, -2, 0.5].map { Foundation.exp(Double($0) - 3) }
        for (x, e) in zip(row, expected) { XCTAssertEqual(Double(x), e, accuracy: 1e-6) }
        XCTAssertEqual(Double(sum), expected.reduce(0, +), accuracy: 1e-6)
        var masked: [Float] = [-.infinity, 2]
        let s2 = masked.withUnsafeMutableBufferPointer { RowSoftmax.exponentiateShifted($0.baseAddress!, count: 2) }
        XCTAssertEqual(masked, [0, 1])
        XCTAssertEqual(s2, 1)
    }
}
