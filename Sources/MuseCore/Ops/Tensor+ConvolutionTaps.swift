import Foundation

// Stride-1 convolutions on small pictures as one GEMM per kernel tap and output row, with no
// column matrix. im2col multiplies every kernel tap with every pixel, the taps that fall on the
// zero padding included: a 5×5 kernel with padding 2 on a 7×7 picture (the DCGAN's first
// transposed convolution, half of its training step) reads the padding in 31% of its
// multiply-adds. With the pictures laid out as [H, W, N, C] (the batch inside each pixel), the
// pixels a tap reads for one output row are one contiguous block of rows — every sample's pixels
// from the first valid column to the last — so each (tap, output row) is one GEMM
//   out[oy, ox₀..<ox₁, :, :] += in[oy + ki − padH, ox₀ + kj − padW ..< …, :, :] · tap[ki, kj]
// of [count·N, Cin] by [Cin, Cout] over the valid columns only, and the padding costs nothing.
// The input gradient is the same correlation of the output gradient with the taps flipped and
// transposed (padding k − 1 − pad); each tap's weight gradient is a sum of in-blockᵀ · out-block
// products. NCHW ↔ [H, W, N, C] is one transpose of the [N·C, H·W] matrix.
// A transposed convolution of stride 1 is the correlation with the kernel flipped and padding
// k − 1 − pad, so both ops share this path.

/// A stride-1, dilation-1 correlation out[oy, ox] = Σ in[oy + ki − padH, ox + kj − padW] · tap[ki, kj]
/// on [height, width, n, inChannels] → [outHeight, outWidth, n, outChannels], taps [kH·kW, inChannels, outChannels].
struct TapGeometry {
    var n: Int, inChannels: Int, outChannels: Int
    var height: Int, width: Int, outHeight: Int, outWidth: Int
    var kernel: Size2D
    /// May be negative (the adjoint of a convolution padded by more than k − 1).
    var padding: Size2D

    /// Channels on both sides from which the taps' GEMMs ([count·N, Cin] · [Cin, Cout]) are as
    /// efficient as im2col's.
    static let minimumChannels = 32
    /// The share of im2col's multiply-adds spent on padding from which the taps are used.
    static let minimumPaddingShare = 0.1

    /// The output positions along one axis whose input `o + k − pad` lies inside `0..<size`.
    @inline(__always)
    static func valid(_ k: Int, pad: Int, size: Int, outSize: Int) -> Range<Int> {
        ConvGeometry.validRange(offset: k - pad, stride: 1, size: size, outSize: outSize)
    }

    /// The share of kernel-tap × output-pixel products that read padding (what im2col computes and this path skips).
    var paddingShare: Double {
        let rows = (0..<kernel.height).reduce(0) { $0 + Self.valid($1, pad: padding.height, size: height, outSize: outHeight).count }
        let columns = (0..<kernel.width).reduce(0) { $0 + Self.valid($1, pad: padding.width, size: width, outSize: outWidth).count }
        let all = kernel.height * kernel.width * outHeight * outWidth
        return all == 0 ? 0 : 1 - Double(rows * columns) / Double(all)
    }

    /// Whether the taps beat im2col here: channels enough on both sides for the GEMMs, and
    /// enough padding to skip.
    var isWorthwhile: Bool {
        inChannels >= Self.minimumChannels && outChannels >= Self.minimumChannels && paddingShare >= Self.minimumPaddingShare
    }

    /// The correlation whose output is this one's input gradient: [outHeight, outWidth, n,
    /// outChannels] → [height, width, n, inChannels], with the taps flipped and transposed.
    var adjoint: TapGeometry {
        TapGeometry(n: n, inChannels: outChannels, outChannels: inChannels, height: outHeight, width: outWidth,
                    outHeight: height, outWidth: width, kernel: kernel,
                    padding: Size2D(kernel.height - 1 - padding.height, kernel.width - 1 - padding.width))
    }

