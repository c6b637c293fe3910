import MuseDSP
import XCTest

/// Mel filter banks, mel spectrograms and decibels against librosa 0.11.
final class MelTests: XCTestCase {
    func bank(_ name: String, _ bank: MelFilterBank) throws {
        let expected = try Fixture.npy(name)
        XCTAssertEqual([bank.nMels, bank.frequencyCount], expected.shape)
        // Built with librosa's double-precision arithmetic and rounded once: within 1 ulp-ish.
        XCTAssertLessThan(peakRelativeError(bank.weights, expected.values), 1e-6)
    }

    func testSlaneyBankMatchesLibrosaDefault() throws {
        try bank("mel_22050_1024_64_slaney", MelFilterBank(sampleRate: 22050, nFFT: 1024, nMels: 64))
    }

    func testHTKBankWithBandLimitsMatchesLibrosa() throws {
        try bank("mel_16000_512_40_htk_20_7600",
                 MelFilterBank(sampleRate: 16000, nFFT: 512, nMels: 40, fMin: 20, fMax: 7600, htk: true))
    }

    func testUnnormalisedBankMatchesLibrosa() throws {
        try bank("mel_22050_512_32_nonorm", MelFilterBank(sampleRate: 22050, nFFT: 512, nMels: 32, norm: .none))
    }

    func testMelScaleRoundTrips() {
        for hz in [0.0, 100, 999.9, 1000, 4000, 11025] {
            XCTAssertEqual(MelScale.melToHz(MelScale.hzToMel(hz)), hz, accuracy: 1e-9 * max(1, hz))
            XCTAssertEqual(MelScale.melToHz(MelScale.hzToMel(hz, htk: true), htk: true), hz, accuracy: 1e-9 * max(1, hz))
        }
        XCTAssertEqual(MelScale.hzToMel(1000), 15, accuracy: 1e-12)  // librosa.hz_to_mel(1000) == 15.0
    }

    /// Power spectra square the STFT's ~1e-6 peak-relative error: 1e-5 of the peak band.
    func testMelSpectrogramMatchesLibrosaDefaults() throws {
        let expected = try Fixture.npy("melspectrogram_default")
        let ours = try melSpectrogram(Fixture.signal(), sampleRate: 22050)
        XCTAssertEqual(ours.shape, expected.shape)
        XCTAssertLessThan(peakRelativeError(ours.values, expected.values), 1e-5)
    }

    /// dB values: 1e-3 dB is a relative power error of 2.3e-4, above float32 rounding for every
    /// cell within 80 dB of the peak (cells below are floored by top_db on both sides).
    func testPowerToDBMatchesLibrosa() throws {
        let mel = try melSpectrogram(Fixture.signal())
        XCTAssertLessThan(maxAbsError(try powerToDB(mel).values, try Fixture.npy("power_to_db_default").values), 1e-3)
    }

    func testPowerToDBRefMaxWithoutTopDBMatchesLibrosa() throws {
        let mel = try melSpectrogram(Fixture.signal())
        let ours = try powerToDB(mel, ref: .maximum, topDB: nil)
        XCTAssertLessThan(maxAbsError(ours.values, try Fixture.npy("power_to_db_refmax_notop").values), 2e-3)
        XCTAssertEqual(ours.values.max(), 0)
    }

    func testAmplitudeToDBRefMaxMatchesLibrosa() throws {
        let magnitude = try stft(Fixture.signal()).magnitude()
        let ours = try amplitudeToDB(magnitude, ref: .maximum)
        XCTAssertLessThan(maxAbsError(ours.values, try Fixture.npy("amplitude_to_db_refmax").values), 2e-3)
    }

    func testTopDBFloorsDynamicRange() throws {
        let s = Spectrogram(values: [1, 1e-3, 1e-12, 0], rowCount: 2, frameCount: 2)
        XCTAssertEqual(try powerToDB(s, topDB: 40).values, [0, -30, -40, -40])
        XCTAssertEqual(try powerToDB(s, topDB: nil).values, [0, -30, -100, -100])
    }

    func testBadMelParametersAreRejected() {
        XCTAssertThrowsError(try MelFilterBank(sampleRate: 22050, nFFT: 2048, nMels: 0))
        XCTAssertThrowsError(try MelFilterBank(sampleRate: -1, nFFT: 2048))
        XCTAssertThrowsError(try MelFilterBank(sampleRate: 22050, nFFT: 2048, fMin: 5000, fMax: 4000))
        XCTAssertThrowsError(try powerToDB(Spectrogram(values: [1], rowCount: 1, frameCount: 1), amin: 0))
    }
}
