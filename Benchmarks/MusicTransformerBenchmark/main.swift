// bench-music-transformer: the Music Transformer (relative attention, tied embeddings, 390 tokens,
// no dropout) beside the same model in PyTorch (scripts/bench_music_transformer_peer.py, CPU,
// 2 threads), each in its own child process so peak RSS (getrusage) is per run:
//   train:  median time of one Adam step (forward, backward, clip, update) on random tokens;
//   sample: cached sampling of N events from nothing with the shipped relative table (512 rows),
//           ms per event overall (wall and CPU), near event 256 and near the end; then the
//           scaling line: mean CPU ms per event of a 2,048-event run over that of a 256-event run.
//           The attention term is linear in the position (keys, values, relative rows read once
//           each), the projections constant; an O(N²) recomputation would grow ~64× instead.
// Usage: bench-music-transformer [LAYERS DMODEL HEADS DFF BATCH LEN EVENTS]  (default: 3 128 4 512 8 256 1024)
import BenchSupport
import Foundation
import MuseCore
import MuseModels

BLASSpinPolicy.applyByReexecuting()  // OpenBLAS workers sleep between products, as in `muse`

func emit(_ object: [String: Any]) throws {
    print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
}

func config(_ a: [Int], maxSeqLen: Int) -> MusicTransformerConfig {
    var c = MusicTransformerConfig()
    (c.numLayers, c.dModel, c.numHeads, c.dFF) = (a[0], a[1], a[2], a[3])
    c.dropout = 0
    c.maxSeqLen = maxSeqLen
    return c
}

func train(_ a: [Int]) throws -> [String: Any] {
    let (batch, length) = (a[4], a[5])
    let model = try MusicTransformer(config: config(a, maxSeqLen: length), seed: 1)
    let adam = Adam(model.namedParameters(), learningRate: 1e-3)
    var rng = SplitMix64(seed: 2)
    let tokens = (0..<(batch * (length + 1))).map { _ in 2 + Int(rng.next() % 388) }
    var inputs: [Int] = [], targets: [Int] = []
    for b in 0..<batch {
        inputs += tokens[(b * (length + 1))..<(b * (length + 1) + length)]
        targets += tokens[(b * (length + 1) + 1)..<((b + 1) * (length + 1))]
    }
    var loss: Float = 0
    let seconds = try medianSeconds(5, warmups: 1) {
        model.zeroGrad()
        let l = try model.loss(inputs: inputs, targets: targets, batch: batch)
        try l.backward()
        _ = clipGradientNorm(model.parameters(), maxNorm: 1)
        adam.step()
        loss = l.item()
    }
    return ["step_seconds": seconds, "loss": Double(loss), "peak_rss_mb": peakRSSMegabytes()]
}

func sample(_ a: [Int]) throws -> [String: Any] {
    let events = a[6]
    let model = try MusicTransformer(config: config(a, maxSeqLen: MusicTransformerConfig().maxSeqLen), seed: 1)
    model.setTraining(false)
    var cache = MusicTransformerCache(model: model, batch: 1, expectedLength: events)
    var rng = SplitMix64(seed: 3)
    var options = MusicTransformerSamplingOptions()
    options.seed = 3
    var token = 0
    var stamps: [Double] = []
    let cpu0 = cpuSeconds()
    let t0 = now()
    for _ in 0..<events {
        let logits = try cache.step(model, tokens: [token])
        token = MusicTransformerSampler.sample(logits, options: options, using: &rng)
        stamps.append(now() - t0)
    }
    func perEventNear(_ k: Int) -> Double {
        let lo = max(k - 64, 1), hi = min(k + 64, events - 1)
        return (stamps[hi] - stamps[lo]) / Double(hi - lo)
    }
    let cpu = cpuSeconds() - cpu0
    return ["seconds": stamps[events - 1], "ms_per_event": 1000 * stamps[events - 1] / Double(events),
            "cpu_ms_per_event": 1000 * cpu / Double(events),
            "ms_per_event_at_256": 1000 * perEventNear(256), "ms_per_event_at_end": 1000 * perEventNear(events - 65),
            "peak_rss_mb": peakRSSMegabytes()]
}