    /// Calls `body(tap, oy, iy, ox₀, ix₀, count)` for every kernel tap and output row with a
    /// non-empty run of `count` valid output columns from `ox₀` (reading input row `iy` from `ix₀`).
    @inline(__always)
    func forEachRun(_ body: (Int, Int, Int, Int, Int, Int) -> Void) {
        for ki in 0..<kernel.height {
            let ys = Self.valid(ki, pad: padding.height, size: height, outSize: outHeight)
            for kj in 0..<kernel.width {
                let xs = Self.valid(kj, pad: padding.width, size: width, outSize: outWidth)
                if xs.isEmpty { continue }
                for oy in ys {
                    body(ki * kernel.width + kj, oy, oy + ki - padding.height, xs.lowerBound, xs.lowerBound + kj - padding.width, xs.count)
                }
            }
        }
    }

    /// Writes the correlation of `input` with `taps` into `output` (overwritten). Each GEMM splits
    /// itself over the cores.
    func correlate(_ input: UnsafePointer<Float>, taps: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        let ci = inChannels, co = outChannels
        output.update(repeating: 0, count: outHeight * outWidth * n * co)
        forEachRun { tap, oy, iy, ox, ix, count in
            Tensor.gemm(transposeA: false, transposeB: false, m: count * n, n: co, k: ci,
                        a: input + (iy * width + ix) * n * ci, lda: ci, b: taps + tap * ci * co, ldb: co,
                        beta: 1, c: output + (oy * outWidth + ox) * n * co, ldc: co)
        }
    }

    /// Adds to `tapGradients` ([kH·kW, inChannels, outChannels]) the gradient of the taps:
    /// Σ over each run of input-blockᵀ · output-gradient-block.
    func accumulateTapGradients(_ input: UnsafePointer<Float>, _ gradOutput: UnsafePointer<Float>,
                                into tapGradients: UnsafeMutablePointer<Float>) {
        let ci = inChannels, co = outChannels
        forEachRun { tap, oy, iy, ox, ix, count in
            Tensor.gemm(transposeA: true, transposeB: false, m: ci, n: co, k: count * n,
                        a: input + (iy * width + ix) * n * ci, lda: ci, b: gradOutput + (oy * outWidth + ox) * n * co, ldb: co,
                        beta: 1, c: tapGradients + tap * ci * co, ldc: co)
        }
    }
}

extension Tensor {
    /// How a convolution weight maps to taps [kH·kW, Cin, Cout]: `conv2d`'s [Cout, Cin, kH, kW]
    /// as is, or `convTranspose2d`'s [Cin, Cout, kH, kW] with the kernel flipped.
    enum TapWeight {
        case convolution, transposedConvolution
    }

    /// The taps [kH·kW, Cin, Cout] of `weight` (see `TapWeight`).
    static func taps(of weight: Tensor, _ kind: TapWeight, inChannels ci: Int, outChannels co: Int, kernel kk: Int) -> Tensor {
        // First [Cin, kH·kW, Cout] (one transpose), then each (ci, tap) row of Cout floats to its tap.
        let out = Tensor(uninitializedShape: [kk, ci, co]), staged: Tensor
        switch kind {
        case .convolution:
            staged = Tensor(uninitializedShape: [ci * kk * co])
            transposeMatrices(weight.storage.pointer, count: 1, rows: co, columns: ci * kk, into: staged.storage.pointer)
        case .transposedConvolution:
            staged = kernelsLast(weight, count: ci, channels: co, kernel: kk)
        }
        let flip = kind == .transposedConvolution, src = staged.storage.pointer, dst = out.storage.pointer
        for i in 0..<ci {
            for t in 0..<kk {
                (dst + ((flip ? kk - 1 - t : t) * ci + i) * co).update(from: src + (i * kk + t) * co, count: co)
            }
        }
        withExtendedLifetime(staged) {}  // its pointer was used above
        return out
    }

    /// Writes tap gradients [kH·kW, Cin, Cout] into `weightGradient` in the weight's own layout
    /// (the inverse of `taps(of:)`).
    static func weightGradient(fromTaps tapGradients: Tensor, _ kind: TapWeight, inChannels ci: Int, outChannels co: Int,
                               kernel kk: Int, into weightGradient: Tensor) {
        let staged = Tensor(uninitializedShape: [ci * kk * co])
        let flip = kind == .transposedConvolution, src = tapGradients.storage.pointer, dst = staged.storage.pointer
        for i in 0..<ci {
            for t in 0..<kk {
                (dst + (i * kk + t) * co).update(from: src + ((flip ? kk - 1 - t : t) * ci + i) * co, count: co)
            }
        }
        switch kind {
        case .convolution:
            transposeMatrices(dst, count: 1, rows: ci * kk, columns: co, into: weightGradient.storage.pointer)
        case .transposedConvolution:
            kernelsFirst(staged, into: weightGradient, count: ci, channels: co, kernel: kk)
        }
        withExtendedLifetime(staged) {}  // its pointer was used above
    }

