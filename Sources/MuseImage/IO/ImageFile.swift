import Foundation

/// Reads a picture whatever its format, chosen by its leading bytes: PNG or JPEG.
public enum ImageFile {
    /// File extensions (lower case) that `ImageFolder` and the CLI take for pictures.
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Reads the PNG or JPEG file at `path`.
    /// - Throws: `ImageError.badMagic` for any other format, else as `PNGFile`/`JPEGFile`.
    public static func read(path: String, maximumPixels: Int = PNGFile.defaultMaximumPixels) throws -> Image {
        let data = try readFile(path, maximumBytes: 1 << 30)
        let head = [UInt8](data.prefix(8))
        if head.starts(with: PNGFile.signature) { return try PNGFile.decode(data, file: path, maximumPixels: maximumPixels) }
        if head.starts(with: JPEGFile.signature) { return try JPEGFile.decode(data, file: path, maximumPixels: maximumPixels) }
        throw ImageError.badMagic(file: path, offset: 0, found: head.map { String(format: "%02X", $0) }.joined(separator: " "),
                                  expected: "a PNG (89 50 4E 47) or JPEG (FF D8 FF) signature")
    }
}
