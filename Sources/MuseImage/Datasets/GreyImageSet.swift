import MuseCore

/// Equal-sized 8-bit grey images held in one buffer, as an IDX file stores them.
public struct GreyImageSet: Equatable, Sendable {
    /// Number of images.
    public let count: Int
    /// Pixels down each image.
    public let height: Int
    /// Pixels across each image.
    public let width: Int
    /// `[count, height, width]` bytes, 0 = black, 255 = white, top row first.
    public let pixels: [UInt8]

    /// Wraps `pixels`; its size must be `count × height × width` (programmer error otherwise).
    public init(count: Int, height: Int, width: Int, pixels: [UInt8]) {
        precondition(count >= 0 && height >= 0 && width >= 0 && pixels.count == count * height * width,
                     "GreyImageSet: \(pixels.count) bytes for \(count)×\(height)×\(width)")
        self.count = count
        self.height = height
        self.width = width
        self.pixels = pixels
    }

    /// Pixels per image.
    public var pixelsPerImage: Int { height * width }

    /// All pixels as `Float` in [0, 1] (byte / 255), `[count, height, width]`.
    public func unitFloats() -> [Float] {
        pixels.map { Float($0) / 255 }
    }

    /// Image `index` as an `Image` (8-bit grey).
    /// - Throws: `ImageError.invalidArgument` for an index outside `0..<count`.
    public func image(at index: Int) throws -> Image {
        guard index >= 0, index < count else {
            throw ImageError.invalidArgument(name: "index", value: "\(index)", reason: "must be in 0..<\(count)")
        }
        let start = index * pixelsPerImage
        return Image(width: width, height: height, layout: .grey,
                     pixels: Array(pixels[start..<(start + pixelsPerImage)]))
    }

    /// A batch for a generator whose output is `tanh`: images `indices` as a `[n, 1, height,
    /// width]` tensor in [−1, 1] (byte / 127.5 − 1, as TensorFlow's DCGAN tutorial scales them).
    /// - Throws: `ImageError.invalidArgument` for an index outside `0..<count`.
    public func tensor(indices: [Int]) throws -> Tensor {
        let n = indices.count, size = pixelsPerImage
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw ImageError.invalidArgument(name: "index", value: "\(bad)", reason: "must be in 0..<\(count)")
        }
        var values = [Float](repeating: 0, count: n * size)
        values.withUnsafeMutableBufferPointer { out in
            pixels.withUnsafeBufferPointer { src in
                for (row, index) in indices.enumerated() {
                    let from = index * size, to = row * size
                    for j in 0..<size { out[to + j] = Float(src[from + j]) / 127.5 - 1 }
                }
            }
        }
        return try Tensor(values, shape: [n, 1, height, width])
    }

    /// Images `range` as a `[n, 1, height, width]` tensor in [−1, 1]; see `tensor(indices:)`.
    /// - Throws: `ImageError.invalidArgument` for a range outside `0..<count`.
    public func tensor(range: Range<Int>) throws -> Tensor {
        try tensor(indices: Array(range))
    }
}
