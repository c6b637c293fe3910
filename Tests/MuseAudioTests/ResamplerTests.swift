import Foundation
import MuseAudio
import XCTest

final class ResamplerTests: XCTestCase {
    /// `librosa.resample(music, orig_sr=44100, target_sr=rate, res_type=…)` for every case the
    /// fixture script wrote (5 rates, 4 soxr qualities): same library, same length (librosa's
    /// `fix_length`), every sample, edges included. On this machine Debian's libsoxr 0.1.3 gives
    /// python-soxr 1.1.0's samples bit for bit; the bound leaves room for another build's
    /// float rounding.
    func testMatchesLibrosaResampleAtEveryRateAndQuality() throws {
        let music = try Fixture.npy("music_44100")
        let data = try Data(contentsOf: Fixture.folder.appendingPathComponent("resample_cases.json"))
        let cases = try JSONDecoder().decode([ResampleCase].self, from: data)
        XCTAssertEqual(cases.count, 9)
        for item in cases {
            let quality = try XCTUnwrap(ResampleQuality(rawValue: item.res_type), item.res_type)
            let expected = try Fixture.npy("resample_music_\(item.rate)_\(item.res_type)")
            let ours = try Resampler.resample(AudioBuffer(mono: music, sampleRate: 44100), to: Double(item.rate), quality: quality)
            XCTAssertEqual(ours.frameCount, expected.count, "\(item)")
            XCTAssertLessThan(maxAbsError(ours.samples, expected), 1e-6, "\(item)")
        }
    }

    struct ResampleCase: Decodable, CustomStringConvertible {
        let rate: Int
        let res_type: String
        var description: String { "44100 → \(rate) \(res_type)" }
    }

    /// libsamplerate's best sinc against librosa's soxr_hq on a 1 kHz tone halved in rate: two
    /// different >95 dB filters agree within 1e-4 of the 0.5 amplitude in the interior; the first
    /// and last ~100 samples differ more (the filters treat the signal's edges differently).
    func testLibsamplerateSincBestAgreesWithSoxrAwayFromTheEdges() throws {
        let tone = try Fixture.npy("tone_1k_44100")
        let expected = try Fixture.npy("resample_tone_1k_22050_soxr_hq")
        let ours = try Resampler.resample(AudioBuffer(mono: tone, sampleRate: 44100), to: 22050, quality: .sincBest)
        XCTAssertEqual(ours.frameCount, expected.count)
        let interior = 100..<(expected.count - 100)
        XCTAssertLessThan(maxAbsError(Array(ours.samples[interior]), Array(expected[interior])), 1e-4)
    }

    /// The soxr default removes what the target rate cannot hold: a 15 kHz tone resampled to
    /// 22.05 kHz (Nyquist 11.025 kHz) leaves less than -100 dB, while a 5 kHz tone passes at
    /// unit gain (within 0.01 dB, soxr's passband ripple).
    func testAntiAliasingFilterRejectsAndPasses() throws {
        func rms(_ x: ArraySlice<Float>) -> Double { (x.reduce(0.0) { $0 + Double($1 * $1) } / Double(x.count)).squareRoot() }
        let n = 44100
        let high = (0..<n).map { Float(0.5 * sin(2 * Double.pi * 15000 * Double($0) / 44100)) }
        let low = (0..<n).map { Float(0.5 * sin(2 * Double.pi * 5000 * Double($0) / 44100)) }
        let outHigh = try Resampler.resample(AudioBuffer(mono: high, sampleRate: 44100), to: 22050)
        let outLow = try Resampler.resample(AudioBuffer(mono: low, sampleRate: 44100), to: 22050)
        let interior = 1000..<(outLow.frameCount - 1000)
        XCTAssertLessThan(20 * log10(rms(outHigh.samples[interior]) / rms(high[2000..<(n - 2000)])), -100)
        XCTAssertEqual(20 * log10(rms(outLow.samples[interior]) / rms(low[2000..<(n - 2000)])), 0, accuracy: 0.01)
    }

    func testOutputLengthIsCeilOfRatio() throws {
        let b = AudioBuffer(mono: [Float](repeating: 0.1, count: 1001), sampleRate: 44100)
        for quality in ResampleQuality.allCases {
            XCTAssertEqual(try Resampler.resample(b, to: 22050, quality: quality).frameCount, 501, "\(quality)")
            XCTAssertEqual(try Resampler.resample(b, to: 48000, quality: quality).frameCount, 1090, "\(quality)")
        }
    }

