import ArgumentParser
import Foundation
import MuseCore
import MuseModels

/// `muse sample music-vae --bundle B --num-outputs N`: 2-bar melodies decoded from z ~ N(0, I).
struct SampleMusicVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "music-vae", abstract: "Decode 2-bar melodies from random latent vectors of a MusicVAE.")

    @Option(help: "Model bundle folder (from `muse train music-vae`).")
    var bundle = "runs/musicvae"

    @Option(name: [.customLong("num-outputs"), .customLong("num_outputs")], help: "Melodies to write.")
    var numOutputs = 5

    @Option(help: "Sampling temperature (logits are divided by it); 0 decodes greedily. Magenta's default is 0.5.")
    var temperature: Float = 0.5

    @Option(help: "Random seed (latents and sampling).")
    var seed: UInt64 = 0

    @Option(name: [.customLong("output-dir"), .customLong("output_dir")], help: "Folder for the MIDI files.")
    var outputDir = "output/musicvae"

    @Flag(help: "Also render each melody to WAV through the SoundFont synthesizer.")
    var wav = false

    @Option(help: "SoundFont for --wav (default: the usual lookup, else the built-in instruments).")
    var soundfont: String?

    func validate() throws {
        guard numOutputs > 0 else { throw ValidationError("--num-outputs must be positive") }
        guard temperature >= 0 else { throw ValidationError("--temperature must not be negative") }
    }

    func run() throws {
        do {
            let model = try naming(bundle) { try bundleRegistry.load(MusicVAE.self, from: URL(fileURLWithPath: bundle), for: .sample) }
            var rng = SplitMix64(seed: seed)
            let windows = try model.sample(count: numOutputs, temperature: temperature, using: &rng)
            try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
            for (index, window) in windows.enumerated() {
                let path = (outputDir as NSString).appendingPathComponent(String(format: "musicvae_sample_%03d.mid", index + 1))
                let sequence = try model.config.converter.sequence(fromClassWindows: [window])
                try sequence.writeMIDI(to: path)
                print("wrote \(path): \(sequence.notes.count) notes")
                if wav { try renderWAV(sequence, to: (path as NSString).deletingPathExtension + ".wav", soundfont: soundfont) }
            }
        }
    }
}
