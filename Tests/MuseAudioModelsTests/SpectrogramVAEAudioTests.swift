import Foundation
import MuseAudio
import MuseDSP
import MuseSupport
@testable import MuseAudioModels
import XCTest

/// The audio edges of the spectrogram VAE: audio of any rate → patches, decoded patches → WAV.
final class SpectrogramVAEAudioTests: XCTestCase {
    /// 16 mels, 16-frame patches, n_fft 512, hop 128 at 22050 Hz (small and fast).
    func model() throws -> SpectrogramVAE {
        var config = SpectrogramVAETests.tinyConfig()
        (config.nFFT, config.hopLength) = (512, 128)
        return try SpectrogramVAE(config: config)
    }

    /// A 440 Hz tone, stereo, at `sampleRate`.
    func tone(seconds: Double, sampleRate: Double, amplitude: Float = 0.5) -> AudioBuffer {
        let n = Int(seconds * sampleRate)
        let mono = (0..<n).map { amplitude * Float(sin(2 * Double.pi * 440 * Double($0) / sampleRate)) }
        return AudioBuffer(planar: mono + mono, channelCount: 2, sampleRate: sampleRate)
    }

    func testPatchesOfAudioAtAnotherRateAreResampledAndNormalised() throws {
        let model = try model()
        // 1 s at 44.1 kHz → 22050 samples at the model's rate → 1 + 22050/128 = 173 frames.
        let patches = try model.patches(of: tone(seconds: 1, sampleRate: 44_100), name: "tone.wav")
        let (values, frames) = try model.normalizedLogMel(of: tone(seconds: 1, sampleRate: 44_100), name: "tone.wav")
        XCTAssertEqual(frames, 173)
        XCTAssertEqual(patches.count, Int(ceil(Double(173 - 16) / 12)) + 1, "a patch every 12 frames, the last ending at the end")
        XCTAssertEqual(values.max(), 1, "the loudest cell is 0 dB → 1")
        XCTAssertTrue(values.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    /// 8 tone files of different lengths in a folder: with eval ratio 0.5 each file's patches go
    /// wholly to one side, the same side on every run, and adding a file moves no other file.
    func testHeldOutSplitIsByFileAndStable() throws {
        let model = try model()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("specvae-split-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // File k lasts 0.2 + 0.1·k s, so its patch count (1 + …) tells which file a patch came from.
        var counts: [String: Int] = [:]
        for k in 0..<8 {
            let name = "tone\(k).wav"
            let buffer = tone(seconds: 0.2 + 0.1 * Double(k), sampleRate: 22_050)
            try AudioFile.write(buffer, to: folder.appendingPathComponent(name).path)
            counts[name] = try model.patches(of: AudioFile.read(folder.appendingPathComponent(name).path), name: name).count
        }
        let first = try SpectrogramVAEDataset.patches(directory: folder.path, model: model, evalRatio: 0.5, seed: 3)
        let again = try SpectrogramVAEDataset.patches(directory: folder.path, model: model, evalRatio: 0.5, seed: 3)
        XCTAssertEqual(first.train, again.train)
        XCTAssertEqual(first.eval, again.eval)
        let held = counts.keys.filter { HeldOutSplit.isHeldOut(relativePath: $0, seed: 3, ratio: 0.5) }
        XCTAssertFalse(held.isEmpty, "seed 3 should hold out some of 8 files")
        XCTAssertLessThan(held.count, 8)
        XCTAssertEqual(first.eval.count, held.reduce(0) { $0 + counts[$1]! })
        XCTAssertEqual(first.train.count + first.eval.count, counts.values.reduce(0, +))
        try AudioFile.write(tone(seconds: 0.5, sampleRate: 22_050), to: folder.appendingPathComponent("added.wav").path)
        let grown = try SpectrogramVAEDataset.patches(directory: folder.path, model: model, evalRatio: 0.5, seed: 3)
        let addedHeld = HeldOutSplit.isHeldOut(relativePath: "added.wav", seed: 3, ratio: 0.5)
        XCTAssertEqual(grown.eval.count - first.eval.count, addedHeld ? counts["tone3.wav"]! : 0)
        XCTAssertThrowsError(try SpectrogramVAEDataset.patches(directory: folder.path, model: model, evalRatio: 1))
    }

    func testSilentAndShortAudioAreOneLineErrors() throws {
        let model = try model()
        XCTAssertThrowsError(try model.patches(of: AudioBuffer(silenceFrames: 22_050, channelCount: 1, sampleRate: 22_050), name: "quiet.wav")) {
            XCTAssertEqual("\($0)", "quiet.wav: audio is silent")
        }
        XCTAssertThrowsError(try model.patches(of: tone(seconds: 0.02, sampleRate: 22_050), name: "short.wav")) { error in
            XCTAssertTrue("\(error)".hasPrefix("short.wav: audio is 0.02 s (4 frames), shorter than one 0.09 s patch"), "\(error)")
        }
    }

    func testDecodedInterpolationBecomesFiniteUnclippedAudioOfTheJoinedLength() throws {
        let model = try model()
        let a = try model.patches(of: tone(seconds: 0.5, sampleRate: 22_050), name: "a")[0]
        let b = try model.patches(of: tone(seconds: 0.5, sampleRate: 22_050, amplitude: 0.05), name: "b")[0]
        let steps = 4
        let path = try model.interpolate(from: a, to: b, steps: steps, spherical: true)
        let (audio, db) = try model.audio(from: path, iterations: 4)
        let frames = steps * 16 - (steps - 1) * model.overlapFrames
        XCTAssertEqual(db.shape, [16, frames])
        XCTAssertEqual(audio.sampleRate, 22_050)
        XCTAssertEqual(audio.frameCount, (frames - 1) * 128, "istft of a centred STFT: hop · (frames − 1) samples")
        XCTAssertTrue(audio.samples.allSatisfy(\.isFinite))
        XCTAssertLessThanOrEqual(audio.peakAmplitude, 0.9)  // −1 dBFS ≈ 0.891
        XCTAssertGreaterThan(audio.peakAmplitude, 0.85)
    }

    func testReconstructionKeepsTheDurationAlsoBelowOnePatch() throws {
        let model = try model()
        for seconds in [0.05, 0.5, 1.3] {
            let input = tone(seconds: seconds, sampleRate: 44_100)
            let (audio, db, _) = try model.reconstruct(input, name: "tone", iterations: 4)
            let frames = 1 + Int(seconds * 22_050) / 128
            XCTAssertEqual(db.frameCount, frames)
            XCTAssertEqual(audio.frameCount, (frames - 1) * 128, "\(seconds) s")
            XCTAssertTrue(audio.samples.allSatisfy(\.isFinite))
        }
    }
}
