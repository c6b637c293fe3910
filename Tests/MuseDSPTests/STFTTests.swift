import MuseDSP
import XCTest

/// `stft` against `librosa.stft` (librosa 0.11, double-precision FFT rounded to complex64).
/// Tolerance: 1e-5 of the spectrum's peak magnitude. A float32 FFT of size n carries rounding
/// error of about ε·log2(n)·peak ≈ 1e-6·peak; 1e-5 leaves margin, and a wrong window, offset,
/// padding or frame count gives errors of order 1.
final class STFTTests: XCTestCase {
    let tolerance: Float = 1e-5

    func check(_ name: String, _ parameters: STFTParameters, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try Fixture.npy(name)
        let ours = try stft(Fixture.signal(), parameters: parameters)
        XCTAssertEqual([ours.frequencyCount, ours.frameCount], expected.shape, file: file, line: line)
        XCTAssertLessThan(peakRelativeError(ours.interleaved, expected.values), tolerance, file: file, line: line)
    }

    func testDefaultsMatchLibrosa2048Hop512Centered() throws {
        try check("stft_2048_512_center", STFTParameters(nFFT: 2048, hopLength: 512))
    }

    func testSmallFFTCenteredMatchesLibrosa() throws {
        try check("stft_512_128_center", STFTParameters(nFFT: 512, hopLength: 128))
    }

    func testUncenteredHammingShortWindowMatchesLibrosa() throws {
        try check("stft_1024_256_nocenter_hamming_win800",
                  STFTParameters(nFFT: 1024, hopLength: 256, winLength: 800, window: .hamming, center: false))
    }

    func testReflectPaddingBlackmanOddHopMatchesLibrosa() throws {
        try check("stft_256_100_reflect_blackman",
                  STFTParameters(nFFT: 256, hopLength: 100, window: .blackman, padMode: .reflect))
    }

    /// Signals shorter than `nFFT`: every frame reads padding on one or both sides, for every
    /// pad mode (a frame read from the wrong end or offset gives errors of order 1).
    func testShortSignalsPadLikeLibrosaInEveryMode() throws {
        let y = Array(try Fixture.signal().prefix(300))
        for (name, parameters) in [("stft_512_128_short300_edge", STFTParameters(nFFT: 512, hopLength: 128, padMode: .edge)),
                                   ("stft_512_100_short300_reflect", STFTParameters(nFFT: 512, hopLength: 100, padMode: .reflect)),
                                   ("stft_512_128_short300_constant", STFTParameters(nFFT: 512, hopLength: 128))] {
            let expected = try Fixture.npy(name)
            let ours = try stft(y, parameters: parameters)
            XCTAssertEqual([ours.frequencyCount, ours.frameCount], expected.shape, name)
            XCTAssertLessThan(peakRelativeError(ours.interleaved, expected.values), tolerance, name)
        }
    }

    func testDefaultHopIsQuarterWindow() throws {
        let y = [Float](repeating: 0.1, count: 10_000)
        XCTAssertEqual(try stft(y).frameCount, 1 + 10_000 / 512)
        XCTAssertEqual(try stft(y, nFFT: 1024, winLength: 400).frameCount, 1 + (10_000 + 1024 - 1024) / 100)
    }

    func testPeriodicHannMatchesScipy() {
        // scipy.signal.get_window("hann", 8, fftbins=True)
        let expected: [Float] = [0, 0.14644661, 0.5, 0.8535534, 1, 0.8535534, 0.5, 0.14644661]
        XCTAssertLessThan(maxAbsError(Window.hann.values(length: 8), expected), 1e-7)
    }

    func testZeroHopIsRejected() {
        XCTAssertThrowsError(try stft([Float](repeating: 0, count: 4096), hopLength: 0)) {
            XCTAssertEqual($0 as? DSPError, .invalidParameter(name: "hop_length", value: "0", reason: "must be a positive integer"))
        }
    }

    func testNegativeAndOddFFTSizesAreRejected() {
        let y = [Float](repeating: 0, count: 4096)
        for n in [-2048, 0, 1, 1023] {
            XCTAssertThrowsError(try stft(y, nFFT: n)) { error in
                guard case .invalidParameter(let name, _, _)? = error as? DSPError else { return XCTFail("\(error)") }
                XCTAssertEqual(name, "n_fft")
            }
        }
    }

    func testWindowLongerThanFFTIsRejected() {
        XCTAssertThrowsError(try stft([Float](repeating: 0, count: 4096), nFFT: 512, winLength: 1024))
    }

    func testFFTLongerThanUncenteredSignalIsRejected() {
        XCTAssertThrowsError(try stft([Float](repeating: 0, count: 1000), nFFT: 2048, center: false)) { error in
            guard case .signalTooShort(let length, let needed, _)? = error as? DSPError else { return XCTFail("\(error)") }
            XCTAssertEqual(length, 1000); XCTAssertEqual(needed, 2048)
        }
    }

    func testEmptySignalIsRejected() {
        XCTAssertThrowsError(try stft([])) { XCTAssertTrue($0 is DSPError) }
    }

    func testNaNInSignalIsRejected() {
        var y = [Float](repeating: 0, count: 4096)
        y[100] = .nan
        XCTAssertThrowsError(try stft(y)) { XCTAssertEqual($0 as? DSPError, .nonFinite(what: "signal")) }
    }

    func testSilenceGivesZeroSpectrum() throws {
        let spec = try stft([Float](repeating: 0, count: 5000))
        XCTAssertEqual(spec.real.max(), 0); XCTAssertEqual(spec.imag.max(), 0)
    }

    func testFusedPowerSpectrogramEqualsStftPower() throws {
        let y = try Fixture.signal()
        XCTAssertEqual(try spectrogram(y, power: 2), try stft(y).power())
        XCTAssertEqual(try spectrogram(y, power: 1), try stft(y).magnitude())
    }

    func testStftIntoReusedOutputEqualsFreshStft() throws {
        let y = try Fixture.signal()
        var out = try stft([Float](repeating: 0.5, count: y.count))
        try stft(y, parameters: STFTParameters(), into: &out)
        XCTAssertEqual(out, try stft(y))
        var wrong = try stft([Float](repeating: 0, count: 100))
        XCTAssertThrowsError(try stft(y, parameters: STFTParameters(), into: &wrong))
    }

    func testParallelPlanUseIsDeterministic() throws {
        let y = try Fixture.signal()
        let a = try stft(y), b = try stft(y)
        XCTAssertEqual(a, b)
    }
}
