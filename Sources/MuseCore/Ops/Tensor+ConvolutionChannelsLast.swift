import Foundation

// The channels-last (NHWC) form of im2col / col2im, for convolutions whose image side has many
// channels. The NCHW columns of `ConvGeometry.im2col` are built from image rows as wide as the
// output (7 to 28 floats in the DCGAN): a conv 64→128 on 14×14 pictures spent two thirds of
// its forward pass gathering 7-float rows, one at a time. With the channels last, one column
// row (one output pixel) is kH·kW runs of C contiguous floats, and with dilation 1 each kernel
// row is a single run of up to kW·C floats, so both rearrangements are a few long copies or
// additions per output pixel. The GEMMs then take the other operand transposed; the layout of
// the tensors users see stays NCHW: each chunk's samples are transposed in and out, which
// moves C·H·W floats per sample against the kH·kW·C·OH·OW of the columns.
//
//   image [n, H, W, C]  →  columns [n·OH·OW, kH·kW·C]   (row = (b, oy, ox), col = (ki, kj, c))

/// How a convolution lays out its columns.
enum ConvLayout {
    /// [C·kH·kW, n·OH·OW] from NCHW images (`ConvGeometry.im2col`).
    case channelsFirst
    /// [n·OH·OW, kH·kW·C] from NHWC images (`ConvGeometry.im2colChannelsLast`).
    case channelsLast
    /// No columns: one GEMM per kernel tap and output row on [H, W, N, C] images
    /// (`TapGeometry`; stride 1 and dilation 1 only, else the same as `channelsFirst`).
    case taps

    /// Image-side channels from which the channels-last columns are used: below it a run of C
    /// floats is shorter than an NCHW row, and the transposes in and out cost more than they save.
    static let channelsLastMinimum = 16

    /// The layout for a convolution whose image side (the input of `conv2d`, the output of
    /// `convTranspose2d`) has `channels` channels.
    static func choose(channels: Int) -> ConvLayout { channels >= channelsLastMinimum ? .channelsLast : .channelsFirst }
}

extension ConvGeometry {
    /// Floats in one row of the channels-last column matrix: kH·kW·channels.
    var channelsLastRow: Int { kernel.height * kernel.width * channels }

    /// The kernel columns `kj` whose input column `ox·strideW − padW + kj` lies inside the image
    /// (dilation 1: a contiguous range, so the pixels they read are one run of the image row).
    @inline(__always)
    func validKernelColumns(ox: Int) -> Range<Int> {
        let start = ox * stride.width - padding.width
        let lo = Swift.max(0, -start), hi = Swift.min(kernel.width, width - start)
        return lo < hi ? lo..<hi : 0..<0
    }

