import Foundation
@testable import MuseCore
import XCTest

/// The inline exponential of the fused LSTM kernel against the C library.
final class KernelTests: XCTestCase {
    func testInlineExpIsWithinTwoUlpOfLibm() {
        var worst: Float = 0
        var x: Float = -87
        while x <= 88 {
            let exact = Foundation.exp(Double(x))
            let ulp = Float(exact).ulp
            worst = Swift.max(worst, Float(Swift.abs(Double(Tensor.inlineExp(x)) - exact)) / ulp)
            x += 0.0137
        }
        XCTAssertLessThanOrEqual(worst, 2)
        XCTAssertEqual(Tensor.fastTanh(30), 1)
        XCTAssertEqual(Tensor.fastTanh(-30), -1)
        XCTAssertEqual(Tensor.fastSigmoid(-200), 0, accuracy: 1e-30)
        XCTAssertEqual(Tensor.fastTanh(1e-3), Foundation.tanh(1e-3), accuracy: 2e-7)
    }

    /// The vectorisable erf (GELU's Φ) against the double-precision erf: within 5e-7 absolute over
    /// [−6, 6], exactly ±1 beyond ±4's clamp, odd, and NaN in → NaN out; GELU through it within
    /// 1e-6 of the erff definition.
    func testInlineErfIsWithinFiveTenMillionthsOfErf() throws {
        var worst: Double = 0
        var x: Float = -6
        while x <= 6 {
            worst = Swift.max(worst, Swift.abs(Double(Tensor.inlineErf(x)) - Foundation.erf(Double(x))))
            XCTAssertEqual(Tensor.inlineErf(-x), -Tensor.inlineErf(x))
            x += 0.000_37
        }
        XCTAssertLessThanOrEqual(worst, 5e-7)
        XCTAssertEqual(Tensor.inlineErf(.infinity), 1, accuracy: 1e-7)
        XCTAssertEqual(Tensor.inlineErf(-.infinity), -1, accuracy: 1e-7)
        XCTAssertTrue(Tensor.inlineErf(.nan).isNaN)
        let grid = try Tensor((0..<4001).map { Float($0 - 2000) / 400 }, shape: [4001])
        let gelu = grid.gelu().scalars
        for (i, v) in grid.scalars.enumerated() {
            XCTAssertEqual(gelu[i], 0.5 * v * (1 + Foundation.erf(v / Float(2).squareRoot())), accuracy: 1e-6, "x = \(v)")
        }
    }
}
