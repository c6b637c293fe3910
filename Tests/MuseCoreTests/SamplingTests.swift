import Foundation
import MuseCore
import XCTest

final class SamplingTests: XCTestCase {
    func testCategoricalSamplingFollowsSoftmaxAndIsSeeded() throws {
        let logits = try Tensor([Float(Foundation.log(0.2)), Float(Foundation.log(0.5)), Float(Foundation.log(0.3))], shape: [1, 3])
        var rng = SplitMix64(seed: 8)
        var counts = [0, 0, 0]
        for _ in 0..<20000 { counts[try logits.sampleCategorical(using: &rng)[0]] += 1 }
        // 20000 draws: standard error of a frequency ≤ 0.0036; allow 0.015 (> 4 SE).
        XCTAssertEqual(Double(counts[0]) / 20000, 0.2, accuracy: 0.015)
        XCTAssertEqual(Double(counts[1]) / 20000, 0.5, accuracy: 0.015)
        var a = SplitMix64(seed: 3), b = SplitMix64(seed: 3)
        XCTAssertEqual(try logits.sampleCategorical(using: &a), try logits.sampleCategorical(using: &b))
        XCTAssertEqual(try logits.sampleCategorical(temperature: 0, using: &a), [1])
        XCTAssertThrowsError(try Tensor.zeros([2, 0]).sampleCategorical(using: &a))
    }
}
