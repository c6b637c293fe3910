import Foundation
import MuseAudio
import MuseDSP
import MuseSupport
import XCTest

/// End to end through the built `muse`: `audio info`, `spectrogram` (PNG and .npy against
/// librosa), `griffinlim`, and their one-line errors on bad input.
final class AudioCLITests: CLITestCase {
    let clip = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("clip_48000_stereo.wav").path

    func testAudioInfoPrintsTheHeader() throws {
        let result = try muse(["audio", "info", clip])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("sample rate: 48000"), result.out)
        XCTAssertTrue(result.out.contains("channels:    2"), result.out)
        XCTAssertTrue(result.out.contains("frames:      36000"), result.out)
        XCTAssertTrue(result.out.contains("duration:    0.750 s"), result.out)
    }

    /// `muse spectrogram clip.wav --npy` equals librosa's `power_to_db(melspectrogram(load(clip)),
    /// ref=np.max, top_db=80)` for 64 bands: the 48 kHz stereo file is mixed to mono and resampled
    /// with soxr_hq as librosa.load does. Seen: 5e-5 dB; bound 1e-3 dB (float32 FFTs vs double).
    func testSpectrogramNPYMatchesLibrosa() throws {
        let expectedURL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("spectrogram_clip_db_64.npy")
        let expected = try NPYFile.read(expectedURL.path)
        let result = try muse(["spectrogram", clip, "--n-mels", "64", "-o", "mel.png", "--npy", "mel.npy"])
        XCTAssertEqual(result.status, 0, result.err)
        let ours = try NPYFile.read(folder.appendingPathComponent("mel.npy").path)
        XCTAssertEqual(ours.shape, expected.shape)
        var worst: Float = 0
        for (a, b) in zip(ours.values, expected.values) { worst = max(worst, abs(a - b)) }
        XCTAssertLessThan(worst, 1e-3)
        // The picture: a PNG, 2 rows per band; this 33-frame clip is widened to 8 columns a frame.
        let png = try Data(contentsOf: folder.appendingPathComponent("mel.png"))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        XCTAssertEqual(height, 128)
        XCTAssertEqual(width, 33 * 8)
    }

    /// A different resampling filter gives a different (but close) spectrogram: the flag is used.
    func testResTypeSelectsTheResampler() throws {
        XCTAssertEqual(try muse(["spectrogram", clip, "--npy", "a.npy", "-o", "a.png"]).status, 0)
        XCTAssertEqual(try muse(["spectrogram", clip, "--npy", "b.npy", "-o", "b.png", "--res-type", "sinc_fastest"]).status, 0)
        let a = try NPYFile.read(folder.appendingPathComponent("a.npy").path).values
        let b = try NPYFile.read(folder.appendingPathComponent("b.npy").path).values
        XCTAssertEqual(a.count, b.count)
        XCTAssertNotEqual(a, b)
        let median = zip(a, b).map { abs($0 - $1) }.sorted()[a.count / 2]
        XCTAssertLessThan(median, 1, "the two filters should agree within 1 dB in most cells")
    }

    /// wav → mel → Griffin-Lim → wav: same length as the resampled input, finite, not silent,
    /// and its mel spectrogram close to the input's (what the round trip is for).
    func testGriffinLimRoundTrip() throws {
        let result = try muse(["griffinlim", clip, "-o", "back.wav", "--n-iter", "32"])
        XCTAssertEqual(result.status, 0, result.err)
        let back = try AudioFile.read(folder.appendingPathComponent("back.wav").path)
        let original = try AudioFile.load(clip)
        XCTAssertEqual(back.sampleRate, 22050)
        XCTAssertEqual(back.frameCount, original.frameCount)
        XCTAssertTrue(back.samples.allSatisfy(\.isFinite))
        let melIn = try melSpectrogram(original.samples, sampleRate: 22050)
        let melOut = try melSpectrogram(back.samples, sampleRate: 22050)
        let num = zip(melIn.values, melOut.values).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        let den = melIn.values.reduce(0.0) { $0 + Double($1 * $1) }
        XCTAssertLessThan((num / den).squareRoot(), 0.5, "relative mel error of the round trip")
        XCTAssertGreaterThan(back.samples.map(abs).max() ?? 0, 0.05)
    }

    /// Missing file, not audio, empty file, bad parameters: exit non-zero with one line on stderr.
    func testBadInputGivesOneLineErrors() throws {
        let text = try write(Array("hello, not a sound file\n".utf8), "notes.wav")
        let empty = try write([], "empty.wav")
        let truncated = try write(Array(try Data(contentsOf: URL(fileURLWithPath: clip)).prefix(30)), "truncated.wav")
        for arguments in [["audio", "info", "missing.wav"], ["audio", "info", text], ["spectrogram", empty, "-o", "x.png"],
                          ["spectrogram", truncated, "-o", "x.png"], ["griffinlim", text, "-o", "x.wav"]] {
            let result = try muse(arguments)
            XCTAssertEqual(result.status, 1, "\(arguments): \(result.err)")
            let lines = result.err.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(arguments): \(result.err)")
            XCTAssertTrue(lines.first?.hasPrefix("muse: error:") ?? false, result.err)
        }
        // Bad command lines: ArgumentParser's usage error (64), still one line, naming the help.
        for arguments in [["spectrogram", clip, "--n-fft", "1023"], ["spectrogram", clip, "--hop-length", "0"],
                          ["griffinlim", clip, "--sample-rate=-1"], ["spectrogram", clip, "--n-fft"],
                          ["spectrogram", clip, "--res-type", "best"], ["audio", "info"], ["audio", "infox", clip]] {
            let result = try muse(arguments)
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.err)")
            XCTAssertEqual(result.err.split(separator: "\n").count, 1, "\(arguments): \(result.err)")
            XCTAssertTrue(result.err.hasPrefix("muse: error:") && result.err.contains("--help)"), result.err)
        }
        XCTAssertTrue(try muse(["spectrogram", "--help"]).out.contains("--res-type"))
    }
}
