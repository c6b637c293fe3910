import MuseDSP
import XCTest

/// `istft` against `librosa.istft` of librosa's own STFT of the fixture signal. Tolerance 1e-5
/// absolute on a signal of peak ~0.8: float32 inverse FFT plus overlap-add of 4 frames, divided by
/// a window sum ≥ 1.5 in the interior (near the ends the sum is small and errors grow, which is
/// also where librosa's own float32 round trip is least exact).
final class ISTFTTests: XCTestCase {
    func spectrum(_ name: String) throws -> ComplexSpectrogram {
        let c = try Fixture.npy(name)
        var re = [Float](), im = [Float]()
        for i in stride(from: 0, to: c.values.count, by: 2) { re.append(c.values[i]); im.append(c.values[i + 1]) }
        return ComplexSpectrogram(real: re, imag: im, frequencyCount: c.shape[0], frameCount: c.shape[1])
    }

    func testDefaultInverseMatchesLibrosa() throws {
        let expected = try Fixture.npy("istft_default")
        let ours = try istft(spectrum("stft_2048_512_center"))
        XCTAssertEqual(ours.count, expected.values.count)
        XCTAssertLessThan(maxAbsError(ours, expected.values), 1e-5)
    }

    func testInverseWithLengthMatchesLibrosa() throws {
        let expected = try Fixture.npy("istft_length")
        let ours = try istft(spectrum("stft_2048_512_center"), length: 8000)
        XCTAssertEqual(ours.count, 8000)
        XCTAssertLessThan(maxAbsError(ours, expected.values), 1e-5)
    }

    func testUncenteredHammingInverseMatchesLibrosa() throws {
        let expected = try Fixture.npy("istft_1024_256_nocenter_hamming_win800")
        let ours = try istft(spectrum("stft_1024_256_nocenter_hamming_win800"), hopLength: 256, winLength: 800,
                             window: .hamming, center: false)
        XCTAssertEqual(ours.count, expected.values.count)
        XCTAssertLessThan(maxAbsError(ours, expected.values), 1e-4 * 2)
    }

    func testRoundTripReconstructsSignal() throws {
        let y = try Fixture.signal()
        let back = try istft(stft(y), length: y.count)
        XCTAssertLessThan(maxAbsError(back, y), 1e-5)
    }

    func testBinCountMustMatchFFTSize() throws {
        let spec = try stft(Fixture.signal(), nFFT: 512)
        XCTAssertThrowsError(try istft(spec, nFFT: 1024)) { XCTAssertTrue($0 is DSPError) }
    }
}
