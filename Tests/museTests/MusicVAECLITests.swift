import Foundation
import MuseMIDI
@testable import MuseModels
import XCTest

/// End to end: the built `muse` binary samples and interpolates with a small MusicVAE bundle
/// written here, and refuses bad requests with one line on stderr and exit status 1.
final class MusicVAECLITests: CLITestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        var config = MusicVAEConfig()
        (config.zSize, config.encoderHiddenSize, config.decoderHiddenSize, config.decoderLayers) = (8, 16, 16, 1)
        try MusicVAE(config: config).save(bundle: folder.appendingPathComponent("bundle"))
        for (name, pitches) in [("a.mid", [60, 62, 64, 65]), ("b.mid", [72, 71, 69, 67])] {
            let notes = (0..<8).map { k in
                NoteSequence.Note(pitch: pitches[k % 4], velocity: 90, startTime: Double(k) * 0.5, endTime: Double(k) * 0.5 + 0.5)
            }
            try NoteSequence(notes: notes, tempos: [.init(time: 0, qpm: 120)], totalTime: 4)
                .writeMIDI(to: folder.appendingPathComponent(name).path)
        }
    }

    func testInterpolateWritesStepsTimesTwoBars() throws {
        let r = try muse(["interpolate", "--bundle", "bundle", "a.mid", "b.mid", "--steps", "4", "--slerp", "-o", "out/interp.mid"])
        XCTAssertEqual(r.status, 0, r.err)
        let written = try NoteSequence(contentsOfMIDIFile: folder.appendingPathComponent("out/interp.mid").path)
        XCTAssertLessThanOrEqual(written.notes.map(\.endTime).max() ?? 0, 16 + 1e-6, "4 steps × 2 bars at 120 qpm = 16 s")
        XCTAssertTrue(r.out.contains("4 steps"))
    }

    func testSampleWritesNumOutputsFiles() throws {
        let r = try muse(["sample", "music-vae", "--bundle", "bundle", "--num-outputs", "3", "--seed", "4", "--output-dir", "samples"])
        XCTAssertEqual(r.status, 0, r.err)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("samples").path).sorted()
        XCTAssertEqual(files, ["musicvae_sample_001.mid", "musicvae_sample_002.mid", "musicvae_sample_003.mid"])
    }

    func testStepsBelowTwoIsAOneLineError() throws {
        let r = try muse(["interpolate", "--bundle", "bundle", "a.mid", "b.mid", "--steps", "1"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("--steps must be at least 2"), r.err)
    }

    func testBundleOfTheWrongKindIsAOneLineError() throws {
        let other = folder.appendingPathComponent("melody")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data(#"{"model": "melody-rnn", "hiddenSize": 64}"#.utf8).write(to: other.appendingPathComponent("config.json"))
        let r = try muse(["interpolate", "--bundle", "melody", "a.mid", "b.mid"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.err, "muse: error: melody is a melody-rnn bundle; muse interpolate works with: music-vae, spectrogram-vae, spectrogram-sequence-vae, dcgan, image-vae, text-vae\n")
    }

    func testFileWithoutMelodyIsAOneLineError() throws {
        try Data("not midi".utf8).write(to: folder.appendingPathComponent("bad.mid"))
        let r = try muse(["interpolate", "--bundle", "bundle", "a.mid", "bad.mid"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.hasPrefix("muse: error: bad.mid"), r.err)
        XCTAssertEqual(r.err.filter { $0 == "\n" }.count, 1)
    }
}
