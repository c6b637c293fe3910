import MuseCore

/// Which channels a pixel has, in order; the raw value is the channel count.
public enum PixelLayout: Int, Codable, Sendable, CaseIterable {
    /// One channel: luminance.
    case grey = 1
    /// Luminance, then alpha (0 = transparent).
    case greyAlpha = 2
    /// Red, green, blue.
    case rgb = 3
    /// Red, green, blue, then alpha (0 = transparent).
    case rgba = 4

    /// Channels per pixel.
    public var channels: Int { rawValue }
    /// Whether the last channel is alpha.
    public var hasAlpha: Bool { self == .greyAlpha || self == .rgba }
    /// Whether the colour is red, green, blue (else one grey channel).
    public var isColour: Bool { self == .rgb || self == .rgba }
}

/// A picture: `height` rows of `width` pixels of `layout.channels` unsigned samples each, at 8 or
/// 16 bits per sample, rows top to bottom, channels interleaved (as PNG stores them).
public struct Image: Equatable, Sendable {
    /// Pixels across.
    public let width: Int
    /// Pixels down.
    public let height: Int
    /// Channels per pixel and their meaning.
    public let layout: PixelLayout
    /// Bits per sample: 8 (samples 0...255) or 16 (samples 0...65535).
    public let bitDepth: Int
    /// `[height, width, channels]` samples, row-major, top row first.
    public var samples: [UInt16]

    /// Wraps `samples` (`width × height × channels` of them, each below 2^bitDepth); a mismatch
    /// is a programmer error.
    public init(width: Int, height: Int, layout: PixelLayout, bitDepth: Int, samples: [UInt16]) {
        precondition(width >= 0 && height >= 0 && (bitDepth == 8 || bitDepth == 16)
                     && samples.count == width * height * layout.channels,
                     "Image: \(samples.count) samples for \(width)×\(height) \(layout) at \(bitDepth) bits")
        self.width = width
        self.height = height
        self.layout = layout
        self.bitDepth = bitDepth
        self.samples = samples
    }

    /// An 8-bit picture from bytes `[height, width, channels]`.
    public init(width: Int, height: Int, layout: PixelLayout, pixels: [UInt8]) {
        self.init(width: width, height: height, layout: layout, bitDepth: 8, samples: pixels.map(UInt16.init))
    }

    /// An 8-bit picture of one colour; `value` gives each channel's sample (alpha included).
    public init(width: Int, height: Int, layout: PixelLayout, filledWith value: UInt8) {
        self.init(width: width, height: height, layout: layout, bitDepth: 8,
                  samples: [UInt16](repeating: UInt16(value), count: width * height * layout.channels))
    }

    /// The largest sample value: 255 or 65535.
    public var maximumSample: Int { (1 << bitDepth) - 1 }

    /// Sample `channel` of pixel (`x`, `y`), y = 0 the top row.
    public func sample(x: Int, y: Int, channel: Int = 0) -> UInt16 {
        samples[(y * width + x) * layout.channels + channel]
    }

    /// The samples as bytes: 8-bit samples as they are, 16-bit ones rounded to the nearest of
    /// 0...255 (v × 255 / 65535).
    public var bytes: [UInt8] {
        if bitDepth == 8 { return samples.map { UInt8(truncatingIfNeeded: $0) } }
        return samples.map { UInt8((UInt32($0) * 255 + 32767) / 65535) }
    }

    /// The same picture at 8 bits per sample (see `bytes`).
    public func to8Bit() -> Image {
        bitDepth == 8 ? self : Image(width: width, height: height, layout: layout, pixels: bytes)
    }

    /// Samples as `Float` in [0, 1] (sample / maximumSample), `[height, width, channels]`.
    public func unitFloats() -> [Float] {
        let scale = 1 / Float(maximumSample)
        return samples.map { Float($0) * scale }
    }