    /// Fills `col` ([n·outHeight·outWidth, kH·kW·channels]) from `image` ([n, height, width,
    /// channels]); padding reads as 0. Split over the output rows across the cores when `parallel`.
    func im2colChannelsLast(_ image: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, parallel: Bool = true) {
        let c = channels, rowLength = channelsLastRow, kw = kernel.width
        Tensor.forEachChunk(parallel, count: n * outHeight,
                            minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(outWidth * rowLength, 1))) { range in
            for line in range {
                let b = line / outHeight, oy = line % outHeight
                for ox in 0..<outWidth {
                    var dst = col + (line * outWidth + ox) * rowLength
                    let kj = dilation.width == 1 ? validKernelColumns(ox: ox) : 0..<0
                    for ki in 0..<kernel.height {
                        let iy = oy * stride.height - padding.height + ki * dilation.height
                        guard iy >= 0, iy < height else { dst.update(repeating: 0, count: kw * c); dst += kw * c; continue }
                        let imageRow = image + (b * height + iy) * width * c
                        if dilation.width == 1 {
                            // One run: [zeros for kj < lo][the image's pixels][zeros for kj ≥ hi].
                            let start = ox * stride.width - padding.width
                            dst.update(repeating: 0, count: kj.lowerBound * c)
                            (dst + kj.lowerBound * c).update(from: imageRow + (start + kj.lowerBound) * c, count: kj.count * c)
                            (dst + kj.upperBound * c).update(repeating: 0, count: (kw - kj.upperBound) * c)
                        } else {
                            for j in 0..<kw {
                                let ix = ox * stride.width - padding.width + j * dilation.width
                                if ix >= 0, ix < width { (dst + j * c).update(from: imageRow + ix * c, count: c) } else {
                                    (dst + j * c).update(repeating: 0, count: c)
                                }
                            }
                        }
                        dst += kw * c
                    }
                }
            }
        }
    }

    /// Writes into `image` ([n, height, width, channels]) the sum of every column entry over the
    /// pixel it was read from (the adjoint of `im2colChannelsLast`). Overwrites `image`. Split over
    /// the samples (each writes only its own picture) across the cores when `parallel`.
    func col2imChannelsLast(_ col: UnsafePointer<Float>, _ image: UnsafeMutablePointer<Float>, parallel: Bool = true) {
        let c = channels, rowLength = channelsLastRow, kw = kernel.width, picture = height * width * c
        Tensor.forEachChunk(parallel, count: n,
                            minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(outHeight * outWidth * rowLength, 1))) { range in
            for b in range {
                (image + b * picture).update(repeating: 0, count: picture)
                for oy in 0..<outHeight {
                    for ox in 0..<outWidth {
                        let src = col + ((b * outHeight + oy) * outWidth + ox) * rowLength
                        let kj = dilation.width == 1 ? validKernelColumns(ox: ox) : 0..<0
                        for ki in 0..<kernel.height {
                            let iy = oy * stride.height - padding.height + ki * dilation.height
                            guard iy >= 0, iy < height else { continue }
                            let imageRow = image + (b * height + iy) * width * c, srcRow = src + ki * kw * c
                            if dilation.width == 1 {
                                let start = ox * stride.width - padding.width
                                Self.add(srcRow + kj.lowerBound * c, into: imageRow + (start + kj.lowerBound) * c, count: kj.count * c)
                            } else {
                                for j in 0..<kw {
                                    let ix = ox * stride.width - padding.width + j * dilation.width
                                    if ix >= 0, ix < width { Self.add(srcRow + j * c, into: imageRow + ix * c, count: c) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `dst[i] += src[i]` for `i < count`, 8 floats at a time.
    @inline(__always)
    static func add(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let d = UnsafeMutableRawPointer(dst + i)
            d.storeBytes(of: d.loadUnaligned(as: SIMD8<Float>.self) + UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self),
                         as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { dst[i] += src[i]; i += 1 }
    }
}

extension Tensor {
    /// `dst[m][j][i] = src[m][i][j] (+ bias[j])` for `count` matrices of `rows × columns` (each
    /// `src[m]` row-major [rows, columns], each `dst[m]` [columns, rows]): NCHW ↔ NHWC per sample,
    /// and the weights' kernel ↔ channel order. Tiles of 8×8; split over the matrices (or over the
    /// tiles of one matrix) across the cores when `parallel`.
    static func transposeMatrices(_ src: UnsafePointer<Float>, count: Int, rows: Int, columns: Int,
                                  into dst: UnsafeMutablePointer<Float>, biasPerColumn bias: UnsafePointer<Float>? = nil,
                                  parallel: Bool = true) {
        let tile = 8, rowTiles = (rows + tile - 1) / tile, size = rows * columns
        forEachChunk(parallel, count: count * rowTiles, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(tile * columns, 1))) { range in
            for job in range {
                let m = job / rowTiles, i0 = (job % rowTiles) * tile, i1 = Swift.min(rows, i0 + tile)
                let from = src + m * size, to = dst + m * size
                var j0 = 0
                while j0 < columns {
                    let j1 = Swift.min(columns, j0 + tile)
                    for j in j0..<j1 {
                        let v = bias?[j] ?? 0
                        let out = to + j * rows
                        for i in i0..<i1 { out[i] = from[i * columns + j] + v }
                    }
                    j0 = j1
                }
            }
        }
    }
}

extension Tensor {
    /// A convolution weight [count, channels, kH·kW] (as stored) reordered to [count, kH·kW, channels],
    /// the order of a channels-last column row.
    static func kernelsLast(_ weight: Tensor, count: Int, channels: Int, kernel: Int) -> Tensor {
        let out = Tensor(uninitializedShape: [count, kernel * channels])
        transposeMatrices(weight.storage.pointer, count: count, rows: channels, columns: kernel, into: out.storage.pointer)
        return out
    }

    /// Writes a weight gradient [count, kH·kW, channels] into `into` in the stored order
    /// [count, channels, kH·kW] (the inverse of `kernelsLast`).
    static func kernelsFirst(_ gradient: Tensor, into: Tensor, count: Int, channels: Int, kernel: Int) {
        transposeMatrices(gradient.storage.pointer, count: count, rows: kernel, columns: channels, into: into.storage.pointer)
    }
}
