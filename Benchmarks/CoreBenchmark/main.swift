// bench-core: MuseCore beside OpenBLAS alone and PyTorch (2 threads), in one run.
//   GEMM 512/1024/2048 GFLOPS; one training step (forward, backward, Adam) of a 2-layer LSTM,
//   128 units, one-hot vocabulary 38, batch 64, sequence 128; peak RSS.
// The LSTM weights and data are written to a safetensors file that the peer loads with
// safetensors.torch.load_file, so both train the very same model (first-step losses printed).
// The LSTM step is timed on all cores here and on one thread in a child process
// (`bench-core --lstm-only` with MUSE_THREADS=1 OPENBLAS_NUM_THREADS=1), beside torch on 2 and 1.
import BenchSupport
import CBLAS
import Foundation
import MuseCore

BLASSpinPolicy.applyByReexecuting()  // OpenBLAS workers sleep between products, as in `muse`

let work = FileManager.default.temporaryDirectory.appendingPathComponent("muse-bench-core-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }

// MARK: Elementwise ops (informational: effective GB/s of reads + writes)
if CommandLine.arguments.contains("--ops") {
    var r = SplitMix64(seed: 9)
    let a = Tensor.randn([4096, 1024], using: &r), b = Tensor.randn([4096, 1024], using: &r), bias = Tensor.randn([1024], using: &r)
    let mb = Double(a.count * 4) / 1e6
    func report(_ name: String, _ megabytes: Double, _ body: () throws -> Void) rethrows {
        let s = try medianSeconds(10, warmups: 3, body)
        print(String(format: "  %-28@ %7.2f ms  %6.1f GB/s", name as NSString, s * 1e3, megabytes / s / 1e3))
    }
    try noGrad {
        for _ in 0..<5 { _ = try a + b }  // warm the allocator's pages
        try report("add [4096,1024]+[4096,1024]", 3 * mb) { _ = try a + b }
        try report("add bias [4096,1024]+[1024]", 2 * mb) { _ = try a + bias }
        report("mul scalar", 2 * mb) { _ = a * 2 }
        report("exp", 2 * mb) { _ = a.exp() }
        report("gelu", 2 * mb) { _ = a.gelu() }
        try report("softmax last axis", 2 * mb) { _ = try a.softmax(axis: -1) }
        try report("sum axis 0", mb) { _ = try a.sum(axis: 0) }
        try report("sum axis 1", mb) { _ = try a.sum(axis: 1) }
        try report("transpose", 2 * mb) { _ = try a.transpose() }
        try report("permute [64,64,1024]→(1,0,2)", 2 * mb) { _ = try a.reshape([64, 64, 1024]).permute([1, 0, 2]) }
    }
    let x = Tensor.randn([4096, 1024], using: &r)
    x.requiresGrad = true
    try report("add bias fwd+bwd", 6 * mb) { try (x + bias).sum().backward() }
    exit(0)
}

// MARK: GEMM
var rng = SplitMix64(seed: 1)
var gemmOurs: [Int: Double] = [:], gemmBLAS: [Int: Double] = [:]
let lstmOnly = CommandLine.arguments.contains("--lstm-only")  // child mode: the LSTM step alone, as JSON
let gemmSizes = lstmOnly ? [] : CommandLine.arguments.contains("--ours-only") ? [1024] : [512, 1024, 2048]
for n in gemmSizes {
    let a = Tensor.randn([n, n], using: &rng), b = Tensor.randn([n, n], using: &rng)
    let repeats = n == 2048 ? 5 : (n == 512 ? 30 : 10)
    let flops = 2 * Double(n) * Double(n) * Double(n)
    gemmOurs[n] = flops / (try medianSeconds(repeats, warmups: 3) { _ = try noGrad { try a.matmul(b) } }) / 1e9
    let c = Tensor.zeros([n, n])
    // OpenBLAS alone on its own threads (one per core), without MuseCore's checks and tensors;
    // MuseCore keeps OpenBLAS on one thread and splits products over its own pool.
    openblas_set_num_threads(Int32(Parallel.coreCount))
    gemmBLAS[n] = flops / medianSeconds(repeats, warmups: 3) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1,
                    a.storage.pointer, Int32(n), b.storage.pointer, Int32(n), 0, c.storage.pointer, Int32(n))
    } / 1e9
    openblas_set_num_threads(1)
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
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
}
try trainStep()
let firstLoss = losses[0]
let cpu0 = cpuSeconds()
let lstmSeconds = try medianSeconds(10, warmups: 3) { try trainStep() }
let lstmCPUSeconds = (cpuSeconds() - cpu0) / 11
let rss = peakRSSMegabytes()
if lstmOnly {
    printJSON(["lstm_step_seconds": lstmSeconds, "lstm_step_cpu_seconds": lstmCPUSeconds, "peak_rss_mb": rss, "threads": Parallel.coreCount])
    try? FileManager.default.removeItem(at: work)  // exit skips the defer
    exit(0)
}
if CommandLine.arguments.contains("--ours-only") {  // for profiling
    print(String(format: "LSTM step %.1f ms (CPU %.1f ms), GEMM 1024 %.1f GFLOPS (OpenBLAS alone %.1f)",
                 lstmSeconds * 1e3, lstmCPUSeconds * 1e3, gemmOurs[1024]!, gemmBLAS[1024]!))
    exit(0)
}

