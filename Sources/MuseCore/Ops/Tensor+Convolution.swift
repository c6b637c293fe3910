import Foundation

// 2-D convolution and transposed convolution on NCHW tensors, as `torch.nn.functional.conv2d`
// and `conv_transpose2d` (groups = 1).
//
// Both are one GEMM over the whole batch plus an im2col / col2im rearrangement:
//   im2col:  image [N, C, H, W]  →  columns [C·kH·kW, N·OH·OW]   (row = (c, ki, kj), col = (n, oy, ox))
//   col2im:  the adjoint (scatter-add of the columns back into the image)
// conv2d:            Y[O, N·OH·OW] = W[O, C·kH·kW] · im2col(x)         dx = col2im(Wᵀ·dY)
// conv_transpose2d:  y = col2im(Wᵀ[Cout·kH·kW, Cin] · X[Cin, N·H·W])    dX = W · im2col(dy)
// so the transposed convolution is exactly the input-gradient of a convolution, and vice versa.
// Two other forms are picked per call (`ConvLayout`): with many channels on the image side the
// columns are built channels-last (Tensor+ConvolutionChannelsLast.swift: long runs instead of
// 7-float rows), and a stride-1 convolution on a small padded picture skips the columns altogether
// (Tensor+ConvolutionTaps.swift: one GEMM per kernel tap and output row, padding never multiplied).
// Threads: with several samples and enough work, the batch is split into one contiguous slice per
// core, and each core runs im2col, a single-threaded GEMM and col2im on its own slice with its
// own buffers (OpenBLAS's workers would otherwise spin-wait beside the im2col/col2im loops and
// take the second core from them); weight gradients are summed from per-core partials. A single
// sample (or little work) uses OpenBLAS's threads for the GEMM and splits im2col, col2im and the
// permutes over the cores with `Parallel.forEachChunk`. Within a slice the samples go in chunks
// whose column matrix fits the core's share of `convColumnBudget` floats (one reused buffer per
// core); backward recomputes the columns instead of keeping them, so memory stays flat in the
// batch size.

/// A height/width pair (kernel size, stride, padding, dilation, output padding); an integer
/// literal sets both, as PyTorch's `int` shorthand.
public struct Size2D: Equatable, Hashable, Codable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// Along the height axis (rows).
    public var height: Int
    /// Along the width axis (columns).
    public var width: Int

    /// A pair with separate height and width.
    public init(_ height: Int, _ width: Int) { self.height = height; self.width = width }
    /// Both `value`.
    public init(integerLiteral value: Int) { self.init(value, value) }
    /// `(height, width)`.
    public var description: String { "(\(height), \(width))" }
}

/// The geometry tying an image [n, channels, height, width] to its im2col columns
/// [channels·kH·kW, n·outHeight·outWidth] for one kernel / stride / padding / dilation.
@usableFromInline
struct ConvGeometry {
    var n: Int, channels: Int, height: Int, width: Int
    var kernel: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D
    var outHeight: Int, outWidth: Int

    /// Rows of the column matrix: channels·kH·kW.
    var rows: Int { channels * kernel.height * kernel.width }
    /// Columns of the column matrix: n·outHeight·outWidth.
    var columns: Int { n * outHeight * outWidth }

