// bench-relative-attention: peak memory and time of one Music Transformer relative self-attention
// layer (RelativeMultiHeadAttention: E = 512, 8 heads of 64, relative table of L rows, causal),
// forward + backward at batch 1, beside the same layer in PyTorch (scripts/bench_relative_attention_peer.py,
// CPU, 2 threads), each in its own child process so peak RSS (getrusage) is per run: peak RSS of
// the first pass, time as the median of the 5 passes after it (a training step's steady state).
// The paper's figure for the naive relative form (Er gathered for every (i, j): L²·D floats) is
// 8.5 GB per layer at L = 2048, D = 512; the skewed form needs O(L·D + L²) per head.
// Usage: bench-relative-attention [L …]   (default: 512 1024 2048)
import BenchSupport
import Foundation
import MuseCore

BLASSpinPolicy.applyByReexecuting()  // OpenBLAS workers sleep between products, as in `muse`

func emit(_ object: [String: Any]) throws {
    print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
}

/// Warm passes timed after the first, on both sides; the median is reported.
let warmPasses = 5

/// Forward + backward passes of the layer at length `length`: peak RSS before (weights and input
/// made) and after the first pass, and the median seconds of `warmPasses` passes after it.
func measure(length: Int) throws -> [String: Any] {
    let embed = 512, heads = 8
    var rng = SplitMix64(seed: 1)
    let layer = RelativeMultiHeadAttention(embedDim: embed, numHeads: heads, maxRelativePosition: length, using: &rng)
    let x = Tensor.randn([1, length, embed], using: &rng)
    x.requiresGrad = true
    let w = Tensor.randn([1, length, embed], using: &rng)
    let before = peakRSSMegabytes()
    try (layer(x) * w).sum().backward()  // the first pass: its peak memory
    let peak = peakRSSMegabytes()
    let checksum = Double(x.grad?.sum().item() ?? .nan)
    // Then the median of warm passes (the first one also pays for page faults and starting threads).
    var forward: [Double] = [], backward: [Double] = []
    for _ in 0..<warmPasses {
        let t0 = now()
        let y = try layer(x)
        let t1 = now()
        try (y * w).sum().backward()
        forward.append(t1 - t0)
        backward.append(now() - t1)
    }
    return ["length": length, "baseline_rss_mb": before, "peak_rss_mb": peak,
            "forward_seconds": forward.sorted()[warmPasses / 2], "backward_seconds": backward.sorted()[warmPasses / 2], "checksum": checksum]
}

let arguments = CommandLine.arguments
if arguments.count == 3 && arguments[1] == "child" {
    guard let length = Int(arguments[2]) else { print("bad length \(arguments[2])"); exit(2) }
    try emit(measure(length: length))
    exit(0)
}
let lengths = arguments.count > 1 ? arguments.dropFirst().compactMap { Int($0) } : [512, 1024, 2048]
let me = URL(fileURLWithPath: arguments[0]).path
let script = peerScript("bench_relative_attention_peer.py")
print("bench-relative-attention (release, \(Parallel.coreCount) cores; peer: PyTorch CPU, 2 threads): one layer, E 512, 8 heads, batch 1, fwd + bwd (median of \(warmPasses) after the first)")
let rows = BenchRows("relative-attention")
defer { rows.write() }
for length in lengths {
    let ours = try runJSON(me, ["child", String(length)])
    let peer = try? runJSON(peerPython, [script, String(length)])
    let naiveGB = Double(length * length * 512) * 4 / 1e9
    print(String(format: "L %5d: ours peak RSS %6.0f MB (%.0f MB before the pass), fwd %.2f s, bwd %.2f s", length,
                 number(ours, "peak_rss_mb"), number(ours, "baseline_rss_mb"), number(ours, "forward_seconds"), number(ours, "backward_seconds")))
    if let peer {
        rows.time("relative attention fwd+bwd, L \(length)", peer: "torch",
                  ours: number(ours, "forward_seconds") + number(ours, "backward_seconds"),
                  theirs: number(peer, "forward_seconds") + number(peer, "backward_seconds"))
        print(String(format: "         torch peak RSS %6.0f MB (%.0f MB before), fwd %.2f s, bwd %.2f s", number(peer, "peak_rss_mb"),
                     number(peer, "baseline_rss_mb"), number(peer, "forward_seconds"), number(peer, "backward_seconds")))
    } else {
        print("         torch: peer not available (\(peerPython))")
    }
    print(String(format: "         naive relative embeddings alone (L²·D floats, D = 512): %.1f GB", naiveGB))
}
