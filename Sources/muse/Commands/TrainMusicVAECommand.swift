import ArgumentParser
import Dispatch
import Foundation
import MuseModels
import MuseTraining

/// `muse train music-vae --corpus DIR --output runs/musicvae`: a 2-bar melody MusicVAE.
struct TrainMusicVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "music-vae",
        abstract: "Train a 2-bar melody MusicVAE (Magenta's cat-mel_2bar, sized for a CPU).",
        discussion: """
            Checkpoints (checkpoint-<step>/ with model.safetensors, config.json, optimizer state) go to --output every \
            --checkpoint-every steps; re-running resumes from the newest (unless --fresh) and ends with the same weights \
            as an uninterrupted run. Ctrl-C finishes the current step, saves and stops. Held-out files (--eval-ratio) are \
            never trained on: their loss is printed every --eval-every steps and their reconstruction accuracy at the end.
            """)

    @Option(help: "Folder of MIDI files (searched recursively).")
    var corpus: String

    @Option(name: [.short, .customLong("output")], help: "Run folder: checkpoint-<step>/ bundles go here; a folder holding one resumes from the newest.")
    var output = "runs/musicvae"

    @Option(name: [.customLong("num-steps"), .customLong("num_steps")], help: "Train until this many optimizer steps in total.")
    var numSteps = 3000

    @Option(name: [.customLong("batch-size"), .customLong("batch_size")], help: "Windows per step (Magenta: 512).")
    var batchSize = MusicVAEConfig().batchSize

    @Option(name: [.customLong("z-size"), .customLong("z_size")], help: "Latent size (Magenta: 256 small, 512 big).")
    var zSize = MusicVAEConfig().zSize

    @Option(name: .customLong("encoder-hidden-size"), help: "Encoder LSTM size per direction (Magenta: 512 small).")
    var encoderHiddenSize = MusicVAEConfig().encoderHiddenSize

    @Option(name: .customLong("decoder-hidden-size"), help: "Decoder LSTM size (Magenta: 256 small).")
    var decoderHiddenSize = MusicVAEConfig().decoderHiddenSize

    @Option(name: .customLong("decoder-layers"), help: "Decoder LSTM layers (Magenta: 2 small).")
    var decoderLayers = MusicVAEConfig().decoderLayers

    @Option(name: [.customLong("free-bits"), .customLong("free_bits")], help: "KL in bits that costs nothing.")
    var freeBits = MusicVAEConfig().freeBits

    @Option(name: [.customLong("max-beta"), .customLong("max_beta")], help: "Final KL weight β.")
    var maxBeta = MusicVAEConfig().maxBeta

    @Option(name: [.customLong("beta-rate"), .customLong("beta_rate")], help: "β = (1 − rate^step)·max-beta.")
    var betaRate = MusicVAEConfig().betaRate

    @Option(name: [.customLong("sampling-schedule"), .customLong("sampling_schedule")],
            help: "Scheduled sampling: inverse_sigmoid or constant.")
    var samplingSchedule = MusicVAEConfig().samplingSchedule

    @Option(name: [.customLong("sampling-rate"), .customLong("sampling_rate")],
            help: "k of inverse_sigmoid, or the probability for constant (0 = pure teacher forcing).")
    var samplingRate = MusicVAEConfig().samplingRate

    @Option(name: [.customLong("learning-rate"), .customLong("learning_rate")], help: "Adam learning rate at step 0.")
    var learningRate = MusicVAEConfig().learningRate

    @OptionGroup var schedule: VAETrainingRunOptions

    @Option(help: "Random seed (weights, split, batches).")
    var seed: UInt64 = 0

    @OptionGroup var trainer: TrainerFlags

    func validate() throws {
        guard numSteps > 0, batchSize > 0 else {
            throw ValidationError("--num-steps and --batch-size must be positive")
        }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)  // keep our lines in order with the progress lines on stderr
        do {
            var config = MusicVAEConfig()
            (config.batchSize, config.zSize, config.encoderHiddenSize, config.decoderHiddenSize, config.decoderLayers) =
                (batchSize, zSize, encoderHiddenSize, decoderHiddenSize, decoderLayers)
            (config.freeBits, config.maxBeta, config.betaRate) = (freeBits, maxBeta, betaRate)
            (config.samplingSchedule, config.samplingRate, config.learningRate, config.seed) =
                (samplingSchedule, samplingRate, learningRate, seed)
            let data = try MusicVAEDataset.build(directory: corpus, converter: config.converter, evalRatio: schedule.evalRatio, seed: seed)
            print("corpus \(corpus): \(data.summary)")
            let folder = URL(fileURLWithPath: output)
            let model = try MusicVAE(config: config)
            let task = try MusicVAETrainingTask(model: model, dataset: data)
            var options = TrainerOptions(numSteps: numSteps, outputDirectory: folder, learningRate: config.learningRate,
                                         clipNorm: config.gradientClipNorm, seed: seed &+ 0x5eed)
            schedule.apply(to: &options)
            trainer.apply(to: &options)
            options.runSettings = ["corpus": corpus]
            try runTraining(task: task, options: options, logEvery: schedule.logEvery,
                               header: "model: \(model.parameterCount) parameters, z \(config.zSize), batch \(config.batchSize)")
            model.eval()
            let held = Array(data.eval.prefix(2000))
            if !held.isEmpty {
                print("held-out reconstruction accuracy: \(try model.reconstructionAccuracy(held))")
            }
        }
    }
}
