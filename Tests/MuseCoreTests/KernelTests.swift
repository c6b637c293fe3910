import CMuseKernels
import Foundation
@testable import MuseCore
import MuseSupport
import XCTest

/// The C elementwise kernels (CMuseKernels), both the baseline and the best table this CPU runs,
/// against double-precision libm: the polynomial exp within 2 ulp, GELU and its derivative through
/// the rational erf, the LSTM cell forward and backward, saturation and NaN.
final class KernelTests: XCTestCase {
    /// Both tables (the same one twice on a CPU without AVX2).
    var tables: [MuseKernelTable] { [ElementwiseKernels.baseline, ElementwiseKernels.best] }

    func testExpIsWithinTwoUlpOfLibmAndSumsInOrder() {
        let xs = Array(stride(from: Float(-87), through: 88, by: 0.0137))
        for table in tables {
            var ys = [Float](repeating: 0, count: xs.count)
            let sum = table.exp_shifted(xs, &ys, xs.count, 0)
            var worst: Float = 0
            var inOrder: Float = 0
            for (x, y) in zip(xs, ys) {
                let exact = Foundation.exp(Double(x))
                worst = Swift.max(worst, Float(Swift.abs(Double(y) - exact)) / Float(exact).ulp)
                inOrder += y
            }
            XCTAssertLessThanOrEqual(worst, 2, String(cString: table.name))
            XCTAssertEqual(sum, inOrder, "the sum is taken in index order")
            // In place, shifted, and flushed to 0 below e^−87.
            var row: [Float] = [1, 2, 3, -200]
            let s = row.withUnsafeMutableBufferPointer { table.exp_shifted($0.baseAddress!, $0.baseAddress!, 4, 3) }
            XCTAssertEqual(row[2], 1)
            XCTAssertEqual(row[0], Float(Foundation.exp(-2.0)), accuracy: 2 * Float(Foundation.exp(-2.0)).ulp)
            XCTAssertEqual(row[3], 0)
            XCTAssertEqual(s, row[0] + row[1] + row[2] + row[3])
        }
    }

    /// GELU x·Φ(x) within 1e-6 of the erf definition over [−6, 6] (Φ's erf is within 5e-7), its
    /// derivative Φ(x) + x·φ(x) within 2e-6, exact zero at 0 and NaN through.
    func testGELUAndItsDerivativeMatchTheErfDefinition() throws {
        let xs = (0..<32_433).map { Float($0 - 16_216) * 0.000_37 } + [0, .nan, 30, -30]
        let ones = [Float](repeating: 1, count: xs.count)
        for table in tables {
            var y = [Float](repeating: 0, count: xs.count), dy = y
            table.gelu_forward(xs, &y, xs.count)
            table.gelu_backward(xs, ones, &dy, xs.count)
            for (i, x) in xs.enumerated() where x.isFinite {
                let cdf = 0.5 * (1 + Foundation.erf(Double(x) / 2.0.squareRoot()))
                let pdf = Foundation.exp(-0.5 * Double(x) * Double(x)) / (2 * Double.pi).squareRoot()
                XCTAssertEqual(Double(y[i]), Double(x) * cdf, accuracy: 1e-6 * Swift.max(1, Double(Swift.abs(x))), "x = \(x)")
                XCTAssertEqual(Double(dy[i]), cdf + Double(x) * pdf, accuracy: 2e-6, "x = \(x)")
            }
            XCTAssertEqual(y[xs.count - 4], 0)
            XCTAssertTrue(y[xs.count - 3].isNaN)
            XCTAssertEqual(y[xs.count - 2], 30)
            XCTAssertEqual(y[xs.count - 1], 0)
        }
        // Through the op, on every path (chunks split over the cores).
        let grid = try Tensor((0..<4001).map { Float($0 - 2000) / 400 }, shape: [4001])
        let gelu = grid.gelu().scalars
        for (i, v) in grid.scalars.enumerated() {
            XCTAssertEqual(gelu[i], 0.5 * v * (1 + Foundation.erf(v / Float(2).squareRoot())), accuracy: 1e-6, "x = \(v)")
        }
    }

