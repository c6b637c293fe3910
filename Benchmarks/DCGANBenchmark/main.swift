// bench-dcgan: the DCGAN of TensorFlow's tutorial (MuseImage's `DCGAN`, batch 256, Adam 1e-4 for
// both networks) trained on Fashion-MNIST for the same number of steps by Muse (the shipped
// `DCGANTrainingTask` under the `Trainer`, as `muse train dcgan` runs it) and by PyTorch
// (scripts/bench_dcgan_peer.py), at the same thread count; then both generators draw the same
// number of samples and one classifier scores both: the Fréchet distance of its penultimate
// features against the Fashion-MNIST test set (FID's formula, as `muse evaluate dcgan`), the
// label entropy of the samples, and the floor (training pictures against the test set).
// Rows for `make bench`: training steps per second (higher is better) and the Fréchet distance
// (lower is better), ours beside PyTorch's.
//
// The same on both sides:
//   - the network and its initial weights: Muse's initial state dict (weights and BatchNorm
//     running statistics) goes to the peer as safetensors, loaded strictly under Muse's names;
//   - the data and its order: the peer reads the same IDX file and trains on the indices of every
//     step's batch, replayed from Muse's data generator (`DCGANTrainingTask.batchIndices`);
//   - the step: the discriminator's update on BCE(D(real), 1) + BCE(D(G(z₁)), 0) with G(z₁)
//     computed without gradients, then the generator's on BCE(D(G(z₂)), 1) with fresh noise z₂;
//     both generator passes in training mode (batch statistics; the running statistics move twice
//     per step); Adam lr 1e-4, β (0.9, 0.999), ε 1e-8; dropout 0.3 in the discriminator;
//   - the samples: both generators decode the same fixed noise (written as .npy), in evaluation
//     mode (running statistics), to [N, 1, 28, 28] in [−1, 1] (tanh);
//   - the scoring: one classifier bundle, one reference set, one Fréchet distance (Muse's).
// What differs:
//   - the per-step noise z₁, z₂ and the dropout masks: each side draws its own N(0, 1) and
//     Bernoulli values (SplitMix64 vs torch's generator), so the two runs part after the first
//     update and the Fréchet distances compare two runs of one recipe, not one run twice (a GAN's
//     distance moves by several percent between seeds);
//   - arithmetic: summation order, BLAS/oneDNN kernels, float32 rounding;
//   - timing: each side times its own training loop (wall and CPU of the whole process), which
//     includes its drawing of noise and gathering of the batch; Muse's also the trainer's per-step
//     bookkeeping, not the final checkpoint or evaluation.
//
// Usage: bench-dcgan [STEPS=100] [SAMPLES=2000] [--classifier runs/classifier]
//                    [--fashion-mnist /usr/share/datasets/fashion-mnist]
// The defaults keep `make bench` to a few minutes (speed, and a Fréchet distance of an early
// generator); issue 16's comparison is `bench-dcgan 1000 10000` (over an hour on 2 cores).
// The classifier is made by `muse train image-classifier --output runs/classifier`; without it
// the speed rows are still measured and the Fréchet part is skipped.
import BenchSupport
import Foundation
import MuseCore
import MuseImage
import MuseTraining

BLASSpinPolicy.applyByReexecuting()  // OpenBLAS workers sleep between products, as in `muse`

setvbuf(stdout, nil, _IOLBF, 0)
var arguments = Array(CommandLine.arguments.dropFirst())
/// Removes `--name VALUE` from the arguments and returns VALUE.
func takeOption(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    let value = arguments[index + 1]
    arguments.removeSubrange(index...(index + 1))
    return value
}
let classifierPath = takeOption("--classifier") ?? "runs/classifier"
let fashionDirectory = takeOption("--fashion-mnist") ?? FashionMNIST.defaultDirectory
let steps = arguments.count > 0 ? max(1, Int(arguments[0]) ?? 100) : 100
let sampleCount = arguments.count > 1 ? max(2, Int(arguments[1]) ?? 2000) : 2000
let threads = Parallel.coreCount

/// User + system CPU seconds of this process so far (all threads).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
}

let data = try PictureDataset.load("fashion-mnist", size: 28, channels: 1, fashionMNISTDirectory: fashionDirectory)
let config = DCGANConfig()  // the tutorial's: batch 256, noise 100, Adam 1e-4, seed 0
let model = try DCGAN(config: config)
print("bench-dcgan: \(data.summary); \(steps) steps of batch \(config.batchSize), \(sampleCount) samples, \(threads) threads; "
      + "generator \(model.generator.parameterCount) + discriminator \(model.discriminator.parameterCount) parameters")

