import ArgumentParser
import Foundation
import MuseImage
import MuseImageStyle

/// `muse dream IN.png -o OUT.png --bundle runs/classifier --layer last`: DeepDream on a picture
/// with the layers of a classifier Muse trained.
struct DreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dream",
        abstract: "DeepDream: grow what a trained classifier's layer sees in a picture (octaves, jitter).",
        discussion: """
        The classifier is an image-classifier bundle (muse train image-classifier). A grey \
        classifier on a colour picture dreams on the luminance and adds the change to every channel.
          muse dream photo.jpg -o output/dream.png --bundle runs/classifier --layer conv2
        """)

    @Argument(help: "The picture (PNG or JPEG).")
    var input: String

    @Option(name: [.short, .customLong("output")], help: "Where to write the dreamed PNG.")
    var output = "output/dream.png"

    @Option(help: "image-classifier bundle folder, or its training run folder (newest checkpoint).")
    var bundle = "runs/classifier"

    @Option(help: "Layer to grow: conv1, conv2 (… conv4 for a strided classifier) or last, optionally :CHANNEL (conv2:5).")
    var layer = DeepDreamConfig().layer

    @Option(help: "Number of scales.")
    var octaves = DeepDreamConfig().octaves

    @Option(help: "Ratio between neighbouring scales.")
    var octaveScale = DeepDreamConfig().octaveScale

    @Option(help: "Gradient-ascent steps per octave.")
    var steps = DeepDreamConfig().steps

    @Option(help: "Step size per normalised gradient, in [-1, 1] picture units.")
    var stepSize = DeepDreamConfig().stepSize

    @Option(help: "Largest random shift before each step, in pixels.")
    var jitter = DeepDreamConfig().jitter

    @Option(help: "Seed of the jitter.")
    var seed: UInt64 = 0

    func run() throws {
        var config = DeepDreamConfig()
        (config.layer, config.octaves, config.octaveScale, config.steps, config.stepSize, config.jitter, config.seed) =
            (layer, octaves, octaveScale, steps, stepSize, jitter, seed)
        let classifier = try naming(bundle) { try bundleRegistry.load(ImageClassifier.self, from: URL(fileURLWithPath: bundle), for: .evaluate) }
        let dream = try DeepDream(classifier: classifier, config: config)
        let picture = try naming(input) { try ImageFile.read(path: input) }
        var last: Float = 0
        let result = try dream.run(picture) { octave, step, value in
            last = value
            if step == config.steps { print(String(format: "octave %d/%d: objective %.5g", octave, config.octaves, value)) }
        }
        try createParentDirectory(of: output)
        try PNGFile.write(result, to: output)
        print(String(format: "wrote %@: %d×%d, layer %@, %d octaves × %d steps, final objective %.5g", output, result.width, result.height,
                     layer, octaves, steps, last))
    }
}
