import ArgumentParser
import Foundation
import MuseAudioModels
import MuseTraining

/// `muse train spec-vae --audio DIR --output runs/specvae`.
struct TrainSpecVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec-vae",
        abstract: "Train a spectrogram VAE with a latent sequence on the log-mel spectrograms of a folder of audio files.",
        discussion: """
            The model is fully convolutional over time (mel bins as channels): --downsamplings stride-2 convolutions \
            give one latent vector of --z-channels values per 2^downsamplings frames (librosa's melspectrogram at \
            22050 Hz, n_fft 2048, hop 512, 128 mels), so it takes clips of any length. Each step trains on random \
            --crop-frames windows. Checkpoints (checkpoint-<step>/ with model.safetensors, config.json, optimizer \
            state) go to --output every --checkpoint-every steps. Ctrl-C finishes the current step, saves and exits; \
            running the same command again resumes and ends with the same weights as an uninterrupted run. \
            `muse reconstruct`, `interpolate` and `evaluate spec-vae` read the output folder's newest checkpoint.
            """)

    @Option(help: "Folder of audio files (WAV, FLAC, OGG; searched recursively).")
    var audio: String

    @Option(name: [.short, .customLong("output")], help: "Run folder: checkpoint-<step>/ bundles go here; a folder holding one resumes from the newest.")
    var output = "runs/specvae"

    @Option(name: .customLong("num-steps"), help: "Optimizer steps (6000: under 3 minutes on 2 cores).")
    var numSteps = 6000  // on unseen clips: speech 3.9 dB, clicks 3.5, tone 1.0, bell 0.7; 1500 steps left speech at 4.9

    @Option(name: .customLong("batch-size"), help: "Crops per step.")
    var batchSize = SpectrogramSequenceVAEConfig().batchSize

    @Option(name: .customLong("crop-frames"), help: "Frames per training crop (a multiple of 2^downsamplings).")
    var cropFrames = SpectrogramSequenceVAEConfig().cropFrames

    @Option(name: .customLong("z-channels"), help: "Latent values per reduced frame.")
    var zChannels = SpectrogramSequenceVAEConfig().zChannels

    @Option(name: .customLong("hidden-channels"), help: "Channels of the hidden convolutions.")
    var hiddenChannels = SpectrogramSequenceVAEConfig().hiddenChannels

    @Option(help: "Stride-2 convolutions: one latent frame per 2^N spectrogram frames.")
    var downsamplings = SpectrogramSequenceVAEConfig().downsamplings

    @Option(name: .customLong("n-mels"), help: "Mel bins (librosa n_mels).")
    var nMels = SpectrogramSequenceVAEConfig().nMels

    @Option(name: .customLong("max-beta"), help: "Final KL weight β.")
    var maxBeta = SpectrogramSequenceVAEConfig().maxBeta

    @Option(name: .customLong("beta-warmup-steps"), help: "Steps over which β rises linearly from 0.")
    var betaWarmupSteps = SpectrogramSequenceVAEConfig().betaWarmupSteps

    @Option(name: .customLong("learning-rate"), help: "Adam learning rate.")
    var learningRate = SpectrogramSequenceVAEConfig().learningRate

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
        var config = SpectrogramSequenceVAEConfig()
        (config.batchSize, config.cropFrames, config.zChannels, config.hiddenChannels) = (batchSize, cropFrames, zChannels, hiddenChannels)
        (config.downsamplings, config.nMels, config.maxBeta, config.betaWarmupSteps) = (downsamplings, nMels, maxBeta, betaWarmupSteps)
        (config.learningRate, config.seed) = (learningRate, seed)
        let model = try SpectrogramSequenceVAE(config: config)
        let (train, eval, summary) = try SpectrogramVAEDataset.spectrograms(directory: audio, model: model, maxFiles: maxFiles,
                                                                            evalRatio: schedule.evalRatio, seed: seed)
        print("audio \(audio): \(summary)")
        guard !train.isEmpty else { throw SpectrogramVAEError.invalidConfiguration("no clips to train on in \(audio)") }
        let task = try SpectrogramSequenceVAETrainingTask(model: model, train: train, eval: eval)
        var options = TrainerOptions(numSteps: numSteps, outputDirectory: URL(fileURLWithPath: output),
                                     learningRate: config.learningRate, clipNorm: config.gradientClipNorm, seed: seed &+ 0x5eed)
        schedule.apply(to: &options)
        trainer.apply(to: &options)
        options.runSettings = ["audio": audio, "maxFiles": String(maxFiles)]
        try runTraining(task: task, options: options, logEvery: schedule.logEvery,
                        header: "model: \(model.parameterCount) parameters, latent \(config.zChannels) × frames/\(config.framesPerLatent), batch \(config.batchSize) × \(config.cropFrames) frames")
    }
}
