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
// The GEMM runs on OpenBLAS threads; im2col, col2im and the batch/channel permutes split over the
// cores with `Parallel.forEachChunk`.

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
    func validRange(offset: Int, stride: Int, size: Int, outSize: Int) -> Range<Int> {
        // need 0 <= o*stride + offset < size
        let lo = Swift.min(outSize, offset >= 0 ? 0 : (-offset + stride - 1) / stride)
        let hi = size - offset <= 0 ? 0 : Swift.min(outSize, (size - offset + stride - 1) / stride)
        return lo < hi ? lo..<hi : lo..<lo
    }

    /// Fills `col` ([rows, columns]) from `image` ([n, channels, height, width]); padding reads as 0.
    func im2col(_ image: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
        let kk = kernel.height * kernel.width, p = columns, plane = height * width
        let per = n * outHeight * outWidth
        Parallel.forEachChunk(count: rows, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(per, 1))) { range in
            for r in range {
                let c = r / kk, ki = (r % kk) / kernel.width, kj = r % kernel.width
                let offX = kj * dilation.width - padding.width
                let offY = ki * dilation.height - padding.height
                let xr = validRange(offset: offX, stride: stride.width, size: width, outSize: outWidth)
                let yr = validRange(offset: offY, stride: stride.height, size: height, outSize: outHeight)
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
    /// pixel it was read from (the adjoint of `im2col`). Overwrites `image`.
    func col2im(_ col: UnsafePointer<Float>, _ image: UnsafeMutablePointer<Float>) {
        let kk = kernel.height * kernel.width, p = columns, plane = height * width
        let work = kk * outHeight * outWidth
        Parallel.forEachChunk(count: n * channels, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(work, 1))) { range in
            for bc in range {
                let b = bc / channels, c = bc % channels
                let dstPlane = image + bc * plane
                dstPlane.initialize(repeating: 0, count: plane)
                for ki in 0..<kernel.height {
                    let offY = ki * dilation.height - padding.height
                    let yr = validRange(offset: offY, stride: stride.height, size: height, outSize: outHeight)
                    for kj in 0..<kernel.width {
                        let offX = kj * dilation.width - padding.width
                        let xr = validRange(offset: offX, stride: stride.width, size: width, outSize: outWidth)
                        if xr.isEmpty { continue }
                        let r = (c * kernel.height + ki) * kernel.width + kj
                        let srcImage = col + r * p + b * outHeight * outWidth
                        let sx = stride.width
                        for oy in yr {
                            let src = srcImage + oy * outWidth
                            let drow = dstPlane + (oy * stride.height + offY) * width + offX
                            if sx == 1 {
                                for ox in xr { drow[ox] += src[ox] }
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

extension Tensor {
    /// `dst[b, a, s] = src[a, b, s] (+ bias[b])` for `src` of shape [A, B, S] (parallel over rows).
    static func swapLeadingAxes(_ src: UnsafePointer<Float>, _ a: Int, _ b: Int, _ s: Int,
                                into dst: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil, biasOnA: Bool = false) {
        Parallel.forEachChunk(count: a * b, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(s, 1))) { range in
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

    /// Per-channel sum of `g` [N, C, S] → [C] (the bias gradient of a convolution).
    static func channelSums(_ g: Tensor) -> Tensor {
        let n = g.shape[0], c = g.shape[1], s = g.count / Swift.max(n * c, 1)
        let out = Tensor.zeros([c])
        let src = g.storage.pointer, dst = out.storage.pointer
        for ch in 0..<c {
            var acc: Double = 0
            for b in 0..<n {
                let p = src + (b * c + ch) * s
                var part: Float = 0
                for k in 0..<s { part += p[k] }
                acc += Double(part)
            }
            dst[ch] = Float(acc)
        }
        return out
    }

    /// Weight gradient `left · rightᵀ` (`left` [M, P], `right` [K, P], weight holding M·K elements)
    /// and bias gradient (per-channel sums of `gradOutput`), `nil` where no gradient is needed.
    static func convParameterGradients(weight: Tensor, bias: Tensor?, gradOutput: Tensor, left: Tensor, right: Tensor) -> [Tensor?] {
        var dw: Tensor? = nil
        if weight.requiresGrad {
            let m = left.shape[0], k = right.shape[0], p = left.shape[1]
            let d = Tensor(uninitializedShape: weight.shape)
            gemm(transposeA: false, transposeB: true, m: m, n: k, k: p, a: left.storage.pointer, lda: p,
                 b: right.storage.pointer, ldb: p, c: d.storage.pointer, ldc: k)
            dw = d
        }
        guard let bias else { return [dw] }
        return [dw, bias.requiresGrad ? channelSums(gradOutput) : nil]
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
        let op = "conv2d"
        try Tensor.checkPairs(op, [("stride", stride, 1), ("dilation", dilation, 1), ("padding", padding, 0)])
        guard rank == 4, weight.rank == 4, shape[1] == weight.shape[1] else {
            throw TensorError.shapeMismatch(op: op, lhs: shape, rhs: weight.shape)
        }
        let outC = weight.shape[0]
        if let bias, bias.shape != [outC] { throw TensorError.shapeMismatch(op: op + " (bias)", lhs: weight.shape, rhs: bias.shape) }
        let k = Size2D(weight.shape[2], weight.shape[3])
        let oh = ConvGeometry.convOutput(shape[2], kernel: k.height, stride: stride.height, padding: padding.height, dilation: dilation.height)
        let ow = ConvGeometry.convOutput(shape[3], kernel: k.width, stride: stride.width, padding: padding.width, dilation: dilation.width)
        guard oh > 0, ow > 0, k.height > 0, k.width > 0 else {
            throw TensorError.invalidShape(op: op, shape: shape, reason: "kernel \(k) with padding \(padding) and dilation \(dilation) leaves no output")
        }
        let geo = ConvGeometry(n: shape[0], channels: shape[1], height: shape[2], width: shape[3], kernel: k, stride: stride,
                               padding: padding, dilation: dilation, outHeight: oh, outWidth: ow)
        let x = self, n = shape[0], s = oh * ow
        let cols = Tensor(uninitializedShape: [geo.rows, geo.columns])
        geo.im2col(x.storage.pointer, cols.storage.pointer)
        let y = Tensor(uninitializedShape: [outC, geo.columns])  // [O, N·S]
        Tensor.gemm(transposeA: false, transposeB: false, m: outC, n: geo.columns, k: geo.rows,
                    a: weight.storage.pointer, lda: geo.rows, b: cols.storage.pointer, ldb: geo.columns,
                    c: y.storage.pointer, ldc: geo.columns)
        let out = Tensor(uninitializedShape: [n, outC, oh, ow])
        Tensor.swapLeadingAxes(y.storage.pointer, outC, n, s, into: out.storage.pointer,
                               bias: bias.map { UnsafePointer($0.storage.pointer) }, biasOnA: true)
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        return Tensor.record(out, op, inputs) { g, _ in
            // dY in [O, N·S] layout.
            let gy = Tensor(uninitializedShape: [outC, geo.columns])
            Tensor.swapLeadingAxes(g.storage.pointer, n, outC, s, into: gy.storage.pointer)
            var dx: Tensor? = nil
            if x.requiresGrad {
                let dcols = Tensor(uninitializedShape: [geo.rows, geo.columns])
                Tensor.gemm(transposeA: true, transposeB: false, m: geo.rows, n: geo.columns, k: outC,
                            a: weight.storage.pointer, lda: geo.rows, b: gy.storage.pointer, ldb: geo.columns,
                            c: dcols.storage.pointer, ldc: geo.columns)
                let d = Tensor(uninitializedShape: x.shape)
                geo.col2im(dcols.storage.pointer, d.storage.pointer)
                dx = d
            }
            // dW [O, C·kH·kW] = dY · colsᵀ
            return [dx] + Tensor.convParameterGradients(weight: weight, bias: bias, gradOutput: g, left: gy, right: cols)
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
        let k = Size2D(weight.shape[2], weight.shape[3])
        let oh = (h - 1) * stride.height - 2 * padding.height + dilation.height * (k.height - 1) + outputPadding.height + 1
        let ow = (w - 1) * stride.width - 2 * padding.width + dilation.width * (k.width - 1) + outputPadding.width + 1
        guard oh > 0, ow > 0, k.height > 0, k.width > 0 else {
            throw TensorError.invalidShape(op: op, shape: shape, reason: "kernel \(k) with padding \(padding) gives output \(oh)×\(ow)")
        }
        // The output image is the "input" of the adjoint convolution, whose columns are the H×W grid.
        let geo = ConvGeometry(n: n, channels: outC, height: oh, width: ow, kernel: k, stride: stride,
                               padding: padding, dilation: dilation, outHeight: h, outWidth: w)
        let x = self, s = h * w
        let xt = Tensor(uninitializedShape: [inC, n * s])  // X in [Cin, N·H·W]
        Tensor.swapLeadingAxes(x.storage.pointer, n, inC, s, into: xt.storage.pointer)
        let cols = Tensor(uninitializedShape: [geo.rows, geo.columns])
        Tensor.gemm(transposeA: true, transposeB: false, m: geo.rows, n: geo.columns, k: inC,
                    a: weight.storage.pointer, lda: geo.rows, b: xt.storage.pointer, ldb: geo.columns,
                    c: cols.storage.pointer, ldc: geo.columns)
        let out = Tensor(uninitializedShape: [n, outC, oh, ow])
        geo.col2im(cols.storage.pointer, out.storage.pointer)
        if let bias {
            let po = out.storage.pointer, pb = bias.storage.pointer, plane = oh * ow
            Parallel.forEachChunk(count: n * outC, minimumChunk: Swift.max(1, Parallel.minimumElements / plane)) { r in
                for bc in r {
                    let v = pb[bc % outC], p = po + bc * plane
                    for i in 0..<plane { p[i] += v }
                }
            }
        }
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        return Tensor.record(out, op, inputs) { g, _ in
            let gcols = Tensor(uninitializedShape: [geo.rows, geo.columns])
            geo.im2col(g.storage.pointer, gcols.storage.pointer)
            var dx: Tensor? = nil
            if x.requiresGrad {
                let dxt = Tensor(uninitializedShape: [inC, n * s])
                Tensor.gemm(transposeA: false, transposeB: false, m: inC, n: geo.columns, k: geo.rows,
                            a: weight.storage.pointer, lda: geo.rows, b: gcols.storage.pointer, ldb: geo.columns,
                            c: dxt.storage.pointer, ldc: geo.columns)
                let d = Tensor(uninitializedShape: x.shape)
                Tensor.swapLeadingAxes(dxt.storage.pointer, inC, n, s, into: d.storage.pointer)
                dx = d
            }
            // dW [Cin, Cout·kH·kW] = X · im2col(dy)ᵀ
            return [dx] + Tensor.convParameterGradients(weight: weight, bias: bias, gradOutput: g, left: xt, right: gcols)
        }
    }
}
