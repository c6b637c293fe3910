// bench-melody: melody RNN training and sampling speed beside PyTorch CPU (same model, same batch
// shapes, same thread count, one run), then the held-out quality of the trained default model
// beside a bigram baseline and the fraction of generated notes in the primer's key.
//
// Usage: bench-melody [CORPUS=corpora/oneills] [QUALITY_STEPS=300] [SPEED_STEPS=20]
// Training speed is measured on all cores and, in a child process pinned to one thread
// (`--train-speed-child`, MUSE_THREADS=1 OPENBLAS_NUM_THREADS=1), on one, beside torch on each.
import BenchSupport
import Foundation
import MuseCore
import MuseEncoding
import MuseModels
import MuseTraining

BLASSpinPolicy.applyByReexecuting()  // OpenBLAS workers sleep between products, as in `muse`

let trainSpeedChild = CommandLine.arguments.contains("--train-speed-child")
let args = CommandLine.arguments.filter { !$0.hasPrefix("--") }
let corpus = args.count > 1 ? args[1] : repositoryRoot.appendingPathComponent("corpora/oneills").path
let qualitySteps = args.count > 2 ? Int(args[2]) ?? 300 : 300
let speedSteps = args.count > 3 ? Int(args[3]) ?? 20 : 20
let threads = ProcessInfo.processInfo.activeProcessorCount
setvbuf(stdout, nil, _IOLBF, 0)

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let config = MelodyRNNConfig()  // the default: basic encoder, 2×128 LSTM, batch 64 × 64 steps
let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-melody-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }
let (dataset, _) = try MelodyDataset.load(directory: corpus, pipeline: config.pipeline, evalRatio: 0.1, seed: 0,
                                          cachePath: FileManager.default.temporaryDirectory.appendingPathComponent("bench-melody-dataset.cache").path)
print("corpus \(corpus): \(dataset.summary)")
print("\(dataset.train.count) training melodies, \(dataset.eval.count) held-out; model 2×\(config.hiddenSize) LSTM, batch \(config.batchSize) × \(config.sequenceLength) steps, \(threads) threads")

let model = try MelodyRNN(config: config, seed: 0)
let task = try MelodyTrainingTask(model: model, dataset: dataset)

// Training speed (batch drawing and encoding included).
let optimizer = Adam(model.namedParameters(), learningRate: config.learningRate)
var generator = SplitMix64(seed: 0)
func trainStep() throws {
    optimizer.zeroGrad()
    let loss = try task.trainingLoss(using: &generator)
    loss.backward()
    clipGradientNorm(model.parameters(), maxNorm: config.clipNorm)
    optimizer.step()
}
model.setTraining(true)
for _ in 0..<3 { try trainStep() }
let trainSeconds = try seconds { for _ in 0..<speedSteps { try trainStep() } }
let oursTrain = Double(speedSteps) / trainSeconds
if trainSpeedChild {
    printJSON(["train_steps_per_s": oursTrain])
    try? FileManager.default.removeItem(at: work)  // exit skips the defer
    exit(0)
}
let oneThread = try? runJSON(CommandLine.arguments[0], [corpus, "0", String(speedSteps), "--train-speed-child"], environment: oneThreadEnvironment)
let oursTrain1 = oneThread.map { number($0, "train_steps_per_s") } ?? .nan

// Sampling speed at batch 1 (state carried).
let sampler = MelodySampler(model: model)
var sampleOptions = MelodyGenerationOptions()
sampleOptions.numSteps = 513
let sampleSeconds = try seconds { _ = try sampler.generate(primer: [60], options: sampleOptions) }
let oursSample = 512 / sampleSeconds

// The peer, at our thread count and at one thread (OpenMP's spinning threads suffer most on a
// loaded machine, so both figures are shown).
func runPeer(threads: Int) throws -> (train: Double, sample: Double) {
    let peer = try runJSON(peerPython, [peerScript("bench_melody_peer.py"),
                                        "\(model.encoder.inputSize)", "\(model.encoder.classCount)", "\(config.hiddenSize)", "\(config.numLayers)",
                                        "\(config.batchSize)", "\(config.sequenceLength)", "\(speedSteps)", "512", "\(threads)"])
    return (number(peer, "train_steps_per_s"), number(peer, "sample_steps_per_s"))
}
let tokens = Double(config.batchSize * config.sequenceLength)
let rows = BenchRows("melody")
for peerThreads in Set([threads, 1]).sorted(by: >) {
    let peer = try runPeer(threads: peerThreads)
    let peerName = "torch \(peerThreads) thread" + (peerThreads == 1 ? "" : "s")
    let ours = peerThreads == 1 ? oursTrain1 : oursTrain
    rows.rate("melody RNN training (defaults), \(peerThreads) thread" + (peerThreads == 1 ? "" : "s"), peer: peerName, unit: "steps/s",
              ours: ours, theirs: peer.train)
    rows.rate("melody RNN sampling, batch 1", peer: peerName, unit: "steps/s", ours: oursSample, theirs: peer.sample)
    print(String(format: "training:  ours %d thread(s) %.2f steps/s (%.0f tokens/s)   torch %d thread(s) %.2f steps/s (%.0f tokens/s)   ours/torch %.2f",
                 peerThreads, ours, ours * tokens, peerThreads, peer.train, peer.train * tokens, ours / peer.train))
    print(String(format: "sampling:  ours %.0f steps/s   torch %d thread(s) %.0f steps/s   ours/torch %.2f   (batch 1, state carried)",
                 oursSample, peerThreads, peer.sample, oursSample / peer.sample))
}
rows.write()
// Quality after `qualitySteps` steps of the default recipe.
guard qualitySteps > 0 else { exit(0) }
var options = TrainerOptions(numSteps: qualitySteps, outputDirectory: work.appendingPathComponent("run"), seed: 0)
options.evalEvery = 0
options.checkpointEvery = 0
let fresh = try MelodyRNN(config: config, seed: 0)
let qualityTask = try MelodyTrainingTask(model: fresh, dataset: dataset)
let trainer = try Trainer(task: qualityTask, options: options, progress: ProgressReporter(silent: true))
let trainTime = try seconds { try trainer.run() }
let rnn = trainer.state.evaluations.last!.metrics
let bigram = EvaluationMetrics(scores: try BigramMelodyModel(encoder: fresh.encoder, melodies: qualityTask.train).score(qualityTask.eval))
print(String(format: "held-out after %d steps (%.0f s): melody RNN loss %.4f nats/step (perplexity %.2f, accuracy %.3f); bigram loss %.4f (perplexity %.2f, accuracy %.3f); %d steps",
             qualitySteps, trainTime, rnn["loss"] ?? .nan, exp(rnn["loss"] ?? .nan), rnn["accuracy"] ?? .nan, bigram.loss, exp(bigram.loss), bigram.accuracy,
             Int(rnn["steps"] ?? 0)))

// Fraction of generated notes in the primer's key (C major primer).
let primer = [60, -2, 60, -2, 67, -2, 67, -2]
var genOptions = MelodyGenerationOptions()
genOptions.numSteps = 128
let melodies = try MelodySampler(model: fresh).generate(count: 16, primer: primer, options: genOptions)
let cMajor: Set<Int> = [0, 2, 4, 5, 7, 9, 11]
let notes = melodies.flatMap { $0.dropFirst(primer.count).filter { $0 >= 0 } }
let inKey = notes.filter { cMajor.contains($0 % 12) }.count
print(String(format: "generated: %d notes in 16 melodies, %.1f%% in the primer's key (C major; uniform chance 58.3%%)",
             notes.count, 100 * Double(inKey) / Double(max(1, notes.count))))
