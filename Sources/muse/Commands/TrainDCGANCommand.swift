import ArgumentParser
import Foundation
import MuseCore
import MuseImage
import MuseTraining

/// `muse train dcgan --dataset fashion-mnist --output runs/dcgan`.
struct TrainDCGANCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcgan",
        abstract: "Train TensorFlow's tutorial DCGAN on Fashion-MNIST or a folder of pictures.",
        discussion: """
            Each step updates the discriminator, then the generator (Adam for each); the progress line shows both \
            losses. Every --sample-every steps a grid of pictures from fixed noise is written to \
            <output>/samples/step-<N>.png. Checkpoints go to --output every --checkpoint-every steps; Ctrl-C finishes \
            the current step, saves and exits; running the same command again resumes exactly.
            """)

    @Option(help: "`fashion-mnist` (Debian's dataset-fashion-mnist) or a folder of PNG/JPEG pictures (fitted to --image-size).")
    var dataset = "fashion-mnist"

    @Option(name: [.short, .customLong("output")], help: "Run folder: checkpoint-<step>/ bundles and samples/ go here; a folder holding one resumes from the newest.")
    var output = "runs/dcgan"

    @Option(name: .customLong("num-steps"), help: "Optimizer steps (each: one discriminator and one generator update).")
    var numSteps = 2000

    @Option(name: .customLong("batch-size"), help: "Pictures per step.")
    var batchSize = DCGANConfig().batchSize

    @Option(name: .customLong("learning-rate"), help: "Adam learning rate of both networks.")
    var learningRate = DCGANConfig().learningRate

    @Option(name: .customLong("noise-size"), help: "Length of the generator's noise vector.")
    var noiseSize = DCGANConfig().noiseSize

    @Option(name: .customLong("image-size"), help: "Side of the pictures in pixels (a multiple of 4; Fashion-MNIST is 28).")
    var imageSize = DCGANConfig().imageSize

    @Option(help: "Picture channels: 1 (grey) or 3 (RGB; folders only).")
    var channels = DCGANConfig().channels

    @Option(name: .customLong("max-pictures"), help: "Read at most this many pictures (per split).")
    var maxPictures = 1_000_000

    @Option(name: .customLong("sample-every"), help: "Steps between sample grids in <output>/samples (0 = none).")
    var sampleEvery = 100

    @Option(name: .customLong("checkpoint-every"), help: "Steps between checkpoints.")
    var checkpointEvery = 200

    @Option(name: .customLong("eval-every"), help: "Steps between held-out losses (0 = only at the end).")
    var evalEvery = 200

    @Option(name: .customLong("log-every"), help: "Steps between plain progress lines when standard error is not a terminal.")
    var logEvery = 50

    @OptionGroup var trainer: TrainerFlags

    @Option(help: "Random seed (weights, data order, noise).")
    var seed: UInt64 = 0

    func validate() throws {
        guard numSteps > 0, batchSize > 1, maxPictures > 0 else {
            throw ValidationError("--num-steps and --max-pictures must be positive, --batch-size at least 2")
        }
        guard sampleEvery >= 0, checkpointEvery > 0, evalEvery >= 0, logEvery > 0 else {
            throw ValidationError("--checkpoint-every and --log-every must be positive, --sample-every and --eval-every not negative")
        }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        var config = DCGANConfig()
        (config.batchSize, config.learningRate, config.noiseSize) = (batchSize, learningRate, noiseSize)
        (config.imageSize, config.channels, config.seed) = (imageSize, channels, seed)
        let model = try DCGAN(config: config)
        let data = try naming(dataset) { try PictureDataset.load(dataset, size: imageSize, channels: channels, maxPictures: maxPictures) }
        print(data.summary)
        let runFolder = URL(fileURLWithPath: output)
        let task = try DCGANTrainingTask(model: model, pictures: data.train, heldOut: data.heldOut,
                                         sampleDirectory: runFolder.appendingPathComponent("samples"), sampleEvery: sampleEvery)
        var options = TrainerOptions(numSteps: numSteps, outputDirectory: runFolder, learningRate: learningRate, seed: seed &+ 0x5eed)
        options.checkpointEvery = checkpointEvery
        options.evalEvery = evalEvery
        trainer.apply(to: &options)
        options.runSettings = ["dataset": dataset, "maxPictures": String(maxPictures)]
        try runTraining(task: task, options: options, logEvery: logEvery,
                        header: "generator \(model.generator.parameterCount) + discriminator \(model.discriminator.parameterCount) parameters, batch \(batchSize)")
        if let last = task.samplesWritten.last { print("samples: \(last)") }
    }
}