    /// Taps [kH·kW, Cin, Cout] flipped in the kernel and transposed: [kH·kW, Cout, Cin], the
    /// taps of the adjoint correlation.
    static func adjointTaps(_ taps: Tensor, inChannels ci: Int, outChannels co: Int, kernel kk: Int) -> Tensor {
        let out = Tensor(uninitializedShape: [kk, co, ci]), size = ci * co
        for t in 0..<kk {  // flipping the kernel reverses the tap order
            transposeMatrices(taps.storage.pointer + (kk - 1 - t) * size, count: 1, rows: ci, columns: co, into: out.storage.pointer + t * size)
        }
        return out
    }

    /// A stride-1, dilation-1 convolution (`kind` says which) of `x` [N, Cin, H, W] through the
    /// taps, to [N, Cout, OH, OW] (+ bias per output channel), recorded for autodiff.
    static func tapConvolution(_ op: String, x: Tensor, weight: Tensor, bias: Tensor?, kind: TapWeight, geometry geo: TapGeometry) -> Tensor {
        let n = geo.n, ci = geo.inChannels, co = geo.outChannels, kk = geo.kernel.height * geo.kernel.width
        let inPlane = geo.height * geo.width, outPlane = geo.outHeight * geo.outWidth
        let taps = Tensor.taps(of: weight, kind, inChannels: ci, outChannels: co, kernel: kk)
        // [N·C, H·W] → [H·W, N·C] is NCHW → [H, W, N, C].
        let xT = Tensor(uninitializedShape: [inPlane, n * ci])
        transposeMatrices(x.storage.pointer, count: 1, rows: n * ci, columns: inPlane, into: xT.storage.pointer)
        let outT = Tensor(uninitializedShape: [outPlane, n * co])
        geo.correlate(xT.storage.pointer, taps: taps.storage.pointer, into: outT.storage.pointer)
        let out = Tensor(uninitializedShape: [n, co, geo.outHeight, geo.outWidth])
        transposeMatrices(outT.storage.pointer, count: 1, rows: outPlane, columns: n * co, into: out.storage.pointer)
        withExtendedLifetime(outT) {}  // the buffers below are only reached through their pointers
        if let bias { addChannelBias(bias, to: out) }
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        return record(out, op, inputs) { g, _ in
            let gT = Tensor(uninitializedShape: [outPlane, n * co])
            transposeMatrices(g.storage.pointer, count: 1, rows: n * co, columns: outPlane, into: gT.storage.pointer)
            var dx: Tensor?, dw: Tensor?
            if x.requiresGrad {
                let dxT = Tensor(uninitializedShape: [inPlane, n * ci])
                let flipped = adjointTaps(taps, inChannels: ci, outChannels: co, kernel: kk)
                withExtendedLifetime(flipped) {
                    geo.adjoint.correlate(gT.storage.pointer, taps: flipped.storage.pointer, into: dxT.storage.pointer)
                }
                let d = Tensor(uninitializedShape: x.shape)
                transposeMatrices(dxT.storage.pointer, count: 1, rows: inPlane, columns: n * ci, into: d.storage.pointer)
                withExtendedLifetime(dxT) {}
                dx = d
            }
            if weight.requiresGrad {
                let dTaps = Tensor.zeros([kk, ci, co])
                geo.accumulateTapGradients(xT.storage.pointer, gT.storage.pointer, into: dTaps.storage.pointer)
                let d = Tensor(uninitializedShape: weight.shape)
                weightGradient(fromTaps: dTaps, kind, inChannels: ci, outChannels: co, kernel: kk, into: d)
                dw = d
            }
            withExtendedLifetime((gT, xT)) {}
            return withBiasGradient([dx, dw], bias: bias, gradOutput: g)
        }
    }
}
