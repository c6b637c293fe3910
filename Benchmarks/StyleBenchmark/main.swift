// bench-style: one iteration of picture style transfer (loss + gradient with respect to the
// pixels) at 384 × 384 beside PyTorch (CPU, 2 threads), in the same run: the multi-scale random
// network of 3, 5, 7, 11, 15 and 23-pixel filters (128 each, strides 1, 1, 2, 3, 4, 6), content
// + Gram style + total-variation terms. The filters and pictures go to a safetensors file the peer
// loads, so both compute the same loss (printed side by side).
// Usage: bench-style [size]   (default 384)
import BenchSupport
import Foundation
import MuseCore
import MuseStyle

BLASSpinPolicy.applyByReexecuting()  // OpenBLAS workers sleep between products, as in `muse`

let side = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 384 : 384
let scales = FilterScale.pictureScales()
let bank = try RandomFilterBank(inChannels: 3, scales: scales, seed: 1)
var generator = SplitMix64(seed: 7)
let content = Tensor.uniform([1, 3, side, side], using: &generator)
let style = Tensor.uniform([1, 3, side, side], using: &generator)
let x = Tensor.uniform([1, 3, side, side], using: &generator)
let weights = StyleWeights(content: 1, style: 1e4, totalVariation: 1)
let work = FileManager.default.temporaryDirectory.appendingPathComponent("muse-bench-style-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }
var file: [String: Tensor] = ["content": content, "style": style, "x": x]
for (i, w) in bank.weights.enumerated() { file["w\(i)"] = w }
let path = work.appendingPathComponent("style.safetensors")
try SafeTensors.write(file, to: path)

// The peer runs first: a child forked later would inherit this process's peak RSS in its own figure.
let peer = try runJSON(peerPython, [peerScript("bench_style_peer.py"), path.path, "\(side)"])
let theirs = number(peer, "step_seconds")
let objective = try StyleObjective(bank: bank, style: style, content: content, weights: weights, inputOffset: 0.5)
let values = x.scalars
var loss: Float = 0
let ours = try medianSeconds(5) {
    let (v, g) = try objective.valueAndGradient(values, shape: x.shape)
    loss = v.total
    precondition(g.count == values.count)
}
print("bench-style (release, \(Parallel.coreCount) cores; peer: PyTorch CPU, 2 threads), one loss+gradient evaluation, median of 5")
print("picture \(side)×\(side), filters \(scales.map { "\($0.kernelWidth)/\($0.stride)" }.joined(separator: " ")) (size/stride) × 128, content + style + TV")
print(String(format: "  iteration: ours %.0f ms, torch %.0f ms, speed ours/torch %.2f×", ours * 1e3, theirs * 1e3, theirs / ours))
print(String(format: "  loss: ours %.6g, torch %.6g; peak RSS ours %.0f MB, torch %.0f MB", loss, number(peer, "loss"),
             peakRSSMegabytes(), number(peer, "peak_rss_mb")))
