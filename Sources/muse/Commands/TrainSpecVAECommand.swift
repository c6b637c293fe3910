import ArgumentParser
import Foundation
import MuseModels

/// `muse train spec-vae --audio DIR --output runs/specvae`.
struct TrainSpecVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec-vae",
        abstract: "Train a convolutional VAE on log-mel patches of a folder of audio files.",
        discussion: "Patches are 64 frames × 128 mels by default (librosa's melspectrogram at 22050 Hz, n_fft 2048, hop 512). Ctrl-C saves and stops.")

    @Option(help: "Folder of audio files (WAV, FLAC, OGG; searched recursively).")
    var audio: String

    @Option(name: [.short, .customLong("output")], help: "Bundle folder for checkpoints and the final model.")
    var output = "runs/specvae"

    @Option(name: .customLong("num-steps"), help: "Optimizer steps.")
    var numSteps = 2000

    @Option(name: .customLong("batch-size"), help: "Patches per step.")
    var batchSize = SpectrogramVAEConfig().batchSize

    @Option(name: .customLong("z-size"), help: "Latent size.")
    var zSize = SpectrogramVAEConfig().zSize

    @Option(name: .customLong("n-mels"), help: "Mel bins (librosa n_mels).")
    var nMels = SpectrogramVAEConfig().nMels

    @Option(name: .customLong("patch-frames"), help: "Frames per patch.")
    var patchFrames = SpectrogramVAEConfig().patchFrames

    @Option(name: .customLong("max-beta"), help: "Final KL weight β.")
    var maxBeta = SpectrogramVAEConfig().maxBeta

    @Option(name: .customLong("beta-warmup-steps"), help: "Steps over which β rises linearly from 0.")
    var betaWarmupSteps = SpectrogramVAEConfig().betaWarmupSteps

    @Option(name: .customLong("learning-rate"), help: "Adam learning rate.")
    var learningRate = SpectrogramVAEConfig().learningRate

    @Option(name: .customLong("max-files"), help: "Read at most this many audio files.")
    var maxFiles = 10_000

    @Option(name: .customLong("checkpoint-every"), help: "Steps between checkpoints.")
    var checkpointEvery = 250

    @Option(name: .customLong("log-every"), help: "Steps between progress lines.")
    var logEvery = 50

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    func validate() throws {
        guard numSteps > 0, batchSize > 0, checkpointEvery > 0, logEvery > 0, maxFiles > 0 else {
            throw ValidationError("--num-steps, --batch-size, --checkpoint-every, --log-every and --max-files must be positive")
        }
    }

    func run() throws {
        try exitingOnVAEError(file: audio) {
            var config = SpectrogramVAEConfig()
            (config.batchSize, config.zSize, config.nMels, config.patchFrames) = (batchSize, zSize, nMels, patchFrames)
            (config.maxBeta, config.betaWarmupSteps, config.learningRate, config.seed) = (maxBeta, betaWarmupSteps, learningRate, seed)
            let trainer = SpectrogramVAETrainer(model: try SpectrogramVAE(config: config))
            let (patches, summary) = try SpectrogramVAEDataset.patches(directory: audio, model: trainer.model, maxFiles: maxFiles)
            print("audio \(audio): \(summary)")
            guard !patches.isEmpty else { throw SpectrogramVAEError.invalidConfiguration("no patches to train on in \(audio)") }
            print("model: \(trainer.model.parameterCount) parameters, z \(config.zSize), batch \(config.batchSize)")
            let folder = URL(fileURLWithPath: output)
            let stop = StopFlag()
            var last = Date()
            while trainer.step < numSteps && !stop.isSet {
                let (loss, beta) = try trainer.trainStep(on: trainer.randomBatch(from: patches))
                if trainer.step % logEvery == 0 {
                    let now = Date()
                    print(String(format: "step %d/%d  recon %.2f  kl %.2f  β %.3f  %.1f steps/s", trainer.step, numSteps,
                                 loss.reconstruction, loss.kl, beta, Double(logEvery) / max(now.timeIntervalSince(last), 1e-9)))
                    fflush(stdout)
                    last = now
                }
                if trainer.step % checkpointEvery == 0 { try trainer.save(to: folder) }
            }
            try trainer.save(to: folder)
            print("wrote \(output) (step \(trainer.step))")
        }
    }
}
