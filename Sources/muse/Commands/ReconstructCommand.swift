import ArgumentParser
import Foundation
import MuseAudio
import MuseAudioModels

/// `muse reconstruct --bundle runs/specvae in.wav -o out.wav`: audio through a spectrogram VAE.
struct ReconstructCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Encode audio with a spectrogram VAE and decode it again (log-mel patches → latent means → Griffin-Lim).")

    @Option(help: "Spectrogram VAE bundle folder, or a `muse train spec-vae` output folder (its newest checkpoint is used).")
    var bundle = "runs/specvae"

    @Argument(help: "Input audio (any rate and channel count libsndfile reads).")
    var input: String

    @Option(name: [.short, .customLong("output")], help: "Where to write the WAV file.")
    var output = "output/reconstruct.wav"

    @Option(help: "Spectrogram picture of the reconstruction (PNG); none if omitted.")
    var png: String?

    @Option(name: .customLong("n-iter"), help: "Griffin-Lim iterations (librosa's n_iter).")
    var nIter = 32

    func run() throws {
        let model = try naming(bundle) { try bundleRegistry.load(SpectrogramVAE.self, from: URL(fileURLWithPath: bundle), for: .reconstruct) }
        let (audio, db, patches) = try naming(input) {
            try model.reconstruct(AudioFile.read(input), name: input, iterations: nIter)
        }
        try createParentDirectory(of: output)
        try AudioFile.write(audio, to: output)
        if let png { try createParentDirectory(of: png); try model.writePicture(db, to: png) }
        print("wrote \(output): \(String(format: "%.2f", audio.durationSeconds)) s from \(patches) patches")
    }
}
