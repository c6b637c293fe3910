import MuseAudio
import XCTest

final class AudioFileTests: XCTestCase {
    let stereoPath = Fixture.path("stereo_44100_pcm16.wav")

    /// Both sides decode through libsndfile, so samples must agree exactly.
    func testReadMatchesSoundfile() throws {
        let buffer = try AudioFile.read(stereoPath)
        XCTAssertEqual(buffer.sampleRate, 44100)
        XCTAssertEqual(buffer.channelCount, 2)
        XCTAssertEqual(buffer.frameCount, 11025)
        XCTAssertEqual(buffer.interleavedSamples(), try Fixture.npy("read_stereo_interleaved"))
    }

    func testInfoReadsHeader() throws {
        let info = try AudioFile.info(stereoPath)
        XCTAssertEqual(info, AudioFileInfo(path: stereoPath, sampleRate: 44100, channelCount: 2, frameCount: 11025,
                                           container: "WAV", encoding: "PCM_16"))
        XCTAssertEqual(info.durationSeconds, 0.25, accuracy: 1e-12)
    }

    /// librosa.load resamples with soxr_hq, Muse with libsamplerate's best sinc: both remove the
    /// 5 kHz partial's image identically, so they agree to 2e-3 of full scale (measured 1e-3,
    /// mostly in the first and last few milliseconds where the filters' edge handling differs).
    func testLoadMatchesLibrosaLoad() throws {
        let ours = try AudioFile.load(stereoPath)
        let expected = try Fixture.npy("load_stereo_22050_mono")
        XCTAssertEqual(ours.sampleRate, 22050)
        XCTAssertEqual(ours.channelCount, 1)
        XCTAssertEqual(ours.frameCount, expected.count)
        // Same resampler as librosa's default (soxr HQ): every sample, edges included.
        XCTAssertLessThan(maxAbsError(ours.samples, expected), 1e-6)
    }

    func testLoadWithoutResamplingKeepsRate() throws {
        let buffer = try AudioFile.load(stereoPath, sampleRate: nil, mono: false)
        XCTAssertEqual(buffer, try AudioFile.read(stereoPath))
    }

    /// Every writable format round-trips within its quantisation step (lossy Vorbis within an SNR).
    func testEveryFormatRoundTrips() throws {
        let folder = try temporaryFolder(self)
        let frames = 4000
        var planar = [Float](repeating: 0, count: 2 * frames)
        for f in 0..<frames {
            planar[f] = 0.5 * sin(2 * .pi * 440 * Float(f) / 16000)
            planar[frames + f] = 0.25 * sin(2 * .pi * 1000 * Float(f) / 16000)
        }
        let buffer = AudioBuffer(planar: planar, channelCount: 2, sampleRate: 16000)
        let steps: [AudioFileFormat: Float] = [
            .wavPCM8: 1 / 128, .wavPCM16: 1 / 32768, .wavPCM24: 1 / 8_388_608, .wavPCM32: 1e-7,
            .wavFloat: 0, .flac16: 1 / 32768, .flac24: 1 / 8_388_608,
        ]
        for format in AudioFileFormat.allCases {
            let path = folder.appendingPathComponent("x-\(format.rawValue).\(format.fileExtension)").path
            try AudioFile.write(buffer, to: path, format: format)
            let back = try AudioFile.read(path)
            XCTAssertEqual(back.channelCount, 2, "\(format)")
            XCTAssertEqual(back.sampleRate, 16000, "\(format)")
            if let step = steps[format] {
                XCTAssertEqual(back.frameCount, frames, "\(format)")
                XCTAssertLessThanOrEqual(maxAbsError(back.samples, buffer.samples), step, "\(format)")
            } else {
                // Vorbis: lossy, length may differ by codec padding; require SNR > 20 dB.
                let n = min(back.frameCount, frames)
                var signal: Float = 0, noise: Float = 0
                for f in 0..<n {
                    signal += planar[f] * planar[f]
                    noise += (back.samples[f] - planar[f]) * (back.samples[f] - planar[f])
                }
                XCTAssertGreaterThan(10 * log10(signal / noise), 20, "\(format)")
            }
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "temporary files left behind")
    }

    func testPCMWritesClip() throws {
        let path = try temporaryFolder(self).appendingPathComponent("clip.wav").path
        try AudioFile.write(AudioBuffer(mono: [2, -2, 0.5], sampleRate: 8000), to: path)
        let back = try AudioFile.read(path).samples
        XCTAssertEqual(back[0], 32767 / 32768, accuracy: 1e-6)
        XCTAssertEqual(back[1], -1)
    }

    func testWriteIntoMissingFolderFails() {
        XCTAssertThrowsError(try AudioFile.write(AudioBuffer(mono: [0], sampleRate: 8000), to: "/nonexistent/dir/x.wav")) {
            guard case .writeFailed(let path, _)? = $0 as? AudioError else { return XCTFail("\($0)") }
            XCTAssertEqual(path, "/nonexistent/dir/x.wav")
        }
    }

    func testExtensionPicksFormat() {
        XCTAssertEqual(AudioFileFormat(pathExtension: "WAV"), .wavPCM16)
        XCTAssertEqual(AudioFileFormat(pathExtension: "flac"), .flac16)
        XCTAssertNil(AudioFileFormat(pathExtension: "mp4"))
    }
}
