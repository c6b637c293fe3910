import Foundation
import MuseCore
import MuseImage
import MuseStyle

/// DeepDream (Mordvintsev, Olah and Tyka 2015) on a MuseImage classifier: gradient ascent on the
/// mean squared activation of one layer, over several octaves (the picture shrunk by
/// `octaveScale` each), with a random roll (jitter) before every step and the step normalised by
/// the gradient's mean absolute value. The detail added at one octave is enlarged and carried to
/// the next.
///
/// The classifier's convolutions take any picture size, so the dream runs at the picture's own
/// size. A grey classifier on a colour picture sees the picture's luminance
/// (0.299 R + 0.587 G + 0.114 B) and its change is added to all three channels, so the colours stay
/// and the dream shows as light and shade; a colour classifier on a grey picture sees the grey
/// copied into three channels and the output is RGB.
public final class DeepDream {
    /// The network (evaluation mode).
    public let classifier: ImageClassifier
    /// Settings.
    public let config: DeepDreamConfig
    let layerIndex: Int, channel: Int?

    /// The layers a dream can grow: the classifier's conv → batch-norm → ReLU layers
    /// (`ImageClassifier.layerNames`: conv1, conv2 for the pooled plan, conv1 … conv4 for the strided one).
    public var layerNames: [String] { classifier.layerNames }

    /// - Throws: `StyleError.invalidArgument` for bad settings or a layer name that is not one of
    ///   the classifier's `layerNames` or `last` (the message lists them) or a channel the layer does not have.
    public init(classifier: ImageClassifier, config: DeepDreamConfig) throws {
        try config.validate()
        let parts = config.layer.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let names = classifier.layerNames
        let index = parts[0] == "last" ? names.count - 1 : names.firstIndex(of: parts[0])
        guard parts.count <= 2, let index else {
            throw StyleError.invalidArgument(name: "layer", value: config.layer,
                                             reason: "valid layers: \(names.joined(separator: ", ")) or last (optionally :channel, e.g. conv2:5)")
        }
        let channels = classifier.layerChannels[index]
        var channel: Int? = nil
        if parts.count == 2 {
            guard let c = Int(parts[1]), c >= 0, c < channels else {
                throw StyleError.invalidArgument(name: "layer channel", value: parts[1], reason: "\(parts[0]) has channels 0..<\(channels)")
            }
            channel = c
        }
        classifier.train(false)
        (self.classifier, self.config, self.layerIndex, self.channel) = (classifier, config, index, channel)
    }

    /// The chosen layer's activations of `pictures` [1, channels, h, w] in [−1, 1].
    public func activations(_ pictures: Tensor) throws -> Tensor {
        var x = try classifier.activations(pictures, throughLayer: layerIndex)
        if let channel { x = try x.narrow(axis: 1, start: channel, length: 1) }
        return x
    }

    /// The objective ½·mean(a²) of the layer and its gradient with respect to `planes`
    /// ([channels, h, w] in [−1, 1], the classifier's channel count).
    func objectiveAndGradient(_ planes: [Float], channels: Int, height: Int, width: Int) throws -> (Float, [Float]) {
        let x = try Tensor(planes, shape: [1, channels, height, width], requiresGrad: true)
        let a = try activations(x)
        let objective = a.square().mean() * 0.5
        let value = objective.item()
        objective.backward()
        return (value, x.grad?.scalars ?? [Float](repeating: 0, count: planes.count))
    }

    /// Dreams on `image`.
    /// - Parameter progress: after each step with (octave, step, objective).
    /// - Returns: the dreamed picture, the input's size; RGB if the input or the classifier is colour.
    /// - Throws: `StyleError` for a picture too small for the octaves, `TensorError` from the network.
    public func run(_ image: Image, progress: (_ octave: Int, _ step: Int, _ objective: Float) -> Void = { _, _, _ in }) throws -> Image {
        let colourNet = classifier.config.channels == 3
        let picture = image.converted(to: (image.layout.isColour || colourNet) ? .rgb : .grey).to8Bit()
        let c = picture.layout.channels, width = picture.width, height = picture.height
        let smallest = Float(min(width, height)) / pow(config.octaveScale, Float(config.octaves - 1))
        guard smallest >= 4 else {
            throw StyleError.invalidArgument(name: "octaves", value: "\(config.octaves)",
                                             reason: "shrink the \(width)×\(height) picture below 4 pixels at scale \(config.octaveScale); use fewer")
        }
        // Planar [c, h, w] in [−1, 1].
        let base = picture.tensor(valueRange: -1...1).scalars
        var sizes: [(Int, Int)] = []
        for o in 0..<config.octaves {
            let f = pow(config.octaveScale, Float(o))
            sizes.append((max(1, Int((Float(height) / f).rounded())), max(1, Int((Float(width) / f).rounded()))))
        }
        var generator = SplitMix64(seed: config.seed)
        var detailSize = sizes[sizes.count - 1]  // octaves >= 1 (validated)
        var detail = [Float](repeating: 0, count: c * detailSize.0 * detailSize.1)
        var x = base
        for (octave, (h, w)) in sizes.reversed().enumerated() {
            let octaveBase = PlaneResize.bilinear(base, channels: c, from: (height, width), to: (h, w))
            detail = PlaneResize.bilinear(detail, channels: c, from: detailSize, to: (h, w))
            detailSize = (h, w)
            x = zip(octaveBase, detail).map { $0 + $1 }
            for step in 0..<config.steps {
                let dy = config.jitter > 0 ? Int(generator.next() % UInt64(2 * config.jitter + 1)) - config.jitter : 0
                let dx = config.jitter > 0 ? Int(generator.next() % UInt64(2 * config.jitter + 1)) - config.jitter : 0
                var rolled = PlaneResize.roll(x, channels: c, height: h, width: w, dy: dy, dx: dx)
                let (value, gradient) = try ascentGradient(rolled, channels: c, height: h, width: w)
                let meanAbs = gradient.reduce(0) { $0 + abs($1) } / Float(max(gradient.count, 1))
                let scale = config.stepSize / (meanAbs + 1e-8)
                for i in rolled.indices { rolled[i] = min(max(rolled[i] + scale * gradient[i], -1), 1) }
                x = PlaneResize.roll(rolled, channels: c, height: h, width: w, dy: -dy, dx: -dx)
                progress(octave + 1, step + 1, value)
            }
            detail = zip(x, octaveBase).map { $0 - $1 }
        }
        return try Image(tensor: Tensor(x, shape: [1, c, height, width]), index: 0, valueRange: -1...1)
    }

    /// The gradient of the objective with respect to the picture's own channels: through the
    /// luminance for a grey classifier on colour, through the summed copies for a colour
    /// classifier on grey.
    func ascentGradient(_ planes: [Float], channels c: Int, height h: Int, width w: Int) throws -> (Float, [Float]) {
        let netChannels = classifier.config.channels, n = h * w
        if netChannels == c { return try objectiveAndGradient(planes, channels: c, height: h, width: w) }
        if netChannels == 1 {
            // Luminance in; the same change for R, G and B.
            var luminance = [Float](repeating: 0, count: n)
            for p in 0..<n { luminance[p] = 0.299 * planes[p] + 0.587 * planes[n + p] + 0.114 * planes[2 * n + p] }
            let (value, g) = try objectiveAndGradient(luminance, channels: 1, height: h, width: w)
            return (value, g + g + g)
        }
        // Grey picture, colour network: the picture is RGB already (converted above), so this is unreachable.
        return try objectiveAndGradient(planes, channels: c, height: h, width: w)
    }
}
