// bench-style: one iteration of picture style transfer (loss + gradient with respect to the
// pixels) at 384 × 384 beside PyTorch (CPU, 2 threads), in the same run: the multi-scale random
// network of 3, 5, 7, 11, 15 and 23-pixel filters (128 each, strides 1, 1, 2, 3, 4, 6), content
// + Gram style + total-variation terms. The filters and pictures go to a safetensors file the peer
// loads, so both compute the same loss (printed side by side).
// Usage: bench-style [size] [--parts]   (default 384; --parts also times each scale: its
// convolution, its Gram matrix, and both through the backward pass)
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
let rows = BenchRows("style")
defer { rows.write() }
var loss: Float = 0
let ours = try medianSeconds(5) {
    let (v, g) = try objective.valueAndGradient(values, shape: x.shape)
    loss = v.total
    precondition(g.count == values.count)
}
rows.time("style transfer iteration, \(side)×\(side)", peer: "torch", ours: ours, theirs: theirs)
print("bench-style (release, \(Parallel.coreCount) cores; peer: PyTorch CPU, 2 threads), one loss+gradient evaluation, median of 5")
print("picture \(side)×\(side), filters \(scales.map { "\($0.kernelWidth)/\($0.stride)" }.joined(separator: " ")) (size/stride) × 128, content + style + TV")
print(String(format: "  iteration: ours %.0f ms, torch %.0f ms, speed ours/torch %.2f×", ours * 1e3, theirs * 1e3, theirs / ours))
print(String(format: "  loss: ours %.6g, torch %.6g; peak RSS ours %.0f MB, torch %.0f MB", loss, number(peer, "loss"),
             peakRSSMegabytes(), number(peer, "peak_rss_mb")))

if CommandLine.arguments.contains("--parts") {
    let input = try Tensor(values, shape: x.shape) - 0.5
    for (s, w) in zip(scales, bank.weights) {
        let conv = try medianSeconds(3) { _ = try noGrad { try input.conv2d(weight: w, stride: Size2D(s.stride, s.stride)) } }
        let y = try noGrad { try input.conv2d(weight: w, stride: Size2D(s.stride, s.stride)).relu() }
        let f = try y.reshape([s.filters, y.count / s.filters])
        let gram = try medianSeconds(3) { _ = try noGrad { try f.gram() } }
        let whole = try medianSeconds(3) {
            let xi = try Tensor(values, shape: x.shape, requiresGrad: true)
            let yi = try (xi - 0.5).conv2d(weight: w, stride: Size2D(s.stride, s.stride)).relu()
            let g = try yi.reshape([s.filters, yi.count / s.filters]).gram()
            g.square().sum().backward()
        }
        let gramBackward = try medianSeconds(3) {
            let fi = try Tensor(f.scalars, shape: f.shape, requiresGrad: true)
            try fi.gram().square().sum().backward()
        }
        let convBackward = try medianSeconds(3) {
            let xi = try Tensor(values, shape: x.shape, requiresGrad: true)
            try xi.conv2d(weight: w, stride: Size2D(s.stride, s.stride)).sum().backward()
        }
        print(String(format: "  %2d/%d: positions %6d  conv %6.1f ms  gram %6.1f ms  fwd+bwd %6.1f ms  gram f+b %6.1f  conv f+b %6.1f  w.grad %d", s.kernelWidth, s.stride,
                     f.shape[1], conv * 1e3, gram * 1e3, whole * 1e3, gramBackward * 1e3, convBackward * 1e3, w.requiresGrad ? 1 : 0))
    }
}
