import ArgumentParser
import Foundation
import MuseCore
import MuseImage
import MuseTraining

/// `muse train image-classifier --output runs/classifier`: the Fashion-MNIST CNN whose features
/// `muse evaluate dcgan|image-vae` measures samples with.
struct TrainImageClassifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image-classifier",
        abstract: "Train the small CNN classifier on Fashion-MNIST (its features score generated pictures).",
        discussion: """
            Cross-entropy with Adam and a cosine-decayed learning rate, random left-right flips and small random \
            shifts; the test accuracy is printed at every evaluation and stored in the checkpoints' metrics.
            """)

    @Option(help: "Folder holding Fashion-MNIST's IDX files.")
    var fashionMNIST = FashionMNIST.defaultDirectory

    @Option(name: [.short, .customLong("output")], help: "Run folder for checkpoints.")
    var output = "runs/classifier"

    @Option(name: .customLong("num-steps"), help: "Optimizer steps (469 steps of 128 are one pass over the 60,000 pictures).")
    var numSteps = 4000

    @Option(name: .customLong("batch-size"), help: "Pictures per step.")
    var batchSize = ImageClassifierConfig().batchSize

    @Option(name: .customLong("learning-rate"), help: "Adam learning rate at the start (cosine decay to 1% of it).")
    var learningRate = ImageClassifierConfig().learningRate

    @Option(name: .customLong("checkpoint-every"), help: "Steps between checkpoints.")
    var checkpointEvery = 500

    @Option(name: .customLong("eval-every"), help: "Steps between test-set evaluations (0 = only at the end).")
    var evalEvery = 500

    @Option(name: .customLong("log-every"), help: "Steps between plain progress lines when standard error is not a terminal.")
    var logEvery = 50

    @Option(name: .customLong("max-shift"), help: "Largest random shift of a training picture along each axis, in pixels (0 = none).")
    var maxShift = 2

    @Option(help: "Layer plan: pooled (3×3 conv, BN, ReLU, 2×2 max-pool; twice) or strided (the first version's four convs).")
    var architecture = ImageClassifierConfig().architecture.rawValue

    @Option(name: .customLong("max-pictures"), help: "Read at most this many pictures (per split).")
    var maxPictures = 1_000_000

    @OptionGroup var trainer: TrainerFlags

    @Option(help: "Random seed (weights, data order, flips).")
    var seed: UInt64 = 0

    func validate() throws {
        guard numSteps > 0, batchSize > 1, checkpointEvery > 0, logEvery > 0, evalEvery >= 0, maxPictures > 0 else {
            throw ValidationError("--num-steps, --checkpoint-every, --log-every, --max-pictures must be positive, --batch-size at least 2")
        }
        guard maxShift >= 0 else { throw ValidationError("--max-shift must not be negative") }
        guard ImageClassifierArchitecture(rawValue: architecture) != nil else {
            throw ValidationError("--architecture must be one of " + ImageClassifierArchitecture.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        var config = ImageClassifierConfig()
        (config.batchSize, config.learningRate, config.seed) = (batchSize, learningRate, seed)
        config.architecture = ImageClassifierArchitecture(rawValue: architecture) ?? config.architecture
        let model = try ImageClassifier(config: config)
        let train = try FashionMNIST.load(split: .train, directory: fashionMNIST)
        let test = try FashionMNIST.load(split: .test, directory: fashionMNIST)
        let (nTrain, nTest) = (min(train.images.count, maxPictures), min(test.images.count, maxPictures))
        print("fashion-mnist: \(nTrain) training, \(nTest) test pictures")
        let task = try ImageClassifierTrainingTask(
            model: model, pictures: train.images.tensor(range: 0..<nTrain), labels: train.labels.prefix(nTrain).map(Int.init),
            testPictures: test.images.tensor(range: 0..<nTest), testLabels: test.labels.prefix(nTest).map(Int.init), maxShift: maxShift)
        var options = TrainerOptions(numSteps: numSteps, outputDirectory: URL(fileURLWithPath: output), learningRate: learningRate,
                                     seed: seed &+ 0x5eed)
        (options.checkpointEvery, options.evalEvery) = (checkpointEvery, evalEvery)
        options.schedule = .cosine(minimum: learningRate / 100)
        trainer.apply(to: &options)
        options.runSettings = ["fashionMNIST": fashionMNIST, "maxPictures": String(maxPictures), "maxShift": String(maxShift)]
        try runTraining(task: task, options: options, logEvery: logEvery,
                        header: "model (\(config.architecture.rawValue)): \(model.parameterCount) parameters, batch \(batchSize)")
    }
}
