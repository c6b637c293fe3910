import ArgumentParser
import Foundation
import MuseAudioModels
import MuseTraining

/// `muse train spec-vae --audio DIR --output runs/specvae`.
struct TrainSpecVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec-vae",
        abstract: "Train a convolutional VAE on log-mel patches of a folder of audio files.",
        discussion: """
            Patches are 64 frames × 128 mels by default (librosa's melspectrogram at 22050 Hz, n_fft 2048, hop 512). \
            Checkpoints (checkpoint-<step>/ with model.safetensors, config.json, optimizer state) go to --output every \
            --checkpoint-every steps. Ctrl-C finishes the current step, saves and exits; running the same command again \
            resumes and ends with the same weights as an uninterrupted run. `muse interpolate`/`reconstruct` read the \
            output folder's newest checkpoint.
            """)

    @Option(help: "Folder of audio files (WAV, FLAC, OGG; searched recursively).")
    var audio: String

    @Option(name: [.short, .customLong("output")], help: "Run folder: checkpoint-<step>/ bundles go here; a folder holding one resumes from the newest.")
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

    @OptionGroup var schedule: VAETrainingRunOptions

    @OptionGroup var trainer: TrainerFlags

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    func validate() throws {
        guard numSteps > 0, batchSize > 0, maxFiles > 0 else {
            throw ValidationError("--num-steps, --batch-size and --max-files must be positive")
        }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)  // keep our lines in order with the progress lines on stderr
        do {
            var config = SpectrogramVAEConfig()
            (config.batchSize, config.zSize, config.nMels, config.patchFrames) = (batchSize, zSize, nMels, patchFrames)
            (config.maxBeta, config.betaWarmupSteps, config.learningRate, config.seed) = (maxBeta, betaWarmupSteps, learningRate, seed)
            let model = try SpectrogramVAE(config: config)
            let (train, eval, summary) = try SpectrogramVAEDataset.patches(directory: audio, model: model, maxFiles: maxFiles,
                                                                           evalRatio: schedule.evalRatio, seed: seed)
            print("audio \(audio): \(summary)")
            guard !train.isEmpty else { throw SpectrogramVAEError.invalidConfiguration("no patches to train on in \(audio)") }
            let task = try SpectrogramVAETrainingTask(model: model, train: train, eval: eval)
            var options = TrainerOptions(numSteps: numSteps, outputDirectory: URL(fileURLWithPath: output),
                                         learningRate: config.learningRate, clipNorm: config.gradientClipNorm, seed: seed &+ 0x5eed)
            schedule.apply(to: &options)
            trainer.apply(to: &options)
            options.runSettings = ["audio": audio, "maxFiles": String(maxFiles)]
            try runTraining(task: task, options: options, logEvery: schedule.logEvery,
                               header: "model: \(model.parameterCount) parameters, z \(config.zSize), batch \(config.batchSize)")
        }
    }
}