let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-dcgan-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }

// What the peer needs: the initial state, the data order, the sample noise.
var options = TrainerOptions(numSteps: steps, outputDirectory: work.appendingPathComponent("run"), learningRate: config.learningRate,
                             seed: config.seed &+ 0x5eed)  // as `muse train dcgan --seed 0`
(options.evalEvery, options.checkpointEvery) = (0, steps)
try SafeTensors.write(model.stateDict(), to: work.appendingPathComponent("init.safetensors"))
var replay = SplitMix64(seed: options.seed)
let batches = DCGANTrainingTask.batchIndices(steps: steps, config: config, pictureCount: data.train.shape[0], generator: &replay)
try NPYFile.write(batches.joined().map(Float.init), shape: [steps, config.batchSize], to: work.appendingPathComponent("indices.npy").path)
var noiseGenerator = SplitMix64(seed: 0xF1ED_5EED)
let sampleNoise = model.noise(count: sampleCount, using: &noiseGenerator)
try NPYFile.write(sampleNoise.scalars, shape: sampleNoise.shape, to: work.appendingPathComponent("noise.npy").path)

// Muse trains, timed from the start of the run to the end of the last step.
let task = try DCGANTrainingTask(model: model, pictures: data.train, heldOut: data.heldOut)
let trainer = try Trainer(task: task, options: options, progress: ProgressReporter(silent: true))
var dLosses: [Double] = [], gLosses: [Double] = []
var museWall = 0.0, museCPU = 0.0
let startWall = now(), startCPU = cpuSeconds()
trainer.afterStep = { step in
    let metrics = trainer.state.lastTrainingMetrics ?? Metrics()
    dLosses.append(metrics["discriminator_loss"] ?? .nan)
    gLosses.append(metrics["generator_loss"] ?? .nan)
    if step == steps { (museWall, museCPU) = (now() - startWall, cpuSeconds() - startCPU) }
    if step % max(1, steps / 10) == 0 || step == steps {
        print(String(format: "muse    step %5d  D %.4f  G %.4f  %.1f s", step, dLosses.last!, gLosses.last!, now() - startWall))
    }
}
try trainer.run()
let museRate = Double(steps) / museWall

/// Pictures [N, 1, 28, 28] generated from `noise` in evaluation mode, 500 at a time.
func generate(_ model: DCGAN, _ noise: Tensor) throws -> Tensor {
    var parts: [Tensor] = []
    for start in stride(from: 0, to: noise.shape[0], by: 500) {
        parts.append(try model.generate(noise: noise.narrow(axis: 0, start: start, length: min(500, noise.shape[0] - start))))
    }
    return try Tensor.concat(parts, axis: 0)
}
let ours = try generate(model, sampleNoise)

// The peer: same weights, indices, steps, sample noise.
var peer: [String: Any] = [:]
var theirs: Tensor?
do {
    peer = try runJSON(peerPython, [peerScript("bench_dcgan_peer.py"), work.path, String(steps), String(sampleCount), String(threads),
                                    fashionDirectory])
    let file = try NPYFile.read(work.appendingPathComponent("peer_samples.npy").path)
    theirs = try Tensor(file.values, shape: [sampleCount, 1, 28, 28])
} catch {
    print("peer failed: \(error)")
}
let peerRate = number(peer, "steps_per_s")
let peerLosses = (peer["losses"] as? [[Double]]) ?? []  // [step, D, G] at the same steps as ours below

print("\nstep    muse D   muse G   torch D  torch G   (mean over the steps since the previous line)")
let marks = Array(Set((1...5).map { max(1, steps * $0 / 5) })).sorted()
var from = 0
for (i, mark) in marks.enumerated() {
    let d = dLosses[from..<mark].reduce(0, +) / Double(mark - from), g = gLosses[from..<mark].reduce(0, +) / Double(mark - from)
    let other = i < peerLosses.count ? peerLosses[i] : [Double.nan, .nan, .nan]
    print(String(format: "%5d   %.4f   %.4f   %.4f   %.4f", mark, d, g, other[1], other[2]))
    from = mark
}
let peerFirst = (peer["first_losses"] as? [Double]) ?? [.nan, .nan]
print(String(format: "first step (same weights and real batch; own noise and dropout): D muse %.4f torch %.4f, G muse %.4f torch %.4f",
             dLosses[0], peerFirst[0], gLosses[0], peerFirst[1]))
