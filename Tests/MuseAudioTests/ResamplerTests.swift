import MuseAudio
import XCTest

final class ResamplerTests: XCTestCase {
    /// A 1 kHz tone halved in rate: libsamplerate's best sinc against librosa's soxr_hq. Both are
    /// >95 dB filters, so in the interior they agree to 1e-4 of the 0.5 amplitude; the first and
    /// last ~100 samples differ more (the filters treat the signal's edges differently).
    func testHalvingMatchesLibrosaSoxrHQ() throws {
        let tone = try Fixture.npy("tone_1k_44100")
        let expected = try Fixture.npy("resample_tone_1k_22050_soxr_hq")
        let ours = try Resampler.resample(AudioBuffer(mono: tone, sampleRate: 44100), to: 22050)
        XCTAssertEqual(ours.frameCount, expected.count)
        let interior = 100..<(expected.count - 100)
        XCTAssertLessThan(maxAbsError(Array(ours.samples[interior]), Array(expected[interior])), 1e-4)
    }

    func testOutputLengthIsCeilOfRatio() throws {
        let b = AudioBuffer(mono: [Float](repeating: 0.1, count: 1001), sampleRate: 44100)
        XCTAssertEqual(try Resampler.resample(b, to: 22050).frameCount, 501)
        XCTAssertEqual(try Resampler.resample(b, to: 48000, quality: .linear).frameCount, 1090)
    }

    /// Long signals are converted in parallel pieces; the seams must be invisible.
    func testParallelPiecesMatchSinglePass() throws {
        let n = 300_000
        var y = [Float](repeating: 0, count: 2 * n)
        for i in 0..<(2 * n) { y[i] = sin(Float(i % n) * 0.05) * 0.5 + sin(Float(i % n) * 0.9) * 0.2 }
        let b = AudioBuffer(planar: y, channelCount: 2, sampleRate: 44100)
        for quality in [ResampleQuality.sincBest, .sincFastest] {
            let parallel = try Resampler.resample(b, to: 22050, quality: quality, parallel: true)
            let serial = try Resampler.resample(b, to: 22050, quality: quality, parallel: false)
            XCTAssertEqual(parallel.frameCount, serial.frameCount)
            XCTAssertLessThan(maxAbsError(parallel.samples, serial.samples), 1e-6, "\(quality)")
        }
    }

    func testInvalidRatesAreRejected() {
        let b = AudioBuffer(mono: [0, 1], sampleRate: 44100)
        XCTAssertThrowsError(try Resampler.resample(b, to: 0))
        XCTAssertThrowsError(try Resampler.resample(b, to: -8000))
        XCTAssertThrowsError(try Resampler.resample(b, to: 44100 * 1000))
    }

    func testSameRateIsIdentity() throws {
        let b = AudioBuffer(mono: [0, 0.5, 1], sampleRate: 8000)
        XCTAssertEqual(try Resampler.resample(b, to: 8000), b)
    }
}
