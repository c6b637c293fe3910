import MuseCore

/// Lays equal-sized pictures out in rows and columns with a gutter between and around them, as
/// torchvision's `make_grid` does: a grid of `rows × columns` cells of `width × height` is
/// `columns·(width + gutter) + gutter` pixels across and `rows·(height + gutter) + gutter` down.
/// Pictures fill it row by row; cells without a picture keep the gutter colour.
public enum ImageGrid {
    /// The gutter width of sample grids, in pixels.
    public static let defaultGutter = 2
    /// The gutter colour: white, so the cells stand out from the black backgrounds of
    /// Fashion-MNIST-like pictures (torchvision's default is black).
    public static let defaultGutterValue: UInt8 = 255

    /// The grid of `images` (all the same size and layout; 16-bit ones are rounded to 8 bits).
    /// - Throws: `ImageError.invalidArgument` if `images` is empty, larger than `rows × columns`,
    ///   or mixes sizes or layouts, or if `rows`, `columns` or `gutter` is out of range.
    public static func compose(_ images: [Image], rows: Int, columns: Int, gutter: Int = defaultGutter,
                               gutterValue: UInt8 = defaultGutterValue) throws -> Image {
        guard let first = images.first else {
            throw ImageError.invalidArgument(name: "images", value: "0", reason: "a grid needs at least one picture")
        }
        guard rows >= 1, columns >= 1, gutter >= 0, images.count <= rows * columns else {
            throw ImageError.invalidArgument(name: "grid", value: "\(rows)x\(columns) with gutter \(gutter)",
                                             reason: "must have rows, columns ≥ 1, gutter ≥ 0 and room for \(images.count) pictures")
        }
        if let odd = images.firstIndex(where: { $0.width != first.width || $0.height != first.height || $0.layout != first.layout }) {
            throw ImageError.invalidArgument(name: "images[\(odd)]", value: "\(images[odd].width)x\(images[odd].height) \(images[odd].layout)",
                                             reason: "every picture must be \(first.width)x\(first.height) \(first.layout)")
        }
        let w = first.width, h = first.height, c = first.layout.channels
        let gridWidth = columns * (w + gutter) + gutter, gridHeight = rows * (h + gutter) + gutter
        var grid = Image(width: gridWidth, height: gridHeight, layout: first.layout, filledWith: gutterValue)
        for (n, image) in images.enumerated() {
            let picture = image.to8Bit()
            let left = gutter + (n % columns) * (w + gutter), top = gutter + (n / columns) * (h + gutter)
            for y in 0..<h {
                let from = y * w * c, to = ((top + y) * gridWidth + left) * c
                grid.samples.replaceSubrange(to..<(to + w * c), with: picture.samples[from..<(from + w * c)])
            }
        }
        return grid
    }

    /// The grid of a `[n, 1 or 3, height, width]` tensor's images with values in `valueRange`
    /// (a `tanh` generator's [−1, 1] by default); see `Image.init(tensor:index:valueRange:)`.
    /// - Throws: `ImageError.invalidArgument` as `compose(_:rows:columns:gutter:gutterValue:)`.
    public static func compose(tensor: Tensor, rows: Int, columns: Int, valueRange: ClosedRange<Float> = -1...1,
                               gutter: Int = defaultGutter, gutterValue: UInt8 = defaultGutterValue) throws -> Image {
        guard tensor.rank == 4 else {
            throw ImageError.invalidArgument(name: "tensor shape", value: "\(tensor.shape)", reason: "must be [n, channels, height, width]")
        }
        let images = try (0..<tensor.shape[0]).map { try Image(tensor: tensor, index: $0, valueRange: valueRange) }
        return try compose(images, rows: rows, columns: columns, gutter: gutter, gutterValue: gutterValue)
    }

    /// Writes the grid of `images` as PNG to `path` (temporary file + rename).
    /// - Throws: `ImageError` as `compose` and `PNGFile.write`.
    public static func write(_ images: [Image], rows: Int, columns: Int, to path: String,
                             gutter: Int = defaultGutter, gutterValue: UInt8 = defaultGutterValue) throws {
        try PNGFile.write(compose(images, rows: rows, columns: columns, gutter: gutter, gutterValue: gutterValue), to: path)
    }

    /// Writes the grid of a `[n, 1 or 3, height, width]` tensor's images as PNG to `path`.
    /// - Throws: `ImageError` as `compose(tensor:…)` and `PNGFile.write`.
    public static func write(tensor: Tensor, rows: Int, columns: Int, to path: String, valueRange: ClosedRange<Float> = -1...1,
                             gutter: Int = defaultGutter, gutterValue: UInt8 = defaultGutterValue) throws {
        try PNGFile.write(compose(tensor: tensor, rows: rows, columns: columns, valueRange: valueRange,
                                  gutter: gutter, gutterValue: gutterValue), to: path)
    }
}
