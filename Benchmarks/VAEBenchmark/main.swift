// bench-vae: training steps/s beside the same model in PyTorch CPU, from the same weights and
// batch, in one run: MusicVAE (default CPU config, batch 64 × 32 steps, teacher forced; plus the
// time to interpolate two windows in 8 steps), the patch spectrogram VAE, and the sequence
// spectrogram VAE that `muse train spec-vae` ships. Steps/s is one over the fastest step on both
// sides: on a shared 2-core VM the mean of 20 steps swung from 0.88× to 1.41× between runs of the
// same binaries, as other work landed inside one side's window, and interference only adds time.
// Usage: bench-vae [STEPS] [music|spec|specseq …]   (default 20 steps, all three models)
import BenchSupport
import Foundation
import MuseCore
import MuseAudioModels
import MuseModels
import MuseTraining

BLASSpinPolicy.applyByReexecuting()  // OpenBLAS workers sleep between products, as in `muse`

let steps = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 20
let chosen = Set(CommandLine.arguments.dropFirst(2))
/// Whether `model` was asked for (all are when none is named).
func wanted(_ model: String) -> Bool { chosen.isEmpty || chosen.contains(model) }
var rng = SplitMix64(seed: 42)

/// Runs the peer script; returns its `name value` lines.
func runPeer(_ mode: String, _ weights: URL) throws -> (values: [String: Double], raw: String) {
    let output = try runProcess(peerPython, [peerScript("bench_vae_peer.py"), mode, weights.path, "\(steps)"])
    var values: [String: Double] = [:]
    for line in output.split(separator: "\n") {
        let parts = line.split(separator: " ")
        if parts.count == 2, let v = Double(parts[1]) { values[String(parts[0])] = v }
    }
    return (values, output)
}

let rows = BenchRows("vae")
defer { rows.write() }

/// Prints ours beside the peer's figures and adds the row `name`.
func report(_ name: String, _ ours: Double, _ last: Float, _ peer: (values: [String: Double], raw: String)) {
    rows.rate(name, peer: "torch", unit: "steps/s", ours: ours, theirs: peer.values["steps_per_second"] ?? .nan)
    print(String(format: "  ours   %.2f steps/s   final loss %.4f", ours, last))
    if let theirs = peer.values["steps_per_second"] {
        print(String(format: "  torch  %.2f steps/s   final loss %.4f", theirs, peer.values["final_loss"] ?? .nan))
        print(String(format: "  ours/peer throughput %.2f", ours / theirs))
    } else {
        print("  torch  (peer failed: \(peer.raw))")
    }
}

if wanted("music") {
    var config = MusicVAEConfig()
    config.samplingSchedule = "constant"
    config.samplingRate = 0
    config.betaRate = 0  // constant β = maxBeta, as the peer
    let model = try MusicVAE(config: config)
    let B = config.batchSize, T = config.sequenceLength, C = config.classCount
    let windows = (0..<B).map { _ in (0..<T).map { _ in Int.random(in: 0..<C, using: &rng) } }
    let epsilon = Tensor.randn([B, config.zSize], using: &rng)

    // Same weights and batch for the peer.
    let weightsURL = FileManager.default.temporaryDirectory.appendingPathComponent("bench-vae-\(getpid()).safetensors")
    var state = model.stateDict()
    state["in.windows"] = try Tensor(windows.flatMap { $0 }.map(Float.init), shape: [B, T])
    state["in.epsilon"] = epsilon
    try SafeTensors.write(state, metadata: [
        "classes": "\(C)", "z": "\(config.zSize)", "enc_h": "\(config.encoderHiddenSize)", "enc_l": "\(config.encoderLayers)",
        "dec_h": "\(config.decoderHiddenSize)", "dec_l": "\(config.decoderLayers)", "beta": "\(config.maxBeta)",
    ], to: weightsURL)
    defer { try? FileManager.default.removeItem(at: weightsURL) }

    // Ours: Adam steps of the same loss.
    let optimizer = Adam(model.namedParameters(), learningRate: 1e-3)
    let events = try model.oneHot(windows)
    let targets = windows.flatMap { $0 }
    func step() throws -> Float {
        let loss = try model.loss(events: events, targets: targets, epsilon: epsilon, beta: config.maxBeta, using: &rng)
        optimizer.zeroGrad()
        loss.total.backward()
        clipGradientNorm(model.parameters(), maxNorm: 1)
        optimizer.step()
        return loss.total.item()
    }
    var last: Float = 0
    let ours = 1 / (try bestSeconds(steps) { last = try step() })

    // Interpolation of two windows in 8 steps (encode, decode 8 × 32 steps, argmax).
    model.eval()
    let interpStart = Date()
    _ = try model.interpolate(from: windows[0], to: windows[1], steps: 8, spherical: true, temperature: 0, using: &rng)
    let interpSeconds = Date().timeIntervalSince(interpStart)

    let peer = try runPeer("music", weightsURL)

    print("MusicVAE training, \(model.parameterCount) parameters, batch \(B) × \(T) steps, fastest of \(steps) steps (after one warm-up)")
    report("MusicVAE training", ours, last, peer)
    print(String(format: "interpolate 2 windows, 8 steps: %.3f s", interpSeconds))
}