/// User plus system CPU seconds of this process so far (all threads): the figure load on a shared machine disturbs least.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

let arguments = CommandLine.arguments
if arguments.count >= 3 && arguments[1] == "child" {
    let numbers = arguments.dropFirst(3).compactMap { Int($0) }
    try emit(arguments[2] == "train" ? train(numbers) : sample(numbers))
    exit(0)
}
let given = arguments.dropFirst().compactMap { Int($0) }
let a = given.count == 7 ? given : [3, 128, 4, 512, 8, 256, 1024]
let me = URL(fileURLWithPath: arguments[0]).path
let script = peerScript("bench_music_transformer_peer.py")
let shape = a.map(String.init)
print("bench-music-transformer (release, \(Parallel.coreCount) cores; peer: PyTorch CPU, 2 threads): \(a[0]) layers × \(a[1]), "
      + "\(a[2]) heads, feed-forward \(a[3]), relative, tied, 390 tokens")
let rows = BenchRows("music-transformer")
defer { rows.write() }
let ours = try runJSON(me, ["child", "train"] + shape)
let peer = try? runJSON(peerPython, [script, "train"] + shape.prefix(6) + ["5"])
print(String(format: "train step (batch %d × %d): ours %.3f s (peak RSS %.0f MB)", a[4], a[5], number(ours, "step_seconds"), number(ours, "peak_rss_mb")))
if let peer {
    rows.time("Music Transformer train step, B\(a[4]) T\(a[5])", peer: "torch", ours: number(ours, "step_seconds"), theirs: number(peer, "step_seconds"))
    print(String(format: "                          torch %.3f s (peak RSS %.0f MB): ours is %.2f× torch's speed", number(peer, "step_seconds"),
                 number(peer, "peak_rss_mb"), number(peer, "step_seconds") / number(ours, "step_seconds")))
}
let oursSample = try runJSON(me, ["child", "sample"] + shape)
let peerSample = try? runJSON(peerPython, [script, "sample"] + shape.prefix(4) + [shape[6]])
for (name, r) in [("ours", oursSample)] + (peerSample.map { [("torch", $0)] } ?? []) {
    print(String(format: "cached sampling, %d events, %@: %.2f s, %.2f ms/event (%.2f near event 256, %.2f near the end), peak RSS %.0f MB",
                 a[6], name, number(r, "seconds"), number(r, "ms_per_event"), number(r, "ms_per_event_at_256"),
                 number(r, "ms_per_event_at_end"), number(r, "peak_rss_mb")))
}
if let peerSample {
    rows.time("Music Transformer cached sampling, \(a[6]) events", peer: "torch", ours: number(oursSample, "seconds"), theirs: number(peerSample, "seconds"))
    print(String(format: "sampling: ours is %.2f× torch's speed", number(peerSample, "seconds") / number(oursSample, "seconds")))
}
var scaling: [Int: [String: Any]] = [:]
for n in [256, 2048] {
    var shortShape = shape
    shortShape[6] = String(n)
    scaling[n] = try runJSON(me, ["child", "sample"] + shortShape)
}
if let short = scaling[256], let long = scaling[2048] {
    print(String(format: "per-event cost, 2,048 events vs 256: CPU %.3f vs %.3f ms/event = %.2f×; wall %.3f vs %.3f ms/event = %.2f×",
                 number(long, "cpu_ms_per_event"), number(short, "cpu_ms_per_event"),
                 number(long, "cpu_ms_per_event") / number(short, "cpu_ms_per_event"),
                 number(long, "ms_per_event"), number(short, "ms_per_event"), number(long, "ms_per_event") / number(short, "ms_per_event")))
}
