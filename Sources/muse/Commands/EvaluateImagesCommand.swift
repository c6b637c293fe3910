import ArgumentParser
import Foundation
import MuseCore
import MuseImage

/// Flags of `muse evaluate dcgan|image-vae`.
struct ImageEvaluationOptions: ParsableArguments {
    @Option(help: "The generator's bundle folder, or its training output folder (newest checkpoint).")
    var bundle: String

    @Option(help: "Bundle of `muse train image-classifier` whose penultimate features are compared.")
    var classifier = "runs/classifier"

    @Option(help: "Generated pictures to compare (and test pictures, at most 10,000).")
    var count = 10_000

    @Option(name: .customLong("fashion-mnist"), help: "Folder holding Fashion-MNIST's IDX files.")
    var fashionMNIST = FashionMNIST.defaultDirectory

    @Option(help: "Random seed of the generator's noise or latents.")
    var seed: UInt64 = 0

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard count >= 2 else { throw ValidationError("--count must be at least 2") }
    }
}

/// What `muse evaluate dcgan|image-vae` prints.
struct ImageEvaluationReport: Codable {
    /// The generator's samples against the test set.
    let samples: SampleQuality
    /// The same number for training pictures against the test set: the floor a perfect generator reaches.
    let floor: SampleQuality
    /// The classifier's class names, in label order.
    let classNames: [String]
}

/// Generates `count` pictures with `model`, measures them and the train-vs-test floor, prints.
func evaluateGenerator(_ model: any PictureGenerator, options: ImageEvaluationOptions) throws {
    let classifier = try naming(options.classifier) {
        try bundleRegistry.load(ImageClassifier.self, from: URL(fileURLWithPath: options.classifier), for: .evaluate)
    }
    let test = try FashionMNIST.load(split: .test, directory: options.fashionMNIST).images
    let train = try FashionMNIST.load(split: .train, directory: options.fashionMNIST).images
    let n = min(options.count, test.count)
    let reference = try test.tensor(range: 0..<n)
    var rng = SplitMix64(seed: options.seed)
    let samples = try model.generatePictures(count: options.count, batchSize: 500, using: &rng)
    let report = ImageEvaluationReport(
        samples: try SampleQuality(classifier: classifier, samples: samples, reference: reference),
        floor: try SampleQuality(classifier: classifier, samples: train.tensor(range: 0..<min(options.count, train.count)), reference: reference),
        classNames: FashionMNIST.classNames)
    if options.json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
        return
    }
    print(String(format: "Fréchet distance (classifier features), %d samples vs %d test pictures: %.3f",
                 report.samples.sampleCount, report.samples.referenceCount, report.samples.frechetDistance))
    print(String(format: "floor, %d training pictures vs the same test pictures: %.3f",
                 report.floor.sampleCount, report.floor.frechetDistance))
    print(String(format: "labels of the samples (entropy %.3f bits of %.3f):", report.samples.labelEntropyBits, log2(Double(classifier.config.classes))))
    for (name, share) in zip(report.classNames, report.samples.labelDistribution) {
        print("  " + name.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: " %5.1f%%", share * 100))
    }
}

/// `muse evaluate dcgan --bundle runs/dcgan --classifier runs/classifier [--json]`.
struct EvaluateDCGANCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcgan", abstract: "Fréchet distance and label distribution of a DCGAN's samples (classifier features).")

    @OptionGroup var options: ImageEvaluationOptions

    func run() throws {
        let model = try naming(options.bundle) { try bundleRegistry.load(DCGAN.self, from: URL(fileURLWithPath: options.bundle), for: .evaluate) }
        try evaluateGenerator(model, options: options)
    }
}

/// `muse evaluate image-vae --bundle runs/imagevae --classifier runs/classifier [--json]`.
struct EvaluateImageVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image-vae", abstract: "Fréchet distance and label distribution of an image VAE's samples (classifier features).")

    @OptionGroup var options: ImageEvaluationOptions

    func run() throws {
        let model = try naming(options.bundle) { try bundleRegistry.load(ImageVAE.self, from: URL(fileURLWithPath: options.bundle), for: .evaluate) }
        try evaluateGenerator(model, options: options)
    }
}