    /// One LSTM cell forward and backward for 37 hidden units (not a multiple of 8, so every
    /// vector loop has a remainder) against the same formulas in double precision.
    func testLSTMCellMatchesDoublePrecision() {
        let h = 37
        var generator = SplitMix64(seed: 5)
        func uniform(_ scale: Double) -> Double { (Double(generator.next() % 1_000_001) / 1_000_000 * 2 - 1) * scale }
        let pre = (0..<(4 * h)).map { _ in Float(uniform(6)) }
        let cp = (0..<h).map { _ in Float(uniform(2)) }
        let gy = (0..<h).map { _ in Float(uniform(1)) }
        let dh0 = (0..<h).map { _ in Float(uniform(1)) }, dc0 = (0..<h).map { _ in Float(uniform(1)) }
        func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
        for table in tables {
            var a = pre, c = [Float](repeating: 0, count: h), tc = c, y = c
            table.lstm_cell_forward(&a, cp, &c, &tc, &y, h)
            var dh = dh0, dc = dc0, d = [Float](repeating: 0, count: 4 * h)
            table.lstm_cell_backward(a, tc, cp, gy, &dh, &dc, &d, h)
            for j in 0..<h {
                let i = sigmoid(Double(pre[j])), f = sigmoid(Double(pre[h + j]))
                let g = Foundation.tanh(Double(pre[2 * h + j])), o = sigmoid(Double(pre[3 * h + j]))
                let cell = f * Double(cp[j]) + i * g, t = Foundation.tanh(cell)
                XCTAssertEqual(Double(a[j]), i, accuracy: 1e-6)
                XCTAssertEqual(Double(a[2 * h + j]), g, accuracy: 1e-6)
                XCTAssertEqual(Double(c[j]), cell, accuracy: 2e-6)
                XCTAssertEqual(Double(tc[j]), t, accuracy: 2e-6)
                XCTAssertEqual(Double(y[j]), o * t, accuracy: 2e-6)
                let dhj = Double(dh0[j]) + Double(gy[j])
                let dcj = Double(dc0[j]) + dhj * o * (1 - t * t)
                XCTAssertEqual(Double(dh[j]), dhj, accuracy: 1e-6)
                XCTAssertEqual(Double(d[j]), dcj * g * i * (1 - i), accuracy: 1e-5)
                XCTAssertEqual(Double(d[h + j]), dcj * Double(cp[j]) * f * (1 - f), accuracy: 1e-5)
                XCTAssertEqual(Double(d[2 * h + j]), dcj * i * (1 - g * g), accuracy: 1e-5)
                XCTAssertEqual(Double(d[3 * h + j]), dhj * t * o * (1 - o), accuracy: 1e-5)
                XCTAssertEqual(Double(dc[j]), dcj * f, accuracy: 1e-5)
            }
            // Saturated gates are ±1 exactly, or within 1e-30 of 0.
            var saturated: [Float] = [30, -200, -30, 200]
            var cell1: [Float] = [0], tanh1: [Float] = [0], out1: [Float] = [0]
            table.lstm_cell_forward(&saturated, [0.5], &cell1, &tanh1, &out1, 1)
            XCTAssertEqual(saturated[0], 1)
            XCTAssertEqual(saturated[1], 0, accuracy: 1e-30)  // e^−x is clamped at e^88
            XCTAssertEqual(saturated[2], -1)
            XCTAssertEqual(saturated[3], 1)
            XCTAssertEqual(cell1, [-1], "f·c + i·g = 0·0.5 + 1·(−1)")
        }
    }

    /// Three Adam and three AdamW updates of 1,001 parameters (a remainder after every vector
    /// width) against the same formulas in double precision.
    func testAdamUpdateMatchesDoublePrecision() {
        let n = 1001
        var generator = SplitMix64(seed: 9)
        func uniform() -> Float { Float(Double(generator.next() % 2_000_001) / 1_000_000 - 1) }
        let start = (0..<n).map { _ in uniform() }
        let grads = (0..<3).map { _ in (0..<n).map { _ in uniform() } }
        for decoupled in [false, true] {
            for table in tables {
                var p = start, m = [Float](repeating: 0, count: n), v = m
                var pd = start.map(Double.init), md = [Double](repeating: 0, count: n), vd = md
                let lr = 1e-2, wd = 0.1, b1 = 0.9, b2 = 0.99, eps = 1e-8
                for t in 1...3 {
                    let bc1 = 1 - Foundation.pow(b1, Double(t)), bc2 = 1 - Foundation.pow(b2, Double(t))
                    var step = MuseAdamStep(learningRate: Float(lr), weightDecay: Float(wd), beta1: Float(b1), beta2: Float(b2),
                                            stepSize: Float(lr / bc1), bias2Root: Float(bc2.squareRoot()), epsilon: Float(eps),
                                            decoupled: decoupled ? 1 : 0)
                    table.adam_update(&p, grads[t - 1], &m, &v, n, &step)
                    for i in 0..<n {
                        var g = Double(grads[t - 1][i])
                        if decoupled { pd[i] *= 1 - lr * wd } else { g += wd * pd[i] }
                        md[i] += (1 - b1) * (g - md[i])
                        vd[i] = b2 * vd[i] + (1 - b2) * g * g
                        pd[i] -= lr / bc1 * md[i] / (vd[i].squareRoot() / bc2.squareRoot() + eps)
                    }
                }
                for i in 0..<n {
                    XCTAssertEqual(Double(p[i]), pd[i], accuracy: 2e-6, "\(String(cString: table.name)) decoupled \(decoupled) at \(i)")
                    XCTAssertEqual(Double(v[i]), vd[i], accuracy: 1e-6)
                }
            }
        }
    }

