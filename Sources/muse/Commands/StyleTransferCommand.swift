import ArgumentParser
import Foundation
import MuseAudio
import MuseAudioStyle
import MuseImage
import MuseImageStyle
import MuseStyle

/// `muse style-transfer CONTENT STYLE -o out.png`: style transfer with random-filter features,
/// for pictures (PNG/JPEG) or, with `--audio`, for sound; one input synthesises its texture.
struct StyleTransferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "style-transfer",
        abstract: "Paint a content picture (or sound) in the style of another, or synthesise a style's texture.",
        discussion: """
        Features come from random convolution filters, not a pretrained network: several sizes of \
        square filters for pictures (Ustyuzhaninov et al. 2016), one layer of 11-frame filters over \
        the log-magnitude spectrogram for sound (Ulyanov and Lebedev 2016). The output is optimised \
        with L-BFGS (or Adam) and the loss terms are printed as it goes.
          muse style-transfer content.jpg style.jpg -o output/styled.png
          muse style-transfer style.jpg -o output/texture.png            (texture: one input)
          muse style-transfer --audio speech.wav music.wav -o output/styled.wav
          muse style-transfer --audio music.wav --seconds 5 -o output/texture.wav
        """)

    @Argument(help: "CONTENT STYLE, or STYLE alone for a texture (PNG/JPEG pictures, or audio files with --audio).")
    var inputs: [String] = []

    @Flag(help: "The inputs are sound (any format libsndfile reads); the output is a WAV file.")
    var audio = false

    @Option(name: [.short, .customLong("output")], help: "Where to write the result (PNG, or WAV with --audio; default output/style-transfer.png or .wav).")
    var output: String?

    @Option(help: "Longest side of the output picture, in pixels.")
    var size = PictureStyleConfig().size

    @Option(help: "Optimisation steps (L-BFGS iterations or Adam updates).")
    var steps = PictureStyleConfig().steps

    @Option(help: "Weight of the content term (default 1; ignored for a texture).")
    var contentWeight: Float?

    @Option(help: "Weight of the style (Gram) term (default 1000 for pictures, 10 for sound).")
    var styleWeight: Float?

    @Option(help: "Weight of the total-variation term (default 1 for pictures, 0 for sound).")
    var tvWeight: Float?

    @Option(help: "Seed of the random filters and the starting noise.")
    var seed: UInt64 = 0

    @Option(help: "Optimiser: lbfgs or adam.")
    var optimizer = "lbfgs"

    @Option(help: "Adam's learning rate (default 0.02 for pictures, 0.05 for sound).")
    var learningRate: Float?

    @Option(help: "Start a transfer from the content or from noise (default content).")
    var initialization: String?

    @Option(help: "Picture filter sizes in pixels, comma-separated.")
    var filterSizes = PictureStyleConfig().filterSizes.map(String.init).joined(separator: ",")

    @Option(help: "Random filters per size for pictures (default 128), or in the one layer for sound (default 4096).")
    var filters: Int?

    @Option(help: "Sound texture length in seconds (one audio input; default the style clip's length).")
    var seconds: Double?

    @Option(help: "Sound: FFT size (n_fft).")
    var nFFT = AudioStyleConfig().nFFT

    @Option(help: "Sound: hop between frames, in samples.")
    var hopLength = AudioStyleConfig().hopLength

    @Option(help: "Sound: Griffin-Lim iterations for the phase.")
    var griffinLimIterations = AudioStyleConfig().griffinLimIterations

    @Option(help: "Sound: longest part of each clip used, in seconds.")
    var maxSeconds = AudioStyleConfig().maximumSeconds

    @Option(help: "Print the losses every this many steps (0: only the summary).")
    var logEvery = 10

    func validate() throws {
        guard (1...2).contains(inputs.count) else {
            throw ValidationError("give CONTENT STYLE, or STYLE alone for a texture (got \(inputs.count) files)")
        }
        guard seconds == nil || (audio && inputs.count == 1) else {
            throw ValidationError("--seconds is for a sound texture (--audio with one input)")
        }
        guard logEvery >= 0 else { throw ValidationError("--log-every must not be negative") }
    }

    func run() throws {
        let started = Date()
        var lastLine = ""
        let report: (StyleProgress) -> Bool = { p in
            let l = p.losses
            lastLine = String(format: "loss %.5g (content %.4g, style %.4g, tv %.4g)", l.total, l.content, l.style, l.totalVariation)
            if logEvery > 0, p.step % logEvery == 0 || p.step == 1 {
                print(String(format: "step %4d/%d  evals %4d  ", p.step, steps, p.evaluations) + lastLine)
            }
            return true
        }
        let content = inputs.count == 2 ? inputs[0] : nil, style = inputs[inputs.count - 1]
        if audio {
            var config = AudioStyleConfig()
            config.steps = steps
            config.seed = seed
            config.optimizer = optimizer
            config.nFFT = nFFT
            config.hopLength = hopLength
            config.griffinLimIterations = griffinLimIterations
            config.maximumSeconds = maxSeconds
            if let filters { config.filters = filters }
            if let contentWeight { config.weights.content = contentWeight }
            if let styleWeight { config.weights.style = styleWeight }
            if let tvWeight { config.weights.totalVariation = tvWeight }
            if let learningRate { config.learningRate = learningRate }
            if let initialization { config.initialization = initialization }
            let rate = Double(config.sampleRate)
            let styleClip = try naming(style) { try AudioFile.load(style, sampleRate: rate) }
            let contentClip = try content.map { path in try naming(path) { try AudioFile.load(path, sampleRate: rate) } }
            let path = output ?? "output/style-transfer.wav"
            let result = try AudioStyleTransfer.run(content: contentClip.map { Array($0.channel(0)) }, style: Array(styleClip.channel(0)),
                                                    seconds: seconds, config: config, progress: report)
            try createParentDirectory(of: path)
            try AudioFile.write(AudioBuffer(mono: result.samples, sampleRate: rate), to: path)
            print(String(format: "wrote %@: %.2f s at %d Hz, %@ from %@; %d %@ steps in %.0f s; ", path,
                         Double(result.samples.count) / rate, config.sampleRate, content == nil ? "texture" : "style transfer",
                         style, steps, optimizer, Date().timeIntervalSince(started)) + lastLine)
        } else {
            var config = PictureStyleConfig()
            config.size = size
            config.steps = steps
            config.seed = seed
            config.optimizer = optimizer
            config.filterSizes = try filterSizes.split(separator: ",").map {
                guard let v = Int($0.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--filter-sizes must be integers separated by commas") }
                return v
            }
            if let filters { config.filtersPerSize = filters }
            if let contentWeight { config.weights.content = contentWeight }
            if let styleWeight { config.weights.style = styleWeight }
            if let tvWeight { config.weights.totalVariation = tvWeight }
            if let learningRate { config.learningRate = learningRate }
            if let initialization { config.initialization = initialization }
            let styleImage = try naming(style) { try ImageFile.read(path: style) }
            let contentImage = try content.map { path in try naming(path) { try ImageFile.read(path: path) } }
            let path = output ?? "output/style-transfer.png"
            let result = try PictureStyleTransfer.run(content: contentImage, style: styleImage, config: config, progress: report)
            try createParentDirectory(of: path)
            try PNGFile.write(result.image, to: path)
            print("wrote \(path): \(result.image.width)×\(result.image.height), "
                  + (content.map { "\($0) in the style of \(style)" } ?? "texture of \(style)")
                  + String(format: "; %d %@ steps in %.0f s; ", steps, optimizer, Date().timeIntervalSince(started)) + lastLine)
        }
    }
}
