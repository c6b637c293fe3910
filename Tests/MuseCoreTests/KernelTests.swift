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
}