// MARK: Ours on one thread (a child process), then the peer
let oneThread = (try? runJSON(CommandLine.arguments[0], ["--lstm-only"], environment: oneThreadEnvironment)) ?? [:]
let lstmSeconds1 = number(oneThread, "lstm_step_seconds")
let peer: [String: Any]
do { peer = try runJSON(peerPython, [peerScript("bench_core_peer.py"), modelURL.path]) } catch {
    print("peer failed: \(error)")
    exit(1)
}
func peerValue(_ key: String) -> Double { number(peer, key) }

print("bench-core (release, \(Parallel.coreCount) cores, elementwise kernels \(Tensor.elementwiseInstructionSet); peer: torch \(peer["torch"] ?? "?") with \(peer["threads"] ?? "?") threads)")
print("GEMM float32 n×n·n×n      ours GFLOPS  OpenBLAS  torch   ours/OpenBLAS  ours/torch")
for n in [512, 1024, 2048] {
    let t = peerValue("gemm_\(n)")
    print(String(format: "  n = %4d              %10.1f  %8.1f  %6.1f   %11.1f%%  %9.2f",
                 n, gemmOurs[n]!, gemmBLAS[n]!, t, 100 * gemmOurs[n]! / gemmBLAS[n]!, gemmOurs[n]! / t))
}
let peerLSTM = peerValue("lstm_step_seconds")
print(String(format: "LSTM step (2×128, vocab 38, batch 64, seq 128, fwd+bwd+Adam): ours %.1f ms, torch %.1f ms, speed ours/torch %.2f×",
             lstmSeconds * 1e3, peerLSTM * 1e3, peerLSTM / lstmSeconds))
print(String(format: "  1 thread each: ours %.1f ms, torch %.1f ms, speed ours/torch %.2f×",
             lstmSeconds1 * 1e3, peerValue("lstm_step_seconds_1thread") * 1e3, peerValue("lstm_step_seconds_1thread") / lstmSeconds1))
print(String(format: "  CPU time per step (user+sys, all threads; steadier than wall time on a shared machine): ours %.1f ms, torch %.1f ms",
             lstmCPUSeconds * 1e3, peerValue("lstm_step_cpu_seconds") * 1e3))
print(String(format: "  first-step loss on the same weights and data: ours %.6f, torch %.6f", firstLoss, peerValue("first_loss")))
print(String(format: "Peak RSS: ours %.0f MB, torch %.0f MB", rss, peerValue("peak_rss_mb")))

let rows = BenchRows("core")
for n in [512, 1024, 2048] {
    rows.rate("GEMM \(n)", peer: "torch", unit: "GFLOPS", ours: gemmOurs[n]!, theirs: peerValue("gemm_\(n)"), floor: gemmBLAS[n]!)
}
rows.time("LSTM train step 2×128 B64 T128, \(Parallel.coreCount) threads", peer: "torch \(Int(peerValue("threads"))) threads",
          ours: lstmSeconds, theirs: peerLSTM)
rows.time("LSTM train step 2×128 B64 T128, 1 thread", peer: "torch 1 thread", ours: lstmSeconds1, theirs: peerValue("lstm_step_seconds_1thread"))
rows.write()
