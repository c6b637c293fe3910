import ArgumentParser
import Foundation
import MuseAudio
import MuseAudioModels

/// `muse reconstruct --bundle runs/specvae in.wav -o out.wav`: audio through a spectrogram VAE.
struct ReconstructCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Encode audio with a spectrogram VAE and decode it again (log-mel → latent means → log-mel → Griffin-Lim).")

    @Option(help: "Spectrogram VAE bundle folder, or a `muse train spec-vae` output folder (its newest checkpoint is used).")
    var bundle = "runs/specvae"

    @Argument(help: "Input audio (any rate and channel count libsndfile reads).")
    var input: String

    @Option(name: [.short, .customLong("output")], help: "Where to write the WAV file.")
    var output = "output/reconstruct.wav"

    @Option(help: "Spectrogram picture of the reconstruction (PNG); none if omitted.")
    var png: String?

    @Option(name: .customLong("n-iter"), help: "Griffin-Lim iterations (librosa's n_iter).")
    var nIter = SpectrogramSequenceVAE.defaultIterations

    func validate() throws { guard nIter > 0 else { throw ValidationError("--n-iter must be positive") } }

    func run() throws {
        let model = try naming(bundle) { try bundleRegistry.load(URL(fileURLWithPath: bundle), for: .reconstruct).model }
        let buffer = try naming(input) { try AudioFile.read(input) }
        let written: (audio: AudioBuffer, detail: String)
        switch model {
        case let vae as SpectrogramSequenceVAE:
            let (audio, db, decoded) = try naming(input) { try vae.reconstruct(buffer, name: input, iterations: nIter) }
            let error = try LogMelError.meanAbsoluteDecibels(melPower: vae.melPower(fromNormalized: vae.normalizedLogMel(of: buffer, name: input).values),
                                                             vae.melPower(fromNormalized: decoded))
            if let png { try createParentDirectory(of: png); try vae.writePicture(db, to: png) }
            written = (audio, String(format: "log-mel error of the model %.2f dB", error))
        case let vae as SpectrogramVAE:
            let (audio, db, patches) = try naming(input) { try vae.reconstruct(buffer, name: input, iterations: nIter) }
            if let png { try createParentDirectory(of: png); try vae.writePicture(db, to: png) }
            written = (audio, "\(patches) patches")
        default: preconditionFailure("a registered kind can reconstruct but this command does not handle it")
        }
        try createParentDirectory(of: output)
        try AudioFile.write(written.audio, to: output)
        print("wrote \(output): \(String(format: "%.2f", written.audio.durationSeconds)) s, \(written.detail)" + (png.map { ", picture \($0)" } ?? ""))
    }
}
