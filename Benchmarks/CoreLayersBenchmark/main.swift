// bench-core-layers: one training step of MuseCore beside PyTorch (CPU, 2 threads), same run:
//   (b) a 4-layer pre-norm Transformer LM, d_model 256, 4 heads, ff 1024, vocab 388, sequence 256,
//       batch 16, causal, dropout 0.1 (fwd + bwd + Adam);
//   (c) the DCGAN of TensorFlow's DCGAN tutorial (generator Dense → 7×7×256 → ConvT 128 → ConvT 64
//       → ConvT 1 tanh with BatchNorm + LeakyReLU(0.3); discriminator Conv 64 → Conv 128 → Dense,
//       LeakyReLU + Dropout 0.3) at the tutorial's batch 256: discriminator step then generator step,
//       Adam 1e-4.
// Weights and data go to a safetensors file the peer loads, so both train the same model. Each
// model runs in its own child process (ours and the peer's) so peak RSS is per model.
// Usage: bench-core-layers [transformer|dcgan] [--dcgan-batch N]   (no model: both, with the peer;
//        the DCGAN batch defaults to 256)
import BenchSupport
import Foundation
import MuseCore

BLASSpinPolicy.applyByReexecuting()  // OpenBLAS workers sleep between products, as in `muse`

func emit(_ object: [String: Any]) throws {
    print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
}

// MARK: - (b) Transformer language model

/// Token + learned position embeddings, pre-norm encoder layers with a causal mask, final norm, head.
final class TransformerLM: Module {
    let tok: Embedding, pos: Embedding, layers: [TransformerEncoderLayer], norm: LayerNorm, head: Linear
    var isTraining = true
    var children: [(name: String, module: any Module)] {
        [("tok", tok), ("pos", pos)] + layers.enumerated().map { ("layers.\($0.offset)", $0.element) }
            + [("norm", norm), ("head", head)]
    }

    init(vocab: Int, dModel: Int, heads: Int, ff: Int, depth: Int, maxLength: Int, dropout: Float, using rng: inout SplitMix64) {
        tok = Embedding(numEmbeddings: vocab, embeddingDim: dModel, using: &rng)
        pos = Embedding(numEmbeddings: maxLength, embeddingDim: dModel, using: &rng)
        layers = (0..<depth).map { i in
            TransformerEncoderLayer(dModel: dModel, numHeads: heads, dimFeedforward: ff, dropout: dropout, seed: UInt64(10 * i), using: &rng)
        }
        norm = LayerNorm(normalizedShape: [dModel])
        head = Linear(inFeatures: dModel, outFeatures: vocab, using: &rng)
    }

    /// tokens [batch·length] row-major → logits [batch·length, vocab]
    func callAsFunction(_ tokens: [Int], batch: Int, length: Int) throws -> Tensor {
        var x = try tok(tokens, shape: [batch, length]) + pos(Array(0..<length), shape: [length])
        for layer in layers { x = try layer(x, causal: true) }
        return try head(norm(x)).reshape([batch * length, -1])
    }
}

