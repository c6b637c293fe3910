/// Pictures of spectrograms: time runs left to right, row 0 (lowest frequency or mel band) at the
/// bottom, values mapped through a colour map between their minimum and maximum.
public enum SpectrogramImage {
    /// Renders `values` (typically dB from `powerToDB`), `[rows, frames]`.
    /// - Parameters:
    ///   - pixelsPerFrame: columns per frame (≥ 1).
    ///   - pixelsPerRow: pixel rows per spectrogram row (≥ 1).
    ///   - range: value range mapped to the ends of the colour map (nil → min...max of `values`).
    /// - Returns: a `frames·pixelsPerFrame × rows·pixelsPerRow` picture.
    public static func render(_ values: Spectrogram, pixelsPerFrame: Int = 1, pixelsPerRow: Int = 1,
                              range: ClosedRange<Float>? = nil, colorMap: ColorMap = .magma) throws -> RGBImage {
        guard pixelsPerFrame >= 1, pixelsPerRow >= 1 else {
            throw DSPError.invalidParameter(name: "pixels per frame/row", value: "\(pixelsPerFrame)/\(pixelsPerRow)", reason: "must be >= 1")
        }
        guard values.rowCount > 0, values.frameCount > 0 else {
            throw DSPError.shapeMismatch(what: "spectrogram image", expected: "[rows >= 1, frames >= 1]", got: "\(values.shape)")
        }
        let finite = values.values.filter { $0.isFinite }
        let lo = range?.lowerBound ?? (finite.min() ?? 0)
        let hi = range?.upperBound ?? (finite.max() ?? 1)
        let span = hi > lo ? hi - lo : 1
        // Colour lookup table over 256 levels.
        let table = (0..<256).map { colorMap.color(Float($0) / 255) }
        var image = RGBImage(width: values.frameCount * pixelsPerFrame, height: values.rowCount * pixelsPerRow)
        image.pixels.withUnsafeMutableBufferPointer { px in
            for r in 0..<values.rowCount {
                for t in 0..<values.frameCount {
                    let v = (values[r, t] - lo) / span
                    let level = v.isFinite ? Int((min(max(v, 0), 1) * 255).rounded()) : 0
                    let c = table[level]
                    let yTop = (values.rowCount - 1 - r) * pixelsPerRow
                    for dy in 0..<pixelsPerRow {
                        for dx in 0..<pixelsPerFrame {
                            let i = 3 * ((yTop + dy) * image.width + t * pixelsPerFrame + dx)
                            px[i] = c.0; px[i + 1] = c.1; px[i + 2] = c.2
                        }
                    }
                }
            }
        }
        return image
    }
}
