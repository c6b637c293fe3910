import MuseCore
import MuseStyle
import XCTest

/// The style-transfer loss terms and their gradients with respect to the input against PyTorch
/// autograd (float64) for the same filters and pictures (scripts/make_style_fixtures.py).
/// Tolerance: 1e-5 relative on each loss term; the gradient's largest deviation within 1e-5 of
/// its largest component.
final class StyleLossParityTests: XCTestCase {
    func assertMatchesPeer(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try Fixture.losses(name)
        let scales = try XCTUnwrap(expected["scales"] as? [[Int]]).map {
            FilterScale(kernelHeight: $0[0], kernelWidth: $0[1], stride: $0[2], filters: $0[3])
        }
        let channels = try XCTUnwrap(expected["channels"] as? Int)
        let w = try XCTUnwrap(expected["weights"] as? [String: Double])
        let weights = StyleWeights(content: Float(w["content"]!), style: Float(w["style"]!), totalVariation: Float(w["totalVariation"]!))
        let bank = try RandomFilterBank(inChannels: channels, scales: scales,
                                        weights: (0..<scales.count).map { try Fixture.npy("\(name)_w\($0)") })
        let content = try? Fixture.npy("\(name)_content")
        let objective = try StyleObjective(bank: bank, style: Fixture.npy("\(name)_style"), content: content, weights: weights,
                                           inputOffset: Float(try XCTUnwrap(expected["offset"] as? Double)))
        let x = try Fixture.npy("\(name)_x")
        let (values, gradient) = try objective.valueAndGradient(x.scalars, shape: x.shape)
        for (key, ours) in [("total", values.total), ("content", values.content), ("style", values.style), ("totalVariation", values.totalVariation)] {
            let peer = try XCTUnwrap(expected[key] as? Double)
            XCTAssertEqual(Double(ours), peer, accuracy: 1e-5 * max(abs(peer), 1e-12), "\(name) \(key)", file: file, line: line)
        }
        let peerGradient = try Fixture.npy("\(name)_grad").scalars
        XCTAssertEqual(gradient.count, peerGradient.count, file: file, line: line)
        let scale = peerGradient.map(abs).max() ?? 1
        let worst = zip(gradient, peerGradient).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, 1e-5 * scale, "\(name) gradient: worst \(worst) of scale \(scale)", file: file, line: line)
    }

    func testPictureLossesAndGradientMatchPyTorch() throws { try assertMatchesPeer("picture") }

    func testTextureLossesAndGradientMatchPyTorch() throws { try assertMatchesPeer("texture") }

    func testSpectrogramLossesAndGradientMatchPyTorch() throws { try assertMatchesPeer("audio") }
}