func benchTransformer(work: URL) throws -> [String: Any] {
    let vocab = 388, dModel = 256, heads = 4, ff = 1024, depth = 4, length = 256, batch = 16
    var rng = SplitMix64(seed: 2)
    let model = TransformerLM(vocab: vocab, dModel: dModel, heads: heads, ff: ff, depth: depth, maxLength: length, dropout: 0.1, using: &rng)
    let tokens = (0..<(batch * (length + 1))).map { _ in Int(rng.next() % UInt64(vocab)) }
    var inputs: [Int] = [], targets: [Int] = []
    for b in 0..<batch {
        let row = tokens[(b * (length + 1))..<((b + 1) * (length + 1))]
        inputs += row.dropLast()
        targets += row.dropFirst()
    }
    var file = model.stateDict()
    file["data.inputs"] = Tensor(inputs.map(Float.init))
    file["data.targets"] = Tensor(targets.map(Float.init))
    try SafeTensors.write(file, to: work.appendingPathComponent("transformer.safetensors"))
    let optimizer = Adam(model.namedParameters(), learningRate: 1e-4)
    var losses: [Float] = []
    func step() throws {
        optimizer.zeroGrad()
        let loss = try crossEntropy(logits: model(inputs, batch: batch, length: length), targets: targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    }
    let seconds = try medianSeconds(5, step)
    return ["step_seconds": seconds, "first_loss": Double(losses[0]), "peak_rss_mb": peakRSSMegabytes(),
            "parameters": model.parameterCount]
}

// MARK: - (c) DCGAN

final class Generator: Module {
    let fc: Linear, bn0: BatchNorm1d, up1: ConvTranspose2d, bn1: BatchNorm2d, up2: ConvTranspose2d, bn2: BatchNorm2d, up3: ConvTranspose2d
    var isTraining = true
    var children: [(name: String, module: any Module)] {
        [("fc", fc), ("bn0", bn0), ("up1", up1), ("bn1", bn1), ("up2", up2), ("bn2", bn2), ("up3", up3)]
    }

    init(noise: Int, using rng: inout SplitMix64) {
        fc = Linear(inFeatures: noise, outFeatures: 7 * 7 * 256, bias: false, using: &rng)
        bn0 = BatchNorm1d(numFeatures: 7 * 7 * 256)
        up1 = ConvTranspose2d(inChannels: 256, outChannels: 128, kernelSize: 5, padding: 2, bias: false, using: &rng)
        bn1 = BatchNorm2d(numFeatures: 128)
        up2 = ConvTranspose2d(inChannels: 128, outChannels: 64, kernelSize: 5, stride: 2, padding: 2, outputPadding: 1, bias: false, using: &rng)
        bn2 = BatchNorm2d(numFeatures: 64)
        up3 = ConvTranspose2d(inChannels: 64, outChannels: 1, kernelSize: 5, stride: 2, padding: 2, outputPadding: 1, bias: false, using: &rng)
    }

    /// z [B, noise] → images [B, 1, 28, 28] in (−1, 1)
    func callAsFunction(_ z: Tensor) throws -> Tensor {
        var x = try bn0(fc(z)).leakyRelu(negativeSlope: 0.3).reshape([z.shape[0], 256, 7, 7])
        x = try bn1(up1(x)).leakyRelu(negativeSlope: 0.3)
        x = try bn2(up2(x)).leakyRelu(negativeSlope: 0.3)
        return try up3(x).tanh()
    }
}

final class Discriminator: Module {
    let conv1: Conv2d, conv2: Conv2d, fc: Linear, drop1: Dropout, drop2: Dropout
    var isTraining = true
    var children: [(name: String, module: any Module)] {
        [("conv1", conv1), ("drop1", drop1), ("conv2", conv2), ("drop2", drop2), ("fc", fc)]
    }

    init(using rng: inout SplitMix64) {
        conv1 = Conv2d(inChannels: 1, outChannels: 64, kernelSize: 5, stride: 2, padding: 2, using: &rng)
        conv2 = Conv2d(inChannels: 64, outChannels: 128, kernelSize: 5, stride: 2, padding: 2, using: &rng)
        fc = Linear(inFeatures: 128 * 7 * 7, outFeatures: 1, using: &rng)
        drop1 = Dropout(probability: 0.3, seed: 1)
        drop2 = Dropout(probability: 0.3, seed: 2)
    }

    /// images [B, 1, 28, 28] → logits [B, 1]
    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let h = try drop1(conv1(x).leakyRelu(negativeSlope: 0.3))
        let h2 = try drop2(conv2(h).leakyRelu(negativeSlope: 0.3))
        return try fc(h2.reshape([x.shape[0], -1]))
    }
}