print(String(format: "training: muse %.2f steps/s (%.1f ms/step wall, %.1f ms CPU), pytorch %.2f steps/s (%.1f ms wall, %.1f ms CPU), %d threads: %.2fx",
             museRate, museWall / Double(steps) * 1e3, museCPU / Double(steps) * 1e3, peerRate,
             number(peer, "wall_seconds") / Double(steps) * 1e3, number(peer, "cpu_seconds") / Double(steps) * 1e3, threads, museRate / peerRate))
/// "min … max, mean m" of a sample set.
func range(_ t: Tensor) -> String {
    let s = t.scalars
    return String(format: "[%.3f, %.3f], mean %.3f", s.min() ?? .nan, s.max() ?? .nan, s.reduce(0, +) / Float(max(s.count, 1)))
}
print("samples: muse \(range(ours))" + (theirs.map { "; pytorch \(range($0))" } ?? ""))
let gridFolder = BenchRows.folder.deletingLastPathComponent()
try FileManager.default.createDirectory(at: gridFolder, withIntermediateDirectories: true)
for (name, samples) in [("muse", ours), ("pytorch", theirs)] {
    guard let samples, samples.shape[0] >= 64 else { continue }
    let path = gridFolder.appendingPathComponent("bench-dcgan-\(name).png").path
    try ImageGrid.write(tensor: samples.narrow(axis: 0, start: 0, length: 64), rows: 8, columns: 8, to: path)
    print("grid: \(path)")
}

let rows = BenchRows("dcgan")
rows.rate("DCGAN training, batch 256, \(threads) threads", peer: "torch \(threads) threads", unit: "steps/s", ours: museRate, theirs: peerRate)

/// Fréchet distance of `pictures`' classifier features from `reference`'s, and the entropy (bits)
/// of their predicted labels.
func score(_ pictures: Tensor, classifier: ImageClassifier, reference: FeatureStatistics) throws -> (distance: Double, entropyBits: Double) {
    let (features, predictions) = try classifier.featuresAndPredictions(pictures)
    var counts = [Int](repeating: 0, count: classifier.config.classes)
    for p in predictions { counts[p] += 1 }
    let shares = counts.filter { $0 > 0 }.map { Double($0) / Double(predictions.count) }
    return (try FrechetDistance.compute(FeatureStatistics(features: features), reference), shares.reduce(0) { $0 - $1 * log2($1) })
}

// Scoring: one classifier for both sample sets, against the first test pictures.
if !FileManager.default.fileExists(atPath: classifierPath) {
    print("no classifier bundle at \(classifierPath): make one with `muse train image-classifier --output runs/classifier` "
          + "(or pass --classifier DIR); Fréchet distances skipped")
} else if let heldOut = data.heldOut {
    let classifier = try BundleRegistry([ImageClassifier.bundleKind]).load(ImageClassifier.self, from: URL(fileURLWithPath: classifierPath),
                                                                            for: .evaluate)
    let referenceCount = min(sampleCount, heldOut.shape[0])
    let reference = try FeatureStatistics(features: classifier.featuresAndPredictions(heldOut.narrow(axis: 0, start: 0, length: referenceCount)).features)
    let floor = try score(data.train.narrow(axis: 0, start: 0, length: min(sampleCount, data.train.shape[0])), classifier: classifier, reference: reference)
    let ourScore = try score(ours, classifier: classifier, reference: reference)
    let theirScore = try theirs.map { try score($0, classifier: classifier, reference: reference) } ?? (distance: .nan, entropyBits: .nan)
    print("\nFréchet distance of the classifier features (\(classifierPath)), \(sampleCount) pictures vs \(referenceCount) test pictures:")
    print(String(format: "                 distance   label entropy (of %.3f bits)", log2(Double(classifier.config.classes))))
    print(String(format: "  muse           %8.3f   %.3f", ourScore.distance, ourScore.entropyBits))
    print(String(format: "  pytorch        %8.3f   %.3f", theirScore.distance, theirScore.entropyBits))
    print(String(format: "  floor (train)  %8.3f   %.3f", floor.distance, floor.entropyBits))
    let ratio = ourScore.distance / theirScore.distance
    print(String(format: "muse / pytorch distance %.3f (issue 16: within 10%%: ", ratio) + (abs(ratio - 1) <= 0.1 ? "yes" : "no")
          + String(format: "); speed %.2fx (at least 1.0x: ", museRate / peerRate) + (museRate >= peerRate ? "yes)" : "no)"))
    rows.score("DCGAN Fréchet distance, \(steps) steps, \(sampleCount) samples", peer: "torch", unit: "FD",
               ours: ourScore.distance, theirs: theirScore.distance)
}
rows.write()