    /// Long signals are converted in parallel pieces; the seams must be invisible, at whole and
    /// fractional ratios (44.1 → 48 kHz seams fall every 147 input frames), upsampling and
    /// downsampling, for soxr and libsamplerate.
    func testParallelPiecesMatchSinglePass() throws {
        let n = 300_000
        var y = [Float](repeating: 0, count: 2 * n)
        for i in 0..<(2 * n) { y[i] = sin(Float(i % n) * 0.05) * 0.5 + sin(Float(i % n) * 0.9) * 0.2 }
        let b = AudioBuffer(planar: y, channelCount: 2, sampleRate: 44100)
        let cases: [(Double, ResampleQuality)] = [(22050, .soxrHQ), (48000, .soxrHQ), (8000, .soxrVHQ), (96000, .soxrMQ),
                                                  (22050, .sincBest), (48000, .sincFastest), (11025, .sincMedium)]
        for (rate, quality) in cases {
            let parallel = try Resampler.resample(b, to: rate, quality: quality, parallel: true)
            let serial = try Resampler.resample(b, to: rate, quality: quality, parallel: false)
            XCTAssertEqual(parallel.frameCount, serial.frameCount)
            XCTAssertLessThan(maxAbsError(parallel.samples, serial.samples), 1e-6, "\(rate) \(quality)")
        }
    }

    /// Odd rates, tiny and long inputs, every quality: never a crash, always `ceil(n × ratio)`
    /// finite frames, and (for the sinc/soxr filters) a constant signal stays near its value away
    /// from the edges.
    func testEdgeCasesKeepLengthAndFiniteness() throws {
        var state: UInt64 = 99
        func next(_ bound: Int) -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) % bound }
        let rates: [Double] = [8000, 11025, 16000, 22050, 32000, 44100, 48000, 96000, 192000, 12345, 7.5]
        for trial in 0..<60 {
            let from = rates[next(rates.count)], to = rates[next(rates.count)]
            guard to / from >= 1.0 / 256, to / from <= 256 else { continue }
            let n = [1, 2, 3, 17, 1000, 140_000][trial % 6]
            let quality = ResampleQuality.allCases[next(ResampleQuality.allCases.count)]
            let input = AudioBuffer(planar: [Float](repeating: 0.25, count: 2 * n), channelCount: 2, sampleRate: from)
            let out = try Resampler.resample(input, to: to, quality: quality)
            XCTAssertEqual(out.frameCount, Int((Double(n) * to / from).rounded(.up)), "\(from)→\(to) \(quality) n=\(n)")
            XCTAssertTrue(out.samples.allSatisfy(\.isFinite), "\(from)→\(to) \(quality) n=\(n)")
            if n == 140_000, quality != .soxrQQ, quality != .zeroOrderHold, quality != .linear, out.frameCount > 4000 {
                let mid = out.frameCount / 2
                XCTAssertEqual(out.samples[mid], 0.25, accuracy: 1e-3, "\(from)→\(to) \(quality)")
            }
        }
    }

    func testLibrosaResTypeNames() {
        XCTAssertEqual(ResampleQuality(rawValue: "soxr_hq"), .soxrHQ)
        XCTAssertEqual(ResampleQuality(rawValue: "sinc_best"), .sincBest)
        XCTAssertEqual(ResampleQuality.allCases.count, 10)
    }

    func testEmptyInputGivesEmptyOutput() throws {
        let out = try Resampler.resample(AudioBuffer(mono: [], sampleRate: 44100), to: 22050)
        XCTAssertEqual(out.frameCount, 0)
        XCTAssertEqual(out.sampleRate, 22050)
    }

    func testInvalidRatesAreRejected() {
        let b = AudioBuffer(mono: [0, 1], sampleRate: 44100)
        XCTAssertThrowsError(try Resampler.resample(b, to: 0))
        XCTAssertThrowsError(try Resampler.resample(b, to: -8000))
        XCTAssertThrowsError(try Resampler.resample(b, to: .nan))
        XCTAssertThrowsError(try Resampler.resample(b, to: 44100 * 1000))
        XCTAssertThrowsError(try Resampler.resample(AudioBuffer(mono: [0, 1], sampleRate: 0), to: 8000))
    }

    func testSameRateIsIdentity() throws {
        let b = AudioBuffer(mono: [0, 0.5, 1], sampleRate: 8000)
        XCTAssertEqual(try Resampler.resample(b, to: 8000), b)
    }
}