    /// The picture in `target` layout, as Pillow's `Image.convert` does it: colour to grey by
    /// ITU-R 601-2 luma (L = 0.299 R + 0.587 G + 0.114 B, rounded), grey to colour by copying,
    /// alpha dropped when the target has none and set opaque when the source has none.
    public func converted(to target: PixelLayout) -> Image {
        if target == layout { return self }
        let inC = layout.channels, outC = target.channels, pixelCount = width * height
        let opaque = UInt16(maximumSample)
        var out = [UInt16](repeating: 0, count: pixelCount * outC)
        samples.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for p in 0..<pixelCount {
                    let s = p * inC, d = p * outC
                    let alpha = layout.hasAlpha ? src[s + inC - 1] : opaque
                    if target.isColour {
                        if layout.isColour {
                            dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]
                        } else {
                            dst[d] = src[s]; dst[d + 1] = src[s]; dst[d + 2] = src[s]
                        }
                    } else {
                        if layout.isColour {
                            // Pillow's fixed-point luma: (R·19595 + G·38470 + B·7471 + 2^15) >> 16.
                            let l = (UInt64(src[s]) * 19595 + UInt64(src[s + 1]) * 38470 + UInt64(src[s + 2]) * 7471 + 0x8000) >> 16
                            dst[d] = UInt16(l)
                        } else {
                            dst[d] = src[s]
                        }
                    }
                    if target.hasAlpha { dst[d + outC - 1] = alpha }
                }
            }
        }
        return Image(width: width, height: height, layout: target, bitDepth: bitDepth, samples: out)
    }

    /// Image `index` of a `[n, channels, height, width]` tensor whose values lie in `valueRange`
    /// (a `tanh` generator's [−1, 1] by default) as an 8-bit picture; channels 1 → grey, 3 → RGB.
    /// Values are clamped to the range, then mapped to 0...255 and rounded.
    /// - Throws: `ImageError.invalidArgument` for another rank or channel count, or a bad index.
    public init(tensor: Tensor, index: Int, valueRange: ClosedRange<Float> = -1...1) throws {
        guard tensor.rank == 4, tensor.shape[1] == 1 || tensor.shape[1] == 3 else {
            throw ImageError.invalidArgument(name: "tensor shape", value: "\(tensor.shape)",
                                             reason: "must be [n, 1 or 3, height, width]")
        }
        let n = tensor.shape[0], c = tensor.shape[1], h = tensor.shape[2], w = tensor.shape[3]
        guard index >= 0, index < n else {
            throw ImageError.invalidArgument(name: "index", value: "\(index)", reason: "must be in 0..<\(n)")
        }
        guard valueRange.upperBound > valueRange.lowerBound else {
            throw ImageError.invalidArgument(name: "valueRange", value: "\(valueRange)", reason: "must not be empty")
        }
        let low = valueRange.lowerBound, scale = 255 / (valueRange.upperBound - valueRange.lowerBound)
        var out = [UInt16](repeating: 0, count: h * w * c)
        tensor.withUnsafeBufferPointer { src in
            let base = index * c * h * w
            for ch in 0..<c {
                for p in 0..<(h * w) {
                    let v = src[base + ch * h * w + p]
                    let byte = v.isNaN ? 0 : min(max(((v - low) * scale).rounded(), 0), 255)
                    out[p * c + ch] = UInt16(byte)
                }
            }
        }
        self.init(width: w, height: h, layout: c == 1 ? .grey : .rgb, bitDepth: 8, samples: out)
    }

    /// The picture as a `[1, channels, height, width]` tensor with samples mapped linearly onto
    /// `valueRange` ([−1, 1] by default, a `tanh` generator's range).
    public func tensor(valueRange: ClosedRange<Float> = -1...1) -> Tensor {
        let c = layout.channels, n = width * height
        let scale = (valueRange.upperBound - valueRange.lowerBound) / Float(maximumSample)
        var values = [Float](repeating: 0, count: n * c)
        for p in 0..<n {
            for ch in 0..<c { values[ch * n + p] = valueRange.lowerBound + Float(samples[p * c + ch]) * scale }
        }
        return Tensor(shape: [1, c, height, width], storage: TensorStorage(copying: values))
    }
}
