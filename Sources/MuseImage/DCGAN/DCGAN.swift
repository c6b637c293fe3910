import Foundation
import MuseCore

/// Keras' default initialisation (`glorot_uniform` kernels, zero biases), which TensorFlow's
/// DCGAN tutorial trains from: U(−l, l) with l = √(6 / (fanIn + fanOut)), the fans counting the
/// kernel's taps. Overwrites `weight` in place.
func glorotUniform<G: RandomNumberGenerator>(_ weight: Tensor, fanIn: Int, fanOut: Int, using generator: inout G) {
    let limit = (6 / Float(max(fanIn + fanOut, 1))).squareRoot()
    weight.copy(fromScalars: Tensor.uniform(weight.shape, low: -limit, high: limit, using: &generator).scalars)
}

/// The tutorial's generator: noise [N, noiseSize] → Dense(s·s·256, no bias) → BatchNorm →
/// LeakyReLU → [N, 256, s, s] → ConvTranspose(128, 5×5, stride 1) → BN → LeakyReLU →
/// ConvTranspose(64, 5×5, stride 2) → BN → LeakyReLU → ConvTranspose(channels, 5×5, stride 2) →
/// tanh → [N, channels, 4s, 4s] in [−1, 1] (128 and 64 are `config.generatorChannels`). No convolution has a bias (as in the tutorial);
/// 'same' padding is PyTorch's padding 2 (and output padding 1 at stride 2).
public final class DCGANGenerator: Module {
    public let config: DCGANConfig
    public let dense: Linear
    public let bn0: BatchNorm1d
    public let deconv1: ConvTranspose2d
    public let bn1: BatchNorm2d
    public let deconv2: ConvTranspose2d
    public let bn2: BatchNorm2d
    public let deconv3: ConvTranspose2d
    public var isTraining = true
    public var children: [(name: String, module: any Module)] {
        [("dense", dense), ("bn0", bn0), ("deconv1", deconv1), ("bn1", bn1),
         ("deconv2", deconv2), ("bn2", bn2), ("deconv3", deconv3)]
    }

    /// Glorot-uniform weights drawn from `generator`.
    public init(config: DCGANConfig, using generator: inout SplitMix64) {
        self.config = config
        let s = config.startSize, units = s * s * config.baseChannels
        let (m, e) = (config.batchNormMomentum, config.batchNormEpsilon)
        let (c1, c2) = (config.generatorChannels[0], config.generatorChannels[1])
        dense = Linear(inFeatures: config.noiseSize, outFeatures: units, bias: false, using: &generator)
        bn0 = BatchNorm1d(numFeatures: units, epsilon: e, momentum: m)
        deconv1 = ConvTranspose2d(inChannels: config.baseChannels, outChannels: c1, kernelSize: 5, stride: 1, padding: 2,
                                  bias: false, using: &generator)
        bn1 = BatchNorm2d(numFeatures: c1, epsilon: e, momentum: m)
        deconv2 = ConvTranspose2d(inChannels: c1, outChannels: c2, kernelSize: 5, stride: 2, padding: 2, outputPadding: 1,
                                  bias: false, using: &generator)
        bn2 = BatchNorm2d(numFeatures: c2, epsilon: e, momentum: m)
        deconv3 = ConvTranspose2d(inChannels: c2, outChannels: config.channels, kernelSize: 5, stride: 2, padding: 2,
                                  outputPadding: 1, bias: false, using: &generator)
        glorotUniform(dense.weight, fanIn: config.noiseSize, fanOut: units, using: &generator)
        for conv in [deconv1, deconv2, deconv3] {
            let w = conv.weight.shape
            glorotUniform(conv.weight, fanIn: w[0] * 25, fanOut: w[1] * 25, using: &generator)
        }
    }

    /// - Parameter noise: [N, noiseSize]
    /// - Returns: pictures [N, channels, imageSize, imageSize] in [−1, 1].
    /// - Throws: `TensorError` for a wrong noise shape.
    public func callAsFunction(_ noise: Tensor) throws -> Tensor {
        let slope = config.leakySlope, s = config.startSize
        var x = try bn0(dense(noise)).leakyRelu(negativeSlope: slope)
        x = try x.reshape([noise.shape[0], config.baseChannels, s, s])
        x = try bn1(deconv1(x)).leakyRelu(negativeSlope: slope)
        x = try bn2(deconv2(x)).leakyRelu(negativeSlope: slope)
        return try deconv3(x).tanh()
    }
}

