import ArgumentParser
import Foundation
import MuseCore
import MuseImage
import MuseTraining

/// `muse train image-vae --dataset fashion-mnist --output runs/imagevae`.
struct TrainImageVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image-vae",
        abstract: "Train a convolutional VAE (Bernoulli likelihood) on Fashion-MNIST or a folder of pictures.",
        discussion: """
            The loss is −ELBO in nats per picture (pixel grey levels in [0, 1] as Bernoulli targets). Every \
            --sample-every steps <output>/samples/ gets a grid decoded from fixed latents and a grid of held-out \
            pictures above their reconstructions. Checkpoints, Ctrl-C and resuming work as for every `muse train`.
            """)

    @Option(help: "`fashion-mnist` (Debian's dataset-fashion-mnist) or a folder of PNG/JPEG pictures (fitted to --image-size).")
    var dataset = "fashion-mnist"

    @Option(name: [.short, .customLong("output")], help: "Run folder for checkpoints and samples/.")
    var output = "runs/imagevae"

    @Option(name: .customLong("num-steps"), help: "Optimizer steps.")
    var numSteps = 3000

    @Option(name: .customLong("batch-size"), help: "Pictures per step.")
    var batchSize = ImageVAEConfig().batchSize

    @Option(name: .customLong("learning-rate"), help: "Adam learning rate.")
    var learningRate = ImageVAEConfig().learningRate

    @Option(name: .customLong("z-size"), help: "Latent size (2 allows the latent-manifold picture).")
    var zSize = ImageVAEConfig().zSize

    @Option(name: .customLong("image-size"), help: "Side of the pictures in pixels (a multiple of 4; Fashion-MNIST is 28).")
    var imageSize = ImageVAEConfig().imageSize

    @Option(help: "Picture channels: 1 (grey) or 3 (RGB; folders only).")
    var channels = ImageVAEConfig().channels

    @Option(name: .customLong("max-pictures"), help: "Read at most this many pictures (per split).")
    var maxPictures = 1_000_000

    @Option(name: .customLong("sample-every"), help: "Steps between sample and reconstruction grids (0 = none).")
    var sampleEvery = 500

    @Option(name: .customLong("checkpoint-every"), help: "Steps between checkpoints.")
    var checkpointEvery = 500

    @Option(name: .customLong("eval-every"), help: "Steps between held-out losses (0 = only at the end).")
    var evalEvery = 500

    @Option(name: .customLong("log-every"), help: "Steps between plain progress lines when standard error is not a terminal.")
    var logEvery = 50

    @OptionGroup var trainer: TrainerFlags

    @Option(help: "Random seed (weights, data order, ε).")
    var seed: UInt64 = 0

    func validate() throws {
        guard numSteps > 0, batchSize > 0, maxPictures > 0, checkpointEvery > 0, logEvery > 0, sampleEvery >= 0, evalEvery >= 0 else {
            throw ValidationError("--num-steps, --batch-size, --max-pictures, --checkpoint-every and --log-every must be positive")
        }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        var config = ImageVAEConfig()
        (config.batchSize, config.learningRate, config.zSize) = (batchSize, learningRate, zSize)
        (config.imageSize, config.channels, config.seed) = (imageSize, channels, seed)
        let model = try ImageVAE(config: config)
        let data = try naming(dataset) { try PictureDataset.load(dataset, size: imageSize, channels: channels, maxPictures: maxPictures) }
        print(data.summary)
        let runFolder = URL(fileURLWithPath: output)
        let task = try ImageVAETrainingTask(model: model, pictures: data.train * 0.5 + 0.5, heldOut: data.heldOut.map { $0 * 0.5 + 0.5 },
                                            sampleDirectory: runFolder.appendingPathComponent("samples"), sampleEvery: sampleEvery)
        var options = TrainerOptions(numSteps: numSteps, outputDirectory: runFolder, learningRate: learningRate, seed: seed &+ 0x5eed)
        (options.checkpointEvery, options.evalEvery) = (checkpointEvery, evalEvery)
        trainer.apply(to: &options)
        options.runSettings = ["dataset": dataset, "maxPictures": String(maxPictures)]
        try runTraining(task: task, options: options, logEvery: logEvery,
                        header: "model: \(model.parameterCount) parameters, z \(zSize), batch \(batchSize)")
        if let last = task.samplesWritten.last { print("samples: \(last)") }
    }
}