    /// Output extent of a convolution along one axis (PyTorch's formula).
    static func convOutput(_ size: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> Int {
        (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
    }

    /// The output columns `ox` in `0..<outWidth` for which `ox·stride − padding + kj·dilation`
    /// lies inside `0..<width` (a contiguous range).
    @inline(__always)
    static func validRange(offset: Int, stride: Int, size: Int, outSize: Int) -> Range<Int> {
        // need 0 <= o*stride + offset < size
        let lo = Swift.min(outSize, offset >= 0 ? 0 : (-offset + stride - 1) / stride)
        let hi = size - offset <= 0 ? 0 : Swift.min(outSize, (size - offset + stride - 1) / stride)
        return lo < hi ? lo..<hi : lo..<lo
    }

    /// Fills `col` ([rows, columns]) from `image` ([n, channels, height, width]); padding reads as 0.
    /// Split over the cores when `parallel`.
    func im2col(_ image: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, parallel: Bool = true) {
        let kk = kernel.height * kernel.width, p = columns, plane = height * width
        let per = n * outHeight * outWidth
        Tensor.forEachChunk(parallel, count: rows, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(per, 1))) { range in
            for r in range {
                let c = r / kk, ki = (r % kk) / kernel.width, kj = r % kernel.width
                let offX = kj * dilation.width - padding.width
                let offY = ki * dilation.height - padding.height
                let xr = Self.validRange(offset: offX, stride: stride.width, size: width, outSize: outWidth)
                let yr = Self.validRange(offset: offY, stride: stride.height, size: height, outSize: outHeight)
                let sx = stride.width
                for b in 0..<n {
                    let src = image + (b * channels + c) * plane
                    let dstImage = col + r * p + b * outHeight * outWidth
                    for oy in 0..<outHeight {
                        let dst = dstImage + oy * outWidth
                        guard yr.contains(oy) else { dst.initialize(repeating: 0, count: outWidth); continue }
                        let srow = src + (oy * stride.height + offY) * width + offX
                        for ox in 0..<xr.lowerBound { dst[ox] = 0 }
                        if sx == 1 {
                            (dst + xr.lowerBound).update(from: srow + xr.lowerBound, count: xr.count)
                        } else if sx == 2 {
                            // Every other sample: 16 loaded, the even 8 kept, while the 16 lie
                            // inside the image row (srow[k] is in the row for k < width − offX).
                            var ox = xr.lowerBound
                            while ox < xr.upperBound - 7 && 2 * ox + 16 <= width - offX {
                                let pair = UnsafeRawPointer(srow + 2 * ox).loadUnaligned(as: SIMD16<Float>.self)
                                UnsafeMutableRawPointer(dst + ox).storeBytes(of: pair.evenHalf, as: SIMD8<Float>.self)
                                ox += 8
                            }
                            while ox < xr.upperBound { dst[ox] = srow[2 * ox]; ox += 1 }
                        } else {
                            for ox in xr { dst[ox] = srow[ox * sx] }
                        }
                        for ox in xr.upperBound..<outWidth { dst[ox] = 0 }
                    }
                }
            }
        }
    }

    /// Writes into `image` ([n, channels, height, width]) the sum of every column entry over the
    /// pixel it was read from (the adjoint of `im2col`). Overwrites `image`. Split over the
    /// channels (across the cores when `parallel`); within a channel the columns are read in
    /// memory order (its kH·kW rows, each over the batch) while the writes stay in the channel's
    /// n planes, so the reads stream instead of jumping between the kH·kW rows of every plane.
    func col2im(_ col: UnsafePointer<Float>, _ image: UnsafeMutablePointer<Float>, parallel: Bool = true) {
        let kk = kernel.height * kernel.width, p = columns, plane = height * width, per = outHeight * outWidth
        let work = n * kk * per
        Tensor.forEachChunk(parallel, count: channels, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(work, 1))) { range in
            for c in range {
                for b in 0..<n { (image + (b * channels + c) * plane).initialize(repeating: 0, count: plane) }
                for ki in 0..<kernel.height {
                    let offY = ki * dilation.height - padding.height
                    let yr = Self.validRange(offset: offY, stride: stride.height, size: height, outSize: outHeight)
                    if yr.isEmpty { continue }
                    for kj in 0..<kernel.width {
                        let offX = kj * dilation.width - padding.width
                        let xr = Self.validRange(offset: offX, stride: stride.width, size: width, outSize: outWidth)
                        if xr.isEmpty { continue }
                        let r = (c * kernel.height + ki) * kernel.width + kj
                        let sx = stride.width
                        for b in 0..<n {
                            let srcImage = col + r * p + b * per
                            let dstPlane = image + (b * channels + c) * plane
                            for oy in yr {
                                let src = srcImage + oy * outWidth
                                let drow = dstPlane + (oy * stride.height + offY) * width + offX
                                if sx == 1 {
                                    for ox in xr { drow[ox] += src[ox] }
                                } else if sx == 2 {
                                    // 8 columns added to every other sample of 16 (the others get +0),
                                    // while the 16 lie inside the image row.
                                    var ox = xr.lowerBound
                                    while ox < xr.upperBound - 7 && 2 * ox + 16 <= width - offX {
                                        let v = UnsafeRawPointer(src + ox).loadUnaligned(as: SIMD8<Float>.self)
                                        let spread = SIMD16<Float>(v[0], 0, v[1], 0, v[2], 0, v[3], 0, v[4], 0, v[5], 0, v[6], 0, v[7], 0)
                                        let d = UnsafeMutableRawPointer(drow + 2 * ox)
                                        d.storeBytes(of: d.loadUnaligned(as: SIMD16<Float>.self) + spread, as: SIMD16<Float>.self)
                                        ox += 8
                                    }
                                    while ox < xr.upperBound { drow[2 * ox] += src[ox]; ox += 1 }
                                } else {
                                    for ox in xr { drow[ox * sx] += src[ox] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Tensor {
    /// `Parallel.forEachChunk` when `parallel`, else `body(0..<count)` on this thread.
    @inline(__always)
    static func forEachChunk(_ parallel: Bool, count: Int, minimumChunk: Int, _ body: (Range<Int>) -> Void) {
        if parallel {
            Parallel.forEachChunk(count: count, minimumChunk: minimumChunk, body)
        } else if count > 0 {
            body(0..<count)
        }
    }

    /// `dst[b, a, s] = src[a, b, s] (+ bias[b])` for `src` of shape [A, B, S] (parallel over rows
    /// when `parallel`).
    static func swapLeadingAxes(_ src: UnsafePointer<Float>, _ a: Int, _ b: Int, _ s: Int,
                                into dst: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil, biasOnA: Bool = false,
                                parallel: Bool = true) {
        forEachChunk(parallel, count: a * b, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(s, 1))) { range in
            for ab in range {
                let i = ab / b, j = ab % b
                let from = src + ab * s, to = dst + (j * a + i) * s
                if let bias {
                    let v = bias[biasOnA ? i : j]
                    for k in 0..<s { to[k] = from[k] + v }
                } else {
                    to.update(from: from, count: s)
                }
            }
        }
    }

    /// Per-channel sum of `g` [N, C, S] → [C] (the bias gradient of a convolution): channels
    /// split over the cores, each plane summed in 8 float lanes, planes accumulated in double.
    static func channelSums(_ g: Tensor) -> Tensor {
        let n = g.shape[0], c = g.shape[1], s = g.count / Swift.max(n * c, 1)
        let out = Tensor.zeros([c])
        let src = g.storage.pointer, dst = out.storage.pointer
        Parallel.forEachChunk(count: c, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(n * s, 1))) { range in
            for ch in range {
                var acc: Double = 0
                for b in 0..<n {
                    let p = src + (b * c + ch) * s
                    var lanes = SIMD8<Float>()
                    var k = 0
                    while k + 8 <= s {
                        lanes += UnsafeRawPointer(p + k).loadUnaligned(as: SIMD8<Float>.self)
                        k += 8
                    }
                    var part = lanes.sum()
                    while k < s { part += p[k]; k += 1 }
                    acc += Double(part)
                }
                dst[ch] = Float(acc)
            }
        }
        return out
    }

    /// Column buffers hold at most this many floats (16 MiB) in all: the batch is processed in
    /// chunks of samples so that peak memory stays flat in the batch size, and the buffers are reused.
    static let convColumnBudget = 1 << 22

    /// Multiply-adds (per call) below which a convolution keeps the whole batch on one slice.
    static let convSliceMinimumWork = 1 << 20

    /// How many batch slices (cores) a convolution of `n` samples, `work` multiply-adds each, uses:
    /// one per thread of the pool when there are several samples and enough work (data-parallel
    /// training lowers the pool's thread count to share the cores between processes), else 1.
    static func convSlices(samples n: Int, work: Int) -> Int {
        let cores = Parallel.coreCount
        guard cores > 1, n > 1, work.multipliedReportingOverflow(by: n).partialValue >= convSliceMinimumWork else { return 1 }
        return Swift.min(cores, n)
    }

    /// Samples per chunk when `slices` slices of `n` samples share a budget of `budget` floats
    /// for buffers of `floatsPerSample` floats per sample (at least 1).
    static func convChunk(samples n: Int, slices: Int, budget: Int, floatsPerSample: Int) -> Int {
        let perSlice = (n + slices - 1) / slices
        return Swift.max(1, Swift.min(perSlice, budget / slices / Swift.max(floatsPerSample, 1)))
    }

    /// Runs `body(slice, samples)` on `slices` contiguous slices of `0..<n` at once, over the
    /// pool (inline with one slice; its products then split themselves over the threads). Shared
    /// by the convolutions and the LSTM kernel's recurrence.
    static func forEachBatchSlice(_ n: Int, _ slices: Int, _ body: (Int, Range<Int>) -> Void) {
        if slices <= 1 { body(0, 0..<n); return }
        Parallel.forEach(slices) { i in
            let lo = i * n / slices, hi = (i + 1) * n / slices
            if lo < hi { body(i, lo..<hi) }
        }
    }

    /// Calls `body(firstSample, sampleCount)` for consecutive chunks of `chunk` samples of `samples`.
    @inline(__always)
    static func forEachSampleChunk(_ samples: Range<Int>, _ chunk: Int, _ body: (Int, Int) -> Void) {
        var b0 = samples.lowerBound
        while b0 < samples.upperBound {
            body(b0, Swift.min(chunk, samples.upperBound - b0))
            b0 += chunk
        }
    }

    /// The sum of `slices` consecutive partial weight gradients of `count` floats in `parts`.
    static func sumPartials(_ parts: Tensor, slices: Int, count: Int) -> Tensor {
        if slices == 1 { return parts }
        let sum = Tensor(uninitializedShape: [count])
        sumPartials(parts, slices: slices, count: count, into: sum)
        return sum
    }

    /// Sums `slices` consecutive partial weight gradients of `count` floats in `parts` into `into`.
    static func sumPartials(_ parts: Tensor, slices: Int, count: Int, into: Tensor) {
        let src = parts.storage.pointer, dst = into.storage.pointer
        for i in 0..<count {
            var v = src[i]
            for k in 1..<Swift.max(slices, 1) { v += src[k * count + i] }
            dst[i] = v
        }
    }

    /// `out[n, c, …] += bias[c]` for `out` of shape [N, C, H, W] (rows split over the cores).
    static func addChannelBias(_ bias: Tensor, to out: Tensor) {
        let channels = out.shape[1], plane = out.count / Swift.max(out.shape[0] * channels, 1)
        let po = out.storage.pointer, pb = bias.storage.pointer
        Parallel.forEachChunk(count: out.shape[0] * channels, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(plane, 1))) { r in
            for row in r {
                let v = pb[row % channels], p = po + row * plane
                for i in 0..<plane { p[i] += v }
            }
        }
    }

    /// Bias gradient (per-channel sums of `gradOutput`) appended when there is a bias.
    static func withBiasGradient(_ grads: [Tensor?], bias: Tensor?, gradOutput: Tensor) -> [Tensor?] {
        guard let bias else { return grads }
        return grads + [bias.requiresGrad ? channelSums(gradOutput) : nil]
    }

    static func checkPairs(_ op: String, _ pairs: [(String, Size2D, Int)]) throws {
        for (name, p, minimum) in pairs where p.height < minimum || p.width < minimum {
            throw TensorError.invalidArgument(op: op, reason: "\(name) \(p) must be at least \(minimum)")
        }
    }

    /// 2-D cross-correlation as `torch.nn.functional.conv2d` (groups = 1).
    /// - Parameters:
    ///   - weight: [outChannels, inChannels, kH, kW]
    ///   - bias: [outChannels] or `nil`
    ///   - stride, padding (zeros on both sides), dilation: per axis, in pixels.
    /// - Returns: [N, outChannels, OH, OW] with `OH = (H + 2·padH − dilH·(kH−1) − 1) / strideH + 1`.
    /// - Throws: `TensorError.shapeMismatch` if `self` is not [N, inChannels, H, W] or the bias
    ///   does not have `outChannels` elements, `invalidShape` if the output would be empty,
    ///   `invalidArgument` for a stride/dilation below 1 or negative padding.
    public func conv2d(weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Size2D = 0,
                       dilation: Size2D = 1) throws -> Tensor {
        try conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, columnBudget: Tensor.convColumnBudget)
    }

    /// `conv2d` with column buffers of at most `columnBudget` floats in all, `slices` batch
    /// slices (`nil`: `convSlices`) and the columns' `layout` (`nil`: `ConvLayout.choose`); tests
    /// use a tiny budget, forced slices and both layouts to exercise every path.
    func conv2d(weight: Tensor, bias: Tensor?, stride: Size2D, padding: Size2D, dilation: Size2D, columnBudget: Int,
                slices forcedSlices: Int? = nil, layout forcedLayout: ConvLayout? = nil) throws -> Tensor {
        let op = "conv2d"
        try Tensor.checkPairs(op, [("stride", stride, 1), ("dilation", dilation, 1), ("padding", padding, 0)])
        guard rank == 4, weight.rank == 4, shape[1] == weight.shape[1] else {
            throw TensorError.shapeMismatch(op: op, lhs: shape, rhs: weight.shape)
        }
        let outC = weight.shape[0]
        if let bias, bias.shape != [outC] { throw TensorError.shapeMismatch(op: op + " (bias)", lhs: weight.shape, rhs: bias.shape) }
        let kernel = Size2D(weight.shape[2], weight.shape[3])
        let oh = ConvGeometry.convOutput(shape[2], kernel: kernel.height, stride: stride.height, padding: padding.height, dilation: dilation.height)
        let ow = ConvGeometry.convOutput(shape[3], kernel: kernel.width, stride: stride.width, padding: padding.width, dilation: dilation.width)
        guard oh > 0, ow > 0, kernel.height > 0, kernel.width > 0 else {
            throw TensorError.invalidShape(op: op, shape: shape, reason: "kernel \(kernel) with padding \(padding) and dilation \(dilation) leaves no output")
        }
        let n = shape[0], s = oh * ow, inPer = count / Swift.max(n, 1), outPer = outC * s
        if stride == 1, dilation == 1 {
            let taps = TapGeometry(n: n, inChannels: shape[1], outChannels: outC, height: shape[2], width: shape[3], outHeight: oh,
                                   outWidth: ow, kernel: kernel, padding: padding)
            if forcedLayout == .taps || (forcedLayout == nil && taps.isWorthwhile) {
                return Tensor.tapConvolution(op, x: self, weight: weight, bias: bias, kind: .convolution, geometry: taps)
            }
        }
        let geo = ConvGeometry(n: n, channels: shape[1], height: shape[2], width: shape[3], kernel: kernel, stride: stride,
                               padding: padding, dilation: dilation, outHeight: oh, outWidth: ow)
        let rows = geo.rows
        let slices = Swift.max(1, Swift.min(n, forcedSlices ?? Tensor.convSlices(samples: n, work: outC * rows * s)))
        let inner = slices == 1  // one slice: OpenBLAS's threads, and the loops split over the cores
        let chunk = Tensor.convChunk(samples: n, slices: slices, budget: columnBudget, floatsPerSample: rows * s)
        let colSize = rows * chunk * s, ySize = outC * chunk * s
        let x = self, c = shape[1], plane = shape[2] * shape[3], kk = kernel.height * kernel.width
        let layout = forcedLayout ?? ConvLayout.choose(channels: c)
        // Channels last: the weight as [O, kH·kW·C], and each chunk's pictures as [nb, H, W, C].
        let wLast = layout == .channelsLast ? Tensor.kernelsLast(weight, count: outC, channels: c, kernel: kk) : nil
        let imgSize = layout == .channelsLast ? chunk * inPer : 0
        let out = Tensor(uninitializedShape: [n, outC, oh, ow])
        let cols = Tensor(uninitializedShape: [slices * colSize]), y = Tensor(uninitializedShape: [slices * ySize])
        let img = Tensor(uninitializedShape: [slices * imgSize])
        let biasPointer = bias.map { UnsafePointer($0.storage.pointer) }
        Tensor.forEachBatchSlice(n, slices) { slice, samples in
            var geo = geo
            let colP = cols.storage.pointer + slice * colSize, yP = y.storage.pointer + slice * ySize
            let imgP = img.storage.pointer + slice * imgSize
            Tensor.forEachSampleChunk(samples, chunk) { b0, nb in
                geo.n = nb
                if let wLast {
                    // Y [nb·S, O] = cols [nb·S, kH·kW·C] · Wᵀ, then each sample's [S, O] to [O, S] (+ bias).
                    Tensor.transposeMatrices(x.storage.pointer + b0 * inPer, count: nb, rows: c, columns: plane, into: imgP, parallel: inner)
                    geo.im2colChannelsLast(imgP, colP, parallel: inner)
                    Tensor.gemm(transposeA: false, transposeB: true, m: nb * s, n: outC, k: rows, a: colP, lda: rows,
                                b: wLast.storage.pointer, ldb: rows, c: yP, ldc: outC)
                    Tensor.transposeMatrices(yP, count: nb, rows: s, columns: outC, into: out.storage.pointer + b0 * outPer,
                                             biasPerColumn: biasPointer, parallel: inner)
                } else {
                    // Y [O, nb·S] = W [O, C·kH·kW] · cols [C·kH·kW, nb·S], then to [nb, O, S] (+ bias).
                    geo.im2col(x.storage.pointer + b0 * inPer, colP, parallel: inner)
                    Tensor.gemm(transposeA: false, transposeB: false, m: outC, n: nb * s, k: rows, a: weight.storage.pointer, lda: rows,
                                b: colP, ldb: nb * s, c: yP, ldc: nb * s)
                    Tensor.swapLeadingAxes(yP, outC, nb, s, into: out.storage.pointer + b0 * outPer, bias: biasPointer, biasOnA: true,
                                           parallel: inner)
                }
            }
        }
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        return Tensor.record(out, op, inputs) { g, _ in
            let dx = x.requiresGrad ? Tensor(uninitializedShape: x.shape) : nil
            let dw = weight.requiresGrad ? Tensor.zeros(weight.shape) : nil
            let wc = weight.count
            let dwParts = dw.map { slices == 1 && wLast == nil ? $0 : Tensor.zeros([slices * wc]) }
            let gy = Tensor(uninitializedShape: [slices * ySize]), cols = Tensor(uninitializedShape: [slices * colSize])
            let img = Tensor(uninitializedShape: [slices * imgSize])
            Tensor.forEachBatchSlice(n, slices) { slice, samples in
                var geo = geo
                let colP = cols.storage.pointer + slice * colSize, gyP = gy.storage.pointer + slice * ySize
                let imgP = img.storage.pointer + slice * imgSize
                Tensor.forEachSampleChunk(samples, chunk) { b0, nb in
                    geo.n = nb
                    if let wLast {
                        // dY [nb·S, O]; dW [O, kH·kW·C] += dYᵀ · cols; dcols = dY · W, scattered to [nb, H, W, C].
                        Tensor.transposeMatrices(g.storage.pointer + b0 * outPer, count: nb, rows: outC, columns: s, into: gyP, parallel: inner)
                        if let dwParts {
                            Tensor.transposeMatrices(x.storage.pointer + b0 * inPer, count: nb, rows: c, columns: plane, into: imgP,
                                                     parallel: inner)
                            geo.im2colChannelsLast(imgP, colP, parallel: inner)
                            Tensor.gemm(transposeA: true, transposeB: false, m: outC, n: rows, k: nb * s, a: gyP, lda: outC,
                                        b: colP, ldb: rows, beta: 1, c: dwParts.storage.pointer + slice * wc, ldc: rows)
                        }
                        if let dx {
                            Tensor.gemm(transposeA: false, transposeB: false, m: nb * s, n: rows, k: outC, a: gyP, lda: outC,
                                        b: wLast.storage.pointer, ldb: rows, c: colP, ldc: rows)
                            geo.col2imChannelsLast(colP, imgP, parallel: inner)
                            Tensor.transposeMatrices(imgP, count: nb, rows: plane, columns: c, into: dx.storage.pointer + b0 * inPer,
                                                     parallel: inner)
                        }
                        return
                    }
                    Tensor.swapLeadingAxes(g.storage.pointer + b0 * outPer, nb, outC, s, into: gyP, parallel: inner)  // dY [O, nb·S]
                    if let dwParts {
                        // dW += dY · colsᵀ (columns recomputed rather than kept from the forward pass)
                        geo.im2col(x.storage.pointer + b0 * inPer, colP, parallel: inner)
                        Tensor.gemm(transposeA: false, transposeB: true, m: outC, n: rows, k: nb * s, a: gyP, lda: nb * s,
                                    b: colP, ldb: nb * s, beta: 1, c: dwParts.storage.pointer + slice * wc, ldc: rows)
                    }
                    if let dx {
                        // dcols = Wᵀ · dY, scattered back: dx = col2im(dcols)
                        Tensor.gemm(transposeA: true, transposeB: false, m: rows, n: nb * s, k: outC, a: weight.storage.pointer, lda: rows,
                                    b: gyP, ldb: nb * s, c: colP, ldc: nb * s)
                        geo.col2im(colP, dx.storage.pointer + b0 * inPer, parallel: inner)
                    }
                }
            }
            if let dw, let dwParts {
                if wLast != nil {
                    Tensor.kernelsFirst(Tensor.sumPartials(dwParts, slices: slices, count: wc), into: dw, count: outC, channels: c, kernel: kk)
                } else if slices > 1 {
                    Tensor.sumPartials(dwParts, slices: slices, count: wc, into: dw)
                }
            }
            return Tensor.withBiasGradient([dx, dw], bias: bias, gradOutput: g)
        }
    }

    /// 2-D transposed convolution as `torch.nn.functional.conv_transpose2d` (groups = 1): the
    /// input-gradient of `conv2d` with the same weight, stride, padding and dilation.
    /// - Parameters:
    ///   - weight: [inChannels, outChannels, kH, kW] (PyTorch's layout for transposed convs)
    ///   - bias: [outChannels] or `nil`
    ///   - outputPadding: extra rows/columns added on the bottom/right; must be below the stride
    ///     or the dilation (as PyTorch).
    /// - Returns: [N, outChannels, OH, OW] with
    ///   `OH = (H − 1)·strideH − 2·padH + dilH·(kH − 1) + outputPadH + 1`.
    /// - Throws: `TensorError.shapeMismatch` if `self` is not [N, inChannels, H, W] or the bias
    ///   does not fit, `invalidShape` for an empty output, `invalidArgument` for bad pairs.
    public func convTranspose2d(weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Size2D = 0,
                                outputPadding: Size2D = 0, dilation: Size2D = 1) throws -> Tensor {
        try convTranspose2d(weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                            dilation: dilation, columnBudget: Tensor.convColumnBudget)
    }

    /// `convTranspose2d` with column buffers of at most `columnBudget` floats in all, `slices`
    /// batch slices (`nil`: `convSlices`) and the columns' `layout` (`nil`: `ConvLayout.choose`).
    func convTranspose2d(weight: Tensor, bias: Tensor?, stride: Size2D, padding: Size2D, outputPadding: Size2D,
                         dilation: Size2D, columnBudget: Int, slices forcedSlices: Int? = nil,
                         layout forcedLayout: ConvLayout? = nil) throws -> Tensor {
        let op = "conv_transpose2d"
        try Tensor.checkPairs(op, [("stride", stride, 1), ("dilation", dilation, 1), ("padding", padding, 0),
                                   ("output padding", outputPadding, 0)])
        guard outputPadding.height < Swift.max(stride.height, dilation.height),
              outputPadding.width < Swift.max(stride.width, dilation.width) else {
            throw TensorError.invalidArgument(op: op, reason: "output padding \(outputPadding) must be smaller than stride \(stride) or dilation \(dilation)")
        }
        guard rank == 4, weight.rank == 4, shape[1] == weight.shape[0] else {
            throw TensorError.shapeMismatch(op: op, lhs: shape, rhs: weight.shape)
        }
        let inC = shape[1], outC = weight.shape[1], n = shape[0], h = shape[2], w = shape[3]
        if let bias, bias.shape != [outC] { throw TensorError.shapeMismatch(op: op + " (bias)", lhs: weight.shape, rhs: bias.shape) }
        let kernel = Size2D(weight.shape[2], weight.shape[3])
        let oh = (h - 1) * stride.height - 2 * padding.height + dilation.height * (kernel.height - 1) + outputPadding.height + 1
        let ow = (w - 1) * stride.width - 2 * padding.width + dilation.width * (kernel.width - 1) + outputPadding.width + 1
        guard oh > 0, ow > 0, kernel.height > 0, kernel.width > 0 else {
            throw TensorError.invalidShape(op: op, shape: shape, reason: "kernel \(kernel) with padding \(padding) gives output \(oh)×\(ow)")
        }
        if stride == 1, dilation == 1 {
            // Stride 1: the correlation with the kernel flipped and padding k − 1 − pad.
            let taps = TapGeometry(n: n, inChannels: inC, outChannels: outC, height: h, width: w, outHeight: oh, outWidth: ow, kernel: kernel,
                                   padding: Size2D(kernel.height - 1 - padding.height, kernel.width - 1 - padding.width))
            if forcedLayout == .taps || (forcedLayout == nil && taps.isWorthwhile) {
                return Tensor.tapConvolution(op, x: self, weight: weight, bias: bias, kind: .transposedConvolution, geometry: taps)
            }
        }
        // The output image is the "input" of the adjoint convolution, whose columns are the H×W grid.
        let geo = ConvGeometry(n: n, channels: outC, height: oh, width: ow, kernel: kernel, stride: stride,
                               padding: padding, dilation: dilation, outHeight: h, outWidth: w)
        let x = self, s = h * w, rows = geo.rows, inPer = inC * s, outPer = outC * oh * ow
        let slices = Swift.max(1, Swift.min(n, forcedSlices ?? Tensor.convSlices(samples: n, work: inC * rows * s)))
        let inner = slices == 1
        let chunk = Tensor.convChunk(samples: n, slices: slices, budget: columnBudget, floatsPerSample: rows * s)
        let colSize = rows * chunk * s, xtSize = inC * chunk * s, kk = kernel.height * kernel.width, outPlane = oh * ow
        let layout = forcedLayout ?? ConvLayout.choose(channels: outC)
        // Channels last: the weight as [Cin, kH·kW·Cout], and each chunk's outputs as [nb, OH, OW, Cout].
        let wLast = layout == .channelsLast ? Tensor.kernelsLast(weight, count: inC, channels: outC, kernel: kk) : nil
        let imgSize = layout == .channelsLast ? chunk * outPer : 0
        let out = Tensor(uninitializedShape: [n, outC, oh, ow])
        let xt = Tensor(uninitializedShape: [slices * xtSize]), cols = Tensor(uninitializedShape: [slices * colSize])
        let img = Tensor(uninitializedShape: [slices * imgSize])
        Tensor.forEachBatchSlice(n, slices) { slice, samples in
            var geo = geo
            let colP = cols.storage.pointer + slice * colSize, xtP = xt.storage.pointer + slice * xtSize
            let imgP = img.storage.pointer + slice * imgSize
            Tensor.forEachSampleChunk(samples, chunk) { b0, nb in
                geo.n = nb
                if let wLast {
                    // cols [nb·S, kH·kW·Cout] = X [nb·S, Cin] · W, scattered into [nb, OH, OW, Cout], then to NCHW.
                    Tensor.transposeMatrices(x.storage.pointer + b0 * inPer, count: nb, rows: inC, columns: s, into: xtP, parallel: inner)
                    Tensor.gemm(transposeA: false, transposeB: false, m: nb * s, n: rows, k: inC, a: xtP, lda: inC,
                                b: wLast.storage.pointer, ldb: rows, c: colP, ldc: rows)
                    geo.col2imChannelsLast(colP, imgP, parallel: inner)
                    Tensor.transposeMatrices(imgP, count: nb, rows: outPlane, columns: outC, into: out.storage.pointer + b0 * outPer,
                                             parallel: inner)
                } else {
                    // cols [Cout·kH·kW, nb·S] = Wᵀ · X [Cin, nb·S], scattered into the output image.
                    Tensor.swapLeadingAxes(x.storage.pointer + b0 * inPer, nb, inC, s, into: xtP, parallel: inner)
                    Tensor.gemm(transposeA: true, transposeB: false, m: rows, n: nb * s, k: inC, a: weight.storage.pointer, lda: rows,
                                b: xtP, ldb: nb * s, c: colP, ldc: nb * s)
                    geo.col2im(colP, out.storage.pointer + b0 * outPer, parallel: inner)
                }
            }
        }
        if let bias { Tensor.addChannelBias(bias, to: out) }
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        return Tensor.record(out, op, inputs) { g, _ in
            let dx = x.requiresGrad ? Tensor(uninitializedShape: x.shape) : nil
            let dw = weight.requiresGrad ? Tensor.zeros(weight.shape) : nil
            let wc = weight.count
            let dwParts = dw.map { slices == 1 && wLast == nil ? $0 : Tensor.zeros([slices * wc]) }
            let gcols = Tensor(uninitializedShape: [slices * colSize]), xt = Tensor(uninitializedShape: [slices * xtSize])
            let img = Tensor(uninitializedShape: [slices * imgSize])
            Tensor.forEachBatchSlice(n, slices) { slice, samples in
                var geo = geo
                let colP = gcols.storage.pointer + slice * colSize, xtP = xt.storage.pointer + slice * xtSize
                let imgP = img.storage.pointer + slice * imgSize
                Tensor.forEachSampleChunk(samples, chunk) { b0, nb in
                    geo.n = nb
                    if let wLast {
                        // cols = im2col(dy as [nb, OH, OW, Cout]); dX [nb·S, Cin] = cols · Wᵀ; dW [Cin, kH·kW·Cout] += Xᵀ · cols.
                        Tensor.transposeMatrices(g.storage.pointer + b0 * outPer, count: nb, rows: outC, columns: outPlane, into: imgP,
                                                 parallel: inner)
                        geo.im2colChannelsLast(imgP, colP, parallel: inner)
                        if let dx {
                            Tensor.gemm(transposeA: false, transposeB: true, m: nb * s, n: inC, k: rows, a: colP, lda: rows,
                                        b: wLast.storage.pointer, ldb: rows, c: xtP, ldc: inC)
                            Tensor.transposeMatrices(xtP, count: nb, rows: s, columns: inC, into: dx.storage.pointer + b0 * inPer,
                                                     parallel: inner)
                        }
                        if let dwParts {
                            Tensor.transposeMatrices(x.storage.pointer + b0 * inPer, count: nb, rows: inC, columns: s, into: xtP,
                                                     parallel: inner)
                            Tensor.gemm(transposeA: true, transposeB: false, m: inC, n: rows, k: nb * s, a: xtP, lda: inC,
                                        b: colP, ldb: rows, beta: 1, c: dwParts.storage.pointer + slice * wc, ldc: rows)
                        }
                        return
                    }
                    geo.im2col(g.storage.pointer + b0 * outPer, colP, parallel: inner)
                    if let dx {
                        // dX [Cin, nb·S] = W · im2col(dy), back to [nb, Cin, S]
                        Tensor.gemm(transposeA: false, transposeB: false, m: inC, n: nb * s, k: rows, a: weight.storage.pointer, lda: rows,
                                    b: colP, ldb: nb * s, c: xtP, ldc: nb * s)
                        Tensor.swapLeadingAxes(xtP, inC, nb, s, into: dx.storage.pointer + b0 * inPer, parallel: inner)
                    }
                    if let dwParts {
                        // dW += X · im2col(dy)ᵀ
                        Tensor.swapLeadingAxes(x.storage.pointer + b0 * inPer, nb, inC, s, into: xtP, parallel: inner)
                        Tensor.gemm(transposeA: false, transposeB: true, m: inC, n: rows, k: nb * s, a: xtP, lda: nb * s,
                                    b: colP, ldb: nb * s, beta: 1, c: dwParts.storage.pointer + slice * wc, ldc: rows)
                    }
                }
            }
            if let dw, let dwParts {
                if wLast != nil {
                    Tensor.kernelsFirst(Tensor.sumPartials(dwParts, slices: slices, count: wc), into: dw, count: inC, channels: outC, kernel: kk)
                } else if slices > 1 {
                    Tensor.sumPartials(dwParts, slices: slices, count: wc, into: dw)
                }
            }
            return Tensor.withBiasGradient([dx, dw], bias: bias, gradOutput: g)
        }
    }
}
