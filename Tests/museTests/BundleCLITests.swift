import Foundation
import MuseAudioModels
import MuseModels
import MuseTraining
import XCTest

/// `muse bundle info` on a bundle of each kind, old and new, and commands refusing kinds that
/// cannot do what they do, in one line.
final class BundleCLITests: CLITestCase {
    /// One small bundle of every registered kind, written by the library.
    func writeBundles() throws -> [(kind: String, folder: String, parameters: Int)] {
        var melodyConfig = MelodyRNNConfig()
        (melodyConfig.hiddenSize, melodyConfig.numLayers) = (8, 1)
        let melody = try MelodyRNN(config: melodyConfig, seed: 1)
        try melody.save(bundle: folder.appendingPathComponent("melody"), step: 7)
        var vaeConfig = MusicVAEConfig()
        (vaeConfig.zSize, vaeConfig.encoderHiddenSize, vaeConfig.decoderHiddenSize, vaeConfig.decoderLayers) = (4, 8, 8, 1)
        let vae = try MusicVAE(config: vaeConfig)
        try vae.save(bundle: folder.appendingPathComponent("musicvae"))
        var specConfig = SpectrogramVAEConfig()
        (specConfig.nMels, specConfig.patchFrames, specConfig.channels, specConfig.zSize) = (16, 16, [4, 8], 4)
        let spec = try SpectrogramVAE(config: specConfig)
        try spec.save(bundle: folder.appendingPathComponent("specvae"))
        return [("melody-rnn", "melody", melody.parameterCount), ("music-vae", "musicvae", vae.parameterCount),
                ("spectrogram-vae", "specvae", spec.parameterCount)]
    }

    func testInfoOfEveryKind() throws {
        for (kind, name, parameters) in try writeBundles() {
            let r = try muse(["bundle", "info", name, "--json"])
            XCTAssertEqual(r.status, 0, r.err)
            let info = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
            XCTAssertEqual(info["kind"] as? String, kind)
            XCTAssertEqual(info["formatVersion"] as? Int, 1)
            XCTAssertEqual(info["parameters"] as? Int, parameters, kind)
            XCTAssertNotNil(info["config"] as? [String: Any])
            XCTAssertFalse((info["capabilities"] as? [String] ?? []).isEmpty)
            let text = try muse(["bundle", "info", name])
            XCTAssertEqual(text.status, 0, text.err)
            XCTAssertTrue(text.out.contains("kind:           \(kind)"), text.out)
        }
        XCTAssertEqual(try muse(["bundle", "info", "melody", "--json"]).out.contains("\"step\" : 7"), true)
    }

    /// A bundle as the previous version wrote it: a flat config with `"model": "melody_rnn"`.
    func testUnversionedBundlesStillLoad() throws {
        _ = try writeBundles()
        let melody = folder.appendingPathComponent("melody")
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: melody.appendingPathComponent("config.json"))) as? [String: Any])
        var flat = try XCTUnwrap(config["config"] as? [String: Any])
        flat["model"] = "melody_rnn"
        try JSONSerialization.data(withJSONObject: flat).write(to: melody.appendingPathComponent("config.json"))
        let info = try muse(["bundle", "info", "melody"])
        XCTAssertEqual(info.status, 0, info.err)
        XCTAssertTrue(info.out.contains("format version: 0"), info.out)
        let generated = try muse(["generate", "melody-rnn", "--bundle", "melody", "--num-outputs", "1", "--num-steps", "8", "--output-dir", "gen"])
        XCTAssertEqual(generated.status, 0, generated.err)
    }

    func testCommandsRefuseKindsThatCannotInOneLine() throws {
        _ = try writeBundles()
        let cases: [([String], String)] = [
            (["interpolate", "--bundle", "melody", "a.mid", "b.mid"], "melody is a melody-rnn bundle; muse interpolate works with: music-vae, spectrogram-vae, spectrogram-sequence-vae, dcgan, image-vae, text-vae"),
            (["reconstruct", "--bundle", "musicvae", "a.wav"], "musicvae is a music-vae bundle; muse reconstruct works with: spectrogram-vae, spectrogram-sequence-vae"),
            (["generate", "melody-rnn", "--bundle", "specvae"], "specvae is a spectrogram-vae bundle; muse generate works with: melody-rnn, music-transformer, gpt, char-rnn"),
            (["sample", "music-vae", "--bundle", "melody"], "melody is a melody-rnn bundle; muse sample works with: music-vae, dcgan, image-vae, text-vae"),
        ]
        for (arguments, message) in cases {
            let r = try muse(arguments)
            XCTAssertEqual(r.status, 1, arguments.joined(separator: " "))
            XCTAssertEqual(r.err, "muse: error: \(message)\n")
        }
        let missing = try muse(["bundle", "info", "nothing"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.err.split(separator: "\n").count, 1, missing.err)
        XCTAssertTrue(missing.err.contains("config.json"), missing.err)
    }
}