if wanted("spec") {
    // Spectrogram VAE: default config (128 mels × 64 frames, z 64), batch 32 random patches, β 1.
    let specConfig = SpectrogramVAEConfig()
    let spec = try SpectrogramVAE(config: specConfig)
    let patches = try spec.tensor((0..<specConfig.batchSize).map { _ in
        (0..<(specConfig.nMels * specConfig.patchFrames)).map { _ in Float.random(in: 0..<1, using: &rng) } })
    let specEpsilon = Tensor.randn([specConfig.batchSize, specConfig.zSize], using: &rng)
    let specURL = FileManager.default.temporaryDirectory.appendingPathComponent("bench-specvae-\(getpid()).safetensors")
    var specState = spec.stateDict()
    specState["in.patches"] = patches
    specState["in.epsilon"] = specEpsilon
    try SafeTensors.write(specState, metadata: [
        "channels": specConfig.channels.map(String.init).joined(separator: ","), "mels": "\(specConfig.nMels)",
        "frames": "\(specConfig.patchFrames)", "z": "\(specConfig.zSize)", "beta": "1.0",
    ], to: specURL)
    defer { try? FileManager.default.removeItem(at: specURL) }
    let specOptimizer = Adam(spec.namedParameters(), learningRate: 1e-3)
    func specStep() throws -> Float {
        let loss = try spec.loss(patches: patches, epsilon: specEpsilon, beta: 1)
        specOptimizer.zeroGrad()
        loss.total.backward()
        clipGradientNorm(spec.parameters(), maxNorm: 5)
        specOptimizer.step()
        return loss.total.item()
    }
    var specLast: Float = 0
    let specOurs = 1 / (try bestSeconds(steps) { specLast = try specStep() })
    print("Spectrogram VAE training, \(spec.parameterCount) parameters, batch \(specConfig.batchSize) × \(specConfig.nMels) mels × \(specConfig.patchFrames) frames, \(steps) steps")
    report("spectrogram VAE training", specOurs, specLast, try runPeer("spec", specURL))
}

if wanted("specseq") {
    // Sequence spectrogram VAE (what `muse train spec-vae` ships): default config (128 mels, hidden
    // 128, z 64 per 2 frames), batch 16 crops of 64 frames, β at its final value.
    let seqConfig = SpectrogramSequenceVAEConfig()
    let seq = try SpectrogramSequenceVAE(config: seqConfig)
    let crops = try seq.tensor((0..<seqConfig.batchSize).map { _ in
        (0..<(seqConfig.nMels * seqConfig.cropFrames)).map { _ in Float.random(in: 0..<1, using: &rng) } }, frames: seqConfig.cropFrames)
    let seqEpsilon = Tensor.randn([seqConfig.batchSize, seqConfig.zChannels, 1, seqConfig.cropFrames / seqConfig.framesPerLatent], using: &rng)
    let seqURL = FileManager.default.temporaryDirectory.appendingPathComponent("bench-specseqvae-\(getpid()).safetensors")
    var seqState = seq.stateDict()
    seqState["in.spectrograms"] = crops
    seqState["in.epsilon"] = seqEpsilon
    try SafeTensors.write(seqState, metadata: [
        "mels": "\(seqConfig.nMels)", "hidden": "\(seqConfig.hiddenChannels)", "z": "\(seqConfig.zChannels)",
        "downsamplings": "\(seqConfig.downsamplings)", "beta": "\(seqConfig.maxBeta)",
    ], to: seqURL)
    defer { try? FileManager.default.removeItem(at: seqURL) }
    let seqOptimizer = Adam(seq.namedParameters(), learningRate: 1e-3)
    func seqStep() throws -> Float {
        let loss = try seq.loss(spectrograms: crops, epsilon: seqEpsilon, beta: seqConfig.maxBeta)
        seqOptimizer.zeroGrad()
        loss.total.backward()
        clipGradientNorm(seq.parameters(), maxNorm: 5)
        seqOptimizer.step()
        return loss.total.item()
    }
    var seqLast: Float = 0
    let seqOurs = 1 / (try bestSeconds(steps) { seqLast = try seqStep() })
    print("Sequence spectrogram VAE training (shipped), \(seq.parameterCount) parameters, batch \(seqConfig.batchSize) × \(seqConfig.nMels) mels × \(seqConfig.cropFrames) frames, \(steps) steps")
    report("sequence spectrogram VAE training", seqOurs, seqLast, try runPeer("specseq", seqURL))
}
