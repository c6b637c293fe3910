import Foundation
import MuseAudioStyle
import MuseStyle
import XCTest

/// Audio style transfer and texture on short synthetic clips with a small network.
final class AudioStyleTests: XCTestCase {
    func config(steps: Int) -> AudioStyleConfig {
        var c = AudioStyleConfig()
        c.sampleRate = 8000
        c.nFFT = 256
        c.hopLength = 64
        c.filters = 64
        c.steps = steps
        c.griffinLimIterations = 8
        c.seed = 2
        return c
    }

    /// A tone at `hertz` with a 4 Hz tremolo, `seconds` long at 8 kHz.
    func tone(_ hertz: Float, seconds: Float) -> [Float] {
        (0..<Int(seconds * 8000)).map { i in
            let t = Float(i) / 8000
            return 0.4 * sin(2 * .pi * hertz * t) * (0.6 + 0.4 * sin(2 * .pi * 4 * t))
        }
    }

    func testTextureHasTheAskedLengthAndApproachesTheStyleGrams() throws {
        var styles: [Float] = []
        let result = try AudioStyleTransfer.run(content: nil, style: tone(440, seconds: 0.6), seconds: 0.5, config: config(steps: 20)) {
            styles.append($0.losses.style); return true
        }
        XCTAssertEqual(result.samples.count, (1 + 4000 / 64 - 1) * 64)
        XCTAssertTrue(result.samples.allSatisfy { $0.isFinite && abs($0) <= 1 })
        XCTAssertLessThan(try XCTUnwrap(styles.last), 0.1 * styles[0])
    }

    func testTransferKeepsTheContentLengthLowersTheStyleTermAndStaysNearTheContent() throws {
        var c = config(steps: 30)
        c.initialization = "content"
        c.weights = StyleWeights(content: 1, style: 1)
        var first: StyleLossValues?, last: StyleLossValues?
        let content = tone(300, seconds: 0.5)
        let result = try AudioStyleTransfer.run(content: content, style: tone(900, seconds: 0.4), seconds: nil, config: c) { p in
            if first == nil { first = p.losses }
            last = p.losses
            return true
        }
        XCTAssertEqual(result.samples.count, (c.frames(samples: content.count) - 1) * 64)
        let a = try XCTUnwrap(first), b = try XCTUnwrap(last)
        XCTAssertLessThan(b.total, a.total, "total \(a.total) → \(b.total)")
        XCTAssertLessThan(b.style, 0.5 * a.style, "style \(a.style) → \(b.style)")
        XCTAssertLessThan(b.content, 0.5, "content \(a.content) → \(b.content) (relative feature distance)")
    }

    func testClipShorterThanOneFilterIsRefused() {
        XCTAssertThrowsError(try AudioStyleTransfer.run(content: nil, style: tone(440, seconds: 0.05), seconds: 0.5, config: config(steps: 1))) { error in
            guard case .invalidArgument(let name, _, _)? = error as? StyleError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "style length")
        }
    }
}
