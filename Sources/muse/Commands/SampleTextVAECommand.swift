import ArgumentParser
import Foundation
import MuseCore
import MuseText

/// `muse sample text-vae --bundle runs/text-vae --num-samples 5 [--temperature 0 --seed 1]`.
struct SampleTextVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text-vae", abstract: "Print lines a sentence VAE decodes from z ~ N(0, I).",
        discussion: "--temperature 0 decodes each z greedily (the most likely token at every step); above 0 the tokens are sampled.")

    @Option(help: "Model bundle folder, or a `muse train text-vae` output folder (its newest checkpoint is used).")
    var bundle = "runs/text-vae"

    @Option(name: [.customLong("num-samples"), .customLong("num_samples")], help: "Lines to draw.")
    var numSamples = 10

    @Option(help: "Sampling temperature of the decoder (0 = greedy).")
    var temperature: Float = 0

    @Option(help: "Seed of z and of the sampling.")
    var seed: UInt64 = 1337

    func validate() throws {
        guard numSamples > 0 else { throw ValidationError("--num-samples must be positive") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be a finite number ≥ 0") }
    }

    func run() throws {
        let model = try naming(bundle) { try bundleRegistry.load(TextVAEModel.self, from: URL(fileURLWithPath: bundle), for: .sample) }
        var generator = SplitMix64(seed: seed)
        for line in try model.sample(count: numSamples, temperature: temperature, using: &generator) { print(line) }
    }
}