    /// Layer normalisation forward and backward against double precision, for rows of 37 (a
    /// remainder after every vector width) and 128, with and without γ and β; and the column sums
    /// that give dγ and dβ.
    func testLayerNormMatchesDoublePrecision() {
        var random = SystemRandomNumberGenerator()
        for table in tables {
            let name = String(cString: table.name)
            for n in [37, 128] {
                let rows = 5
                let x = (0..<(rows * n)).map { _ in Float.random(in: -3...5, using: &random) }
                let g = (0..<(rows * n)).map { _ in Float.random(in: -1...1, using: &random) }
                let w = (0..<n).map { _ in Float.random(in: 0.5...1.5, using: &random) }
                let b = (0..<n).map { _ in Float.random(in: -1...1, using: &random) }
                for affine in [true, false] {
                    var y = [Float](repeating: 0, count: rows * n), xhat = y, dx = y, rstd = [Float](repeating: 0, count: rows)
                    table.layer_norm_forward(x, affine ? w : nil, affine ? b : nil, &y, &xhat, &rstd, rows, n, 1e-5)
                    table.layer_norm_backward(g, xhat, rstd, affine ? w : nil, &dx, rows, n)
                    for r in 0..<rows {
                        let row = (0..<n).map { Double(x[r * n + $0]) }
                        let mean = row.reduce(0, +) / Double(n)
                        let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
                        let inv = 1 / (variance + 1e-5).squareRoot()
                        XCTAssertEqual(Double(rstd[r]), inv, accuracy: 1e-6 * inv, name)
                        let h = row.map { ($0 - mean) * inv }
                        let d = (0..<n).map { Double(g[r * n + $0]) * (affine ? Double(w[$0]) : 1) }
                        let meanD = d.reduce(0, +) / Double(n)
                        let meanDH = zip(d, h).map { $0 * $1 }.reduce(0, +) / Double(n)
                        for j in 0..<n {
                            let expected = affine ? h[j] * Double(w[j]) + Double(b[j]) : h[j]
                            XCTAssertEqual(Double(y[r * n + j]), expected, accuracy: 2e-6, "\(name) n \(n) y[\(r), \(j)]")
                            XCTAssertEqual(Double(dx[r * n + j]), inv * (d[j] - meanD - h[j] * meanDH), accuracy: 5e-6,
                                           "\(name) n \(n) dx[\(r), \(j)]")
                        }
                    }
                }
                // dγ = Σ_rows g·x̂ and dβ = Σ_rows g, added to what the accumulators hold.
                var dw = [Float](repeating: 1, count: n), db = [Float](repeating: 1, count: n)
                table.accumulate_column_products(g, x, &dw, rows, n)
                table.accumulate_column_products(g, nil, &db, rows, n)
                for j in 0..<n {
                    let products = (0..<rows).map { Double(g[$0 * n + j]) * Double(x[$0 * n + j]) }.reduce(1, +)
                    XCTAssertEqual(Double(dw[j]), products, accuracy: 1e-5, name)
                    XCTAssertEqual(Double(db[j]), (0..<rows).map { Double(g[$0 * n + j]) }.reduce(1, +), accuracy: 1e-5, name)
                }
            }
        }
    }

    /// Σx² in double for every length around the 8 lanes, the same on every call.
    func testSumOfSquaresIsDoublePrecisionAndRepeatable() {
        var random = SystemRandomNumberGenerator()
        for table in tables {
            for n in [0, 1, 7, 8, 9, 1000, 100_003] {
                let x = (0..<n).map { _ in Float.random(in: -2...2, using: &random) }
                let exact = x.map { Double($0) * Double($0) }.reduce(0, +)
                let sum = table.sum_of_squares(x, n)
                XCTAssertEqual(sum, exact, accuracy: 1e-12 * Swift.max(1, exact), "\(String(cString: table.name)) n \(n)")
                XCTAssertEqual(table.sum_of_squares(x, n), sum)
            }
        }
    }
}

/// When OpenBLAS's kernels are narrower than the CPU's vectors, `BLASCoreType` names the core to
/// force; when they are as wide, nothing.
final class BLASCoreTypeTests: XCTestCase {
    func testCorrectionOnlyWhenOpenBLASMisreadTheCPU() {
        let avx2 = Int32(MUSE_CPU_AVX2_FMA), avx512 = Int32(MUSE_CPU_AVX2_FMA | MUSE_CPU_AVX512)
        XCTAssertEqual(BLASCoreType.correction(loaded: "Prescott", cpuFeatures: avx512), "SkylakeX")
        XCTAssertEqual(BLASCoreType.correction(loaded: "Haswell", cpuFeatures: avx512), "SkylakeX")
        XCTAssertEqual(BLASCoreType.correction(loaded: "Prescott", cpuFeatures: avx2), "Haswell")
        XCTAssertEqual(BLASCoreType.correction(loaded: "Sandybridge", cpuFeatures: avx2), "Haswell")
        XCTAssertNil(BLASCoreType.correction(loaded: "SkylakeX", cpuFeatures: avx512))
        XCTAssertNil(BLASCoreType.correction(loaded: "COOPERLAKE", cpuFeatures: avx512))
        XCTAssertNil(BLASCoreType.correction(loaded: "Zen", cpuFeatures: avx2))
        XCTAssertNil(BLASCoreType.correction(loaded: "Haswell", cpuFeatures: avx2))
        XCTAssertNil(BLASCoreType.correction(loaded: "Prescott", cpuFeatures: 0), "no wider vectors to use")
        XCTAssertFalse(BLASCoreType.loaded.isEmpty)
    }
}
