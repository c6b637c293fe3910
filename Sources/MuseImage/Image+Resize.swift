/// Resizing and cropping, for turning a folder of photos into a model's fixed-size inputs.
extension Image {
    /// The picture resampled to `width × height` with Pillow's `Image.resize(…, BILINEAR)`
    /// filter: a triangle kernel whose support widens by the reduction factor when shrinking (so
    /// shrinking averages every source pixel, as an area filter does), applied across then down
    /// in `Float`, rounded once at the end. Pillow rounds to 8 bits between its two passes, so
    /// its results differ from these by at most one unit.
    /// - Throws: `ImageError.invalidArgument` for an empty source or target size.
    public func resized(width outWidth: Int, height outHeight: Int) throws -> Image {
        guard width > 0, height > 0, outWidth > 0, outHeight > 0 else {
            throw ImageError.invalidArgument(name: "resize", value: "\(width)x\(height) to \(outWidth)x\(outHeight)",
                                             reason: "sizes must be positive")
        }
        if outWidth == width && outHeight == height { return self }
        let c = layout.channels
        let across = Self.bilinearWeights(inSize: width, outSize: outWidth)
        let down = Self.bilinearWeights(inSize: height, outSize: outHeight)
        // Across: [height, outWidth, c].
        var middle = [Float](repeating: 0, count: height * outWidth * c)
        samples.withUnsafeBufferPointer { src in
            middle.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    for x in 0..<outWidth {
                        let (first, weights) = across[x]
                        for ch in 0..<c {
                            var sum: Float = 0
                            for (k, w) in weights.enumerated() { sum += w * Float(src[(y * width + first + k) * c + ch]) }
                            dst[(y * outWidth + x) * c + ch] = sum
                        }
                    }
                }
            }
        }
        // Down: [outHeight, outWidth, c], rounded and clamped to the sample range.
        let top = Float(maximumSample)
        var out = [UInt16](repeating: 0, count: outHeight * outWidth * c)
        middle.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outHeight {
                    let (first, weights) = down[y]
                    for i in 0..<(outWidth * c) {
                        var sum: Float = 0
                        for (k, w) in weights.enumerated() { sum += w * src[(first + k) * outWidth * c + i] }
                        dst[y * outWidth * c + i] = UInt16(min(max(sum.rounded(), 0), top))
                    }
                }
            }
        }
        return Image(width: outWidth, height: outHeight, layout: layout, bitDepth: bitDepth, samples: out)
    }

    /// The central `width × height` part (torchvision's `CenterCrop` placement: the top-left
    /// corner at round((size − crop) / 2) on each axis).
    /// - Throws: `ImageError.invalidArgument` if the crop is empty or larger than the picture.
    public func centreCropped(width cropWidth: Int, height cropHeight: Int) throws -> Image {
        guard cropWidth > 0, cropHeight > 0, cropWidth <= width, cropHeight <= height else {
            throw ImageError.invalidArgument(name: "crop", value: "\(cropWidth)x\(cropHeight) of \(width)x\(height)",
                                             reason: "must be positive and fit inside the picture")
        }
        let left = Int((Double(width - cropWidth) / 2).rounded(.toNearestOrEven))
        let top = Int((Double(height - cropHeight) / 2).rounded(.toNearestOrEven))
        let c = layout.channels
        var out = [UInt16]()
        out.reserveCapacity(cropWidth * cropHeight * c)
        for y in top..<(top + cropHeight) {
            let start = (y * width + left) * c
            out.append(contentsOf: samples[start..<(start + cropWidth * c)])
        }
        return Image(width: cropWidth, height: cropHeight, layout: layout, bitDepth: bitDepth, samples: out)
    }

    /// The picture scaled (keeping its aspect ratio) until it covers `width × height`, then
    /// centre-cropped to exactly that: torchvision's `Resize` of the shorter side followed by
    /// `CenterCrop`, the usual way to feed photos of any shape to a fixed-size model.
    /// - Throws: `ImageError.invalidArgument` for an empty source or target size.
    public func resizedToFill(width targetWidth: Int, height targetHeight: Int) throws -> Image {
        guard width > 0, height > 0, targetWidth > 0, targetHeight > 0 else {
            throw ImageError.invalidArgument(name: "resize", value: "\(width)x\(height) to \(targetWidth)x\(targetHeight)",
                                             reason: "sizes must be positive")
        }
        let scale = max(Double(targetWidth) / Double(width), Double(targetHeight) / Double(height))
        let scaledWidth = max(targetWidth, Int((Double(width) * scale).rounded()))
        let scaledHeight = max(targetHeight, Int((Double(height) * scale).rounded()))
        return try resized(width: scaledWidth, height: scaledHeight).centreCropped(width: targetWidth, height: targetHeight)
    }

    /// For each output index, the first input index and the normalised triangle-kernel weights
    /// (Pillow's `precompute_coeffs` with the bilinear filter of support 1).
    static func bilinearWeights(inSize: Int, outSize: Int) -> [(first: Int, weights: [Float])] {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = 1.0 * filterScale
        return (0..<outSize).map { i in
            let centre = (Double(i) + 0.5) * scale
            let first = max(Int(centre - support + 0.5), 0)
            let last = min(Int(centre + support + 0.5), inSize)
            var weights: [Double] = []
            for x in first..<max(last, first) {
                let t = abs((Double(x) - centre + 0.5) / filterScale)
                weights.append(t < 1 ? 1 - t : 0)
            }
            let total = weights.reduce(0, +)
            return (first, weights.map { Float(total > 0 ? $0 / total : 0) })
        }
    }
}
