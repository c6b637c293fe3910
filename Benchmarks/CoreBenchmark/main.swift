// bench-core: MuseCore beside OpenBLAS alone and PyTorch (2 threads), in one run.
//   GEMM 512/1024/2048 GFLOPS; one training step (forward, backward, Adam) of a 2-layer LSTM,
//   128 units, one-hot vocabulary 38, batch 64, sequence 128; peak RSS.
// The LSTM weights and data are written to a safetensors file that the peer loads with
// safetensors.torch.load_file, so both train the very same model (first-step losses printed).
import CBLAS
import Foundation
import MuseCore

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Median seconds of `body` over `repeats` runs after one warm-up.
func time(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var times: [Double] = []
    for _ in 0..<repeats {
        let t0 = now()
        try body()
        times.append(now() - t0)
    }
    return times.sorted()[times.count / 2]
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

let python = ProcessInfo.processInfo.environment["MUSE_PEER_PYTHON"] ?? "/root/.cache/muse-peers-venv/bin/python"
let scriptURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("scripts/bench_core_peer.py")
let work = FileManager.default.temporaryDirectory.appendingPathComponent("muse-bench-core-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }

// MARK: GEMM
var rng = SplitMix64(seed: 1)
var gemmOurs: [Int: Double] = [:], gemmBLAS: [Int: Double] = [:]
for n in [512, 1024, 2048] {
    let a = Tensor.randn([n, n], using: &rng), b = Tensor.randn([n, n], using: &rng)
    let repeats = n == 2048 ? 5 : 10
    let flops = 2 * Double(n) * Double(n) * Double(n)
    gemmOurs[n] = flops / (try time(repeats) { _ = try noGrad { try a.matmul(b) } }) / 1e9
    let c = Tensor.zeros([n, n])
    gemmBLAS[n] = flops / time(repeats) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1,
                    a.storage.pointer, Int32(n), b.storage.pointer, Int32(n), 0, c.storage.pointer, Int32(n))
    } / 1e9
}

// MARK: LSTM training step
let vocab = 38, hidden = 128, batch = 64, steps = 128
let lstm = LSTM(inputSize: vocab, hiddenSize: hidden, numLayers: 2, using: &rng)
let head = Linear(inFeatures: hidden, outFeatures: vocab, using: &rng)
let tokens = (0..<(batch * (steps + 1))).map { _ in Int(rng.next() % UInt64(vocab)) }
var inputIDs: [Int] = [], targets: [Int] = []
for b in 0..<batch {
    let row = tokens[(b * (steps + 1))..<((b + 1) * (steps + 1))]
    inputIDs += row.dropLast()
    targets += row.dropFirst()
}
let x = try Tensor.oneHot(inputIDs, depth: vocab).reshape([batch, steps, vocab])
var checkpoint = lstm.stateDict().reduce(into: [String: Tensor]()) { $0["lstm." + $1.key] = $1.value }
for (k, v) in head.stateDict() { checkpoint["head." + k] = v }
checkpoint["x"] = x
checkpoint["targets"] = Tensor(targets.map(Float.init))
let modelURL = work.appendingPathComponent("lstm.safetensors")
try SafeTensors.write(checkpoint, to: modelURL)

let optimizer = Adam(lstm.namedParameters(prefix: "lstm.") + head.namedParameters(prefix: "head."), learningRate: 1e-3)
var losses: [Float] = []
func trainStep() throws {
    optimizer.zeroGrad()
    let (h, _) = try lstm(x)
    let loss = try crossEntropy(logits: head(h).reshape([batch * steps, vocab]), targets: targets)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
}
try trainStep()
let firstLoss = losses[0]
let lstmSeconds = try time(10) { try trainStep() }
let rss = peakRSSMegabytes()
if CommandLine.arguments.contains("--ours-only") {  // for profiling
    print(String(format: "LSTM step %.1f ms, GEMM 1024 %.1f GFLOPS", lstmSeconds * 1e3, gemmOurs[1024]!))
    exit(0)
}

// MARK: Peer
let process = Process()
process.executableURL = URL(fileURLWithPath: python)
process.arguments = [scriptURL.path, modelURL.path]
let pipe = Pipe()
process.standardOutput = pipe
try process.run()
let peerOut = pipe.fileHandleForReading.readDataToEndOfFile()
process.waitUntilExit()
guard process.terminationStatus == 0,
      let peer = try JSONSerialization.jsonObject(with: peerOut) as? [String: Any] else {
    print("peer failed (status \(process.terminationStatus)): \(String(decoding: peerOut, as: UTF8.self))")
    exit(1)
}
func peerValue(_ key: String) -> Double { (peer[key] as? NSNumber)?.doubleValue ?? .nan }

print("bench-core (release, \(Parallel.coreCount) cores; peer: torch \(peer["torch"] ?? "?") with \(peer["threads"] ?? "?") threads)")
print("GEMM float32 n×n·n×n      ours GFLOPS  OpenBLAS  torch   ours/OpenBLAS  ours/torch")
for n in [512, 1024, 2048] {
    let t = peerValue("gemm_\(n)")
    print(String(format: "  n = %4d              %10.1f  %8.1f  %6.1f   %11.1f%%  %9.2f",
                 n, gemmOurs[n]!, gemmBLAS[n]!, t, 100 * gemmOurs[n]! / gemmBLAS[n]!, gemmOurs[n]! / t))
}
let peerLSTM = peerValue("lstm_step_seconds")
print(String(format: "LSTM step (2×128, vocab 38, batch 64, seq 128, fwd+bwd+Adam): ours %.1f ms, torch %.1f ms, speed ours/torch %.2f×",
             lstmSeconds * 1e3, peerLSTM * 1e3, peerLSTM / lstmSeconds))
print(String(format: "  first-step loss on the same weights and data: ours %.6f, torch %.6f", firstLoss, peerValue("first_loss")))
print(String(format: "Peak RSS: ours %.0f MB, torch %.0f MB", rss, peerValue("peak_rss_mb")))