func benchDCGAN(work: URL, batch: Int) throws -> [String: Any] {
    let noise = 100
    var rng = SplitMix64(seed: 3)
    let generator = Generator(noise: noise, using: &rng), discriminator = Discriminator(using: &rng)
    let z = Tensor.randn([batch, noise], using: &rng)
    let real = Tensor.uniform([batch, 1, 28, 28], low: -1, high: 1, using: &rng)
    var file = generator.stateDict().reduce(into: [String: Tensor]()) { $0["g." + $1.key] = $1.value }
    for (k, v) in discriminator.stateDict() { file["d." + k] = v }
    file["data.z"] = z
    file["data.real"] = real
    try SafeTensors.write(file, to: work.appendingPathComponent("dcgan.safetensors"))
    let optG = Adam(generator.namedParameters(), learningRate: 1e-4), optD = Adam(discriminator.namedParameters(), learningRate: 1e-4)
    let ones = Tensor.ones([batch, 1]), zeros = Tensor.zeros([batch, 1])
    var losses: [(Float, Float)] = []
    func step() throws {
        let fake = try generator(z)
        optD.zeroGrad()
        let dLoss = try binaryCrossEntropyWithLogits(logits: discriminator(real), targets: ones)
            + binaryCrossEntropyWithLogits(logits: discriminator(fake.detach()), targets: zeros)
        dLoss.backward()
        optD.step()
        optG.zeroGrad()
        let gLoss = try binaryCrossEntropyWithLogits(logits: discriminator(fake), targets: ones)
        gLoss.backward()
        optG.step()
        losses.append((dLoss.item(), gLoss.item()))
    }
    let seconds = try medianSeconds(10, step)
    return ["step_seconds": seconds, "first_d_loss": Double(losses[0].0), "first_g_loss": Double(losses[0].1),
            "peak_rss_mb": peakRSSMegabytes(), "parameters": generator.parameterCount + discriminator.parameterCount]
}

// MARK: - Driver

var arguments = CommandLine.arguments
var dcganBatch = 256
if let flag = arguments.firstIndex(of: "--dcgan-batch"), flag + 1 < arguments.count, let value = Int(arguments[flag + 1]), value > 1 {
    dcganBatch = value
    arguments.removeSubrange(flag...(flag + 1))
}
if arguments.count == 3 {
    // Child mode: bench-core-layers <model> <work folder> [--dcgan-batch N]; prints one JSON line.
    let work = URL(fileURLWithPath: arguments[2])
    switch arguments[1] {
    case "transformer": try emit(benchTransformer(work: work))
    case "dcgan": try emit(benchDCGAN(work: work, batch: dcganBatch))
    default: print("unknown model \(arguments[1])"); exit(2)
    }
    exit(0)
}
let models = arguments.count == 2 ? [arguments[1]] : ["dcgan", "transformer"]
let script = peerScript("bench_core_layers_peer.py")
let work = FileManager.default.temporaryDirectory.appendingPathComponent("muse-bench-core-layers-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }
let me = URL(fileURLWithPath: arguments[0]).path
print("bench-core-layers (release, \(Parallel.coreCount) cores; peer: PyTorch CPU, 2 threads), one training step, median")
let rows = BenchRows("core-layers")
defer { rows.write() }
for model in models {
    let ours = try runJSON(me, [model, work.path, "--dcgan-batch", "\(dcganBatch)"])
    let peer = try runJSON(peerPython, [script, model, work.path])
    let a = number(ours, "step_seconds"), b = number(peer, "step_seconds")
    let title = model == "dcgan" ? "(c) DCGAN batch \(dcganBatch) (D step + G step, Adam)" : "(b) Transformer 4×256, 4 heads, ff 1024, vocab 388, seq 256, batch 16 (fwd+bwd+Adam)"
    print(title)
    rows.time(model == "dcgan" ? "DCGAN train step, batch 64" : "Transformer 4×256 train step, B16 T256", peer: "torch",
              ours: a, theirs: b)
    print(String(format: "  step: ours %.1f ms, torch %.1f ms, speed ours/torch %.2f×", a * 1e3, b * 1e3, b / a))
    if model == "dcgan" {
        print(String(format: "  first losses (same weights, data; dropout masks differ): D ours %.4f torch %.4f, G ours %.4f torch %.4f",
                     number(ours, "first_d_loss"), number(peer, "first_d_loss"), number(ours, "first_g_loss"), number(peer, "first_g_loss")))
    } else {
        print(String(format: "  first loss (same weights, data; dropout masks differ): ours %.4f torch %.4f",
                     number(ours, "first_loss"), number(peer, "first_loss")))
    }
    print(String(format: "  peak RSS: ours %.0f MB, torch %.0f MB; parameters ours %.0f torch %.0f",
                 number(ours, "peak_rss_mb"), number(peer, "peak_rss_mb"), number(ours, "parameters"), number(peer, "parameters")))
}
