// bench-nanogpt: the nanoGPT yardstick. nanoGPT's Shakespeare-on-CPU configuration (character
// tokens, block 64, batch 12, 4 layers × 4 heads × 128, dropout 0, AdamW 1e-3 → 1e-4 with 100
// warm-up iterations, β2 0.99, weight decay 0.1, clip 1.0) trained by Muse and by PyTorch
// (scripts/bench_nanogpt_peer.py, nanoGPT's model.py and loop) on the same ids and split (the
// first 90% of the corpus trains), evaluated on the same fixed validation batches: the validation
// loss curves and training iterations per second side by side, at the same thread count.
// nanoGPT reports a validation loss of 1.88 after 2000 iterations on tiny-shakespeare.
//
// Usage: bench-nanogpt [CORPUS=corpora/shakespeare] [ITERS=2000] [EVAL_INTERVAL=250]
import BenchSupport
import Foundation
import MuseCore
import MuseText
import MuseTraining

BLASSpinPolicy.applyByReexecuting()  // OpenBLAS workers sleep between products, as in `muse`

let args = CommandLine.arguments
let corpusPath = args.count > 1 ? args[1] : repositoryRoot.appendingPathComponent("corpora/shakespeare").path
let iterations = args.count > 2 ? Int(args[2]) ?? 2000 : 2000
let evalInterval = args.count > 3 ? Int(args[3]) ?? 250 : 250
let threads = ProcessInfo.processInfo.activeProcessorCount
setvbuf(stdout, nil, _IOLBF, 0)

let corpus = try TextCorpus(contentsOf: corpusPath)
let tokenizer = try corpus.makeTokenizer(kind: .char)
let ids = try corpus.encode(with: tokenizer)
let blockSize = 64, batchSize = 12
// 20 fixed validation batches (nanoGPT's --eval_iters=20) spread evenly over the validation ids.
let evalOffsets = (0..<(20 * batchSize)).map { $0 * ((ids.validation.count - blockSize - 1) / (20 * batchSize)) }
print("corpus \(corpusPath): \(corpus.scalarCount) characters, vocabulary \(tokenizer.vocabularySize); "
      + "\(ids.train.count) training, \(ids.validation.count) validation tokens; \(iterations) iterations, \(threads) threads; elementwise kernels \(Tensor.elementwiseInstructionSet)")

let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-nanogpt-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }
try NPYFile.write(ids.train.map(Float.init), shape: [ids.train.count], to: work.appendingPathComponent("train.npy").path)
try NPYFile.write(ids.validation.map(Float.init), shape: [ids.validation.count], to: work.appendingPathComponent("val.npy").path)
try NPYFile.write(evalOffsets.map(Float.init), shape: [evalOffsets.count], to: work.appendingPathComponent("eval_offsets.npy").path)

let model = try GPT(config: GPTConfig(vocabSize: tokenizer.vocabularySize, blockSize: blockSize, nLayer: 4, nHead: 4, nEmbd: 128), seed: 1337)
let task = try GPTTrainingTask(model: model, tokenizer: tokenizer, corpus: ids, batchSize: batchSize, evalIters: 1)

func validationLoss() throws -> Double {
    model.eval()
    defer { model.train() }
    return try noGrad {
        var total: Double = 0
        for b in stride(from: 0, to: evalOffsets.count, by: batchSize) {
            var x: [Int] = [], y: [Int] = []
            for o in evalOffsets[b..<(b + batchSize)] {
                x += ids.validation[o..<(o + blockSize)].map(Int.init)
                y += ids.validation[(o + 1)...(o + blockSize)].map(Int.init)
            }
            total += Double(try model.loss(x, targets: y, batch: batchSize, length: blockSize).loss.item())
        }
        return total / Double(evalOffsets.count / batchSize)
    }
}

var options = TrainerOptions(numSteps: iterations, outputDirectory: work.appendingPathComponent("run"), learningRate: 1e-3, clipNorm: 1, seed: 1337)
options.betas = (0.9, 0.99)
options.schedule = .warmupCosine(warmupSteps: 100, decaySteps: iterations, minimum: 1e-4)
options.evalEvery = 0
options.checkpointEvery = 0
let trainer = try Trainer(task: task, options: options, progress: ProgressReporter(silent: true))
var curve: [(Int, Double)] = []
var evalSeconds = 0.0
var intervalStart = (time: now(), step: 0)
trainer.afterStep = { step in
    guard step % evalInterval == 0 || step == iterations else { return }
    let start = now()
    let intervalRate = Double(step - intervalStart.step) / (start - intervalStart.time)
    curve.append((step, (try? validationLoss()) ?? .nan))
    evalSeconds += now() - start
    print(String(format: "muse    iter %5d: val loss %.4f (%.2f it/s since the last evaluation)", step, curve.last!.1, intervalRate))
    intervalStart = (now(), step)
}
intervalStart = (now(), 0)
let start = now()
try trainer.run()
let museItersPerSecond = Double(iterations) / (now() - start - evalSeconds)
print(String(format: "muse training: %.2f it/s", museItersPerSecond))

let peer = try runJSON(peerPython, [peerScript("bench_nanogpt_peer.py"), work.path, String(iterations), String(evalInterval), String(threads),
                                    String(tokenizer.vocabularySize)])
let peerCurve = (peer["curve"] as? [[Double]]) ?? []
print("iter   muse val   pytorch val")
for (i, (step, loss)) in curve.enumerated() {
    let theirs = i < peerCurve.count ? peerCurve[i][1] : .nan
    print(String(format: "%5d   %.4f     %.4f", step, loss, theirs))
}
let peerRate = number(peer, "iters_per_s")
print(String(format: "final val loss: muse %.4f, pytorch %.4f (difference %+.4f; nanoGPT reports 1.88 on tiny-shakespeare)",
             curve.last?.1 ?? .nan, number(peer, "final_val_loss"), (curve.last?.1 ?? .nan) - number(peer, "final_val_loss")))
print(String(format: "training: muse %.2f it/s, pytorch %.2f it/s (%d threads): %.2fx", museItersPerSecond, peerRate, threads, museItersPerSecond / peerRate))
let rows = BenchRows("nanogpt")
rows.rate("nanoGPT char training", peer: "torch \(threads) threads", unit: "it/s", ours: museItersPerSecond, theirs: peerRate)
rows.write()