/// The tutorial's discriminator: pictures [N, channels, S, S] → Conv(64, 5×5, stride 2) →
/// LeakyReLU → Dropout → Conv(128, 5×5, stride 2) → LeakyReLU → Dropout → Flatten → Dense(1):
/// one logit per picture (real > 0); 64 and 128 are `config.discriminatorChannels`. 'same' padding is PyTorch's padding 2.
public final class DCGANDiscriminator: Module {
    public let config: DCGANConfig
    public let conv1: Conv2d
    public let conv2: Conv2d
    public let dense: Linear
    /// The two dropout layers (their generators are part of a checkpoint's random state).
    public let dropout1: Dropout, dropout2: Dropout
    public var isTraining = true
    public var children: [(name: String, module: any Module)] {
        [("conv1", conv1), ("dropout1", dropout1), ("conv2", conv2), ("dropout2", dropout2), ("dense", dense)]
    }

    /// Glorot-uniform kernels and zero biases drawn from `generator`; dropout seeded from `config.seed`.
    public init(config: DCGANConfig, using generator: inout SplitMix64) {
        self.config = config
        let (c1, c2) = (config.discriminatorChannels[0], config.discriminatorChannels[1])
        conv1 = Conv2d(inChannels: config.channels, outChannels: c1, kernelSize: 5, stride: 2, padding: 2, using: &generator)
        conv2 = Conv2d(inChannels: c1, outChannels: c2, kernelSize: 5, stride: 2, padding: 2, using: &generator)
        let features = c2 * config.startSize * config.startSize
        dense = Linear(inFeatures: features, outFeatures: 1, using: &generator)
        dropout1 = Dropout(probability: config.dropout, seed: config.seed &+ 0xD1)
        dropout2 = Dropout(probability: config.dropout, seed: config.seed &+ 0xD2)
        for conv in [conv1, conv2] {
            let w = conv.weight.shape
            glorotUniform(conv.weight, fanIn: w[1] * 25, fanOut: w[0] * 25, using: &generator)
        }
        glorotUniform(dense.weight, fanIn: features, fanOut: 1, using: &generator)
        for bias in [conv1.bias, conv2.bias, dense.bias].compactMap({ $0 }) { bias.copy(fromScalars: [Float](repeating: 0, count: bias.count)) }
    }

    /// - Parameter images: [N, channels, imageSize, imageSize] in [−1, 1]
    /// - Returns: logits [N, 1].
    /// - Throws: `TensorError` for a wrong input shape.
    public func callAsFunction(_ images: Tensor) throws -> Tensor {
        let slope = config.leakySlope
        var x = try dropout1(conv1(images).leakyRelu(negativeSlope: slope))
        x = try dropout2(conv2(x).leakyRelu(negativeSlope: slope))
        return try dense(x.flatten(startAxis: 1))
    }
}

/// Both networks of TensorFlow's DCGAN tutorial under one module (`generator.*`,
/// `discriminator.*` in `model.safetensors`).
public final class DCGAN: Module {
    /// Sizes and settings.
    public let config: DCGANConfig
    /// Noise → pictures.
    public let generator: DCGANGenerator
    /// Pictures → logit.
    public let discriminator: DCGANDiscriminator
    public var isTraining = true
    public var children: [(name: String, module: any Module)] { [("generator", generator), ("discriminator", discriminator)] }

    /// Fresh networks with weights drawn from `config.seed`.
    /// - Throws: `ImageError.invalidArgument` for a config the network cannot take.
    public init(config: DCGANConfig) throws {
        try config.validate()
        self.config = config
        var rng = SplitMix64(seed: config.seed)
        generator = DCGANGenerator(config: config, using: &rng)
        discriminator = DCGANDiscriminator(config: config, using: &rng)
    }

    /// Standard-normal noise [count, noiseSize] drawn from `generator`.
    public func noise(count: Int, using generator: inout SplitMix64) -> Tensor {
        Tensor.randn([count, config.noiseSize], using: &generator)
    }

    /// The `count` noise vectors the progress grids use (the same for every step of a run).
    public func fixedNoise(count: Int) -> Tensor {
        var rng = SplitMix64(seed: config.seed ^ 0xF1ED_5EED)
        return noise(count: count, using: &rng)
    }

    /// Pictures [N, channels, imageSize, imageSize] in [−1, 1] generated from `noise` in
    /// evaluation mode (running batch statistics), without gradients; restores the mode.
    /// - Throws: `TensorError` for a wrong noise shape.
    public func generate(noise: Tensor) throws -> Tensor {
        let was = generator.isTraining
        generator.train(false)
        defer { generator.train(was) }
        return try noGrad { try generator(noise) }
    }
}
