import CPNG
import Foundation

/// An 8-bit RGB picture, rows top to bottom, written as PNG through libpng's simplified API.
public struct RGBImage: Equatable, Sendable {
    /// Pixels across.
    public let width: Int
    /// Pixels down.
    public let height: Int
    /// `[height, width, 3]` row-major R, G, B bytes, top row first.
    public var pixels: [UInt8]

    /// A picture of `width × height` filled with `color` (R, G, B).
    public init(width: Int, height: Int, color: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        precondition(width >= 0 && height >= 0)
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[3 * i] = color.0; pixels[3 * i + 1] = color.1; pixels[3 * i + 2] = color.2
        }
    }

    /// Sets pixel (`x`, `y`) (y = 0 is the top row); ignores points outside.
    public mutating func set(x: Int, y: Int, _ color: (UInt8, UInt8, UInt8)) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let i = 3 * (y * width + x)
        pixels[i] = color.0; pixels[i + 1] = color.1; pixels[i + 2] = color.2
    }

    /// The pixel at (`x`, `y`).
    public func pixel(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let i = 3 * (y * width + x)
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// PNG bytes of the picture.
    /// - Throws: `DSPError.invalidParameter` for an empty or oversized picture, `.writeFailed`
    ///   with libpng's message.
    public func pngData() throws -> Data {
        guard width > 0, height > 0, width <= 1 << 16, height <= 1 << 16 else {
            throw DSPError.invalidParameter(name: "image size", value: "\(width)x\(height)", reason: "must be 1...65536 each way")
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = UInt32(PNG_FORMAT_RGB)
        var size: png_alloc_size_t = 0
        let stride = Int32(width * 3)
        let sized = pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, stride, nil) }
        guard sized != 0, size > 0 else { throw DSPError.writeFailed(path: "<png>", reason: Self.message(&image)) }
        var data = Data(count: Int(size))
        let ok = data.withUnsafeMutableBytes { out in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, out.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        guard ok != 0 else { throw DSPError.writeFailed(path: "<png>", reason: Self.message(&image)) }
        data.count = Int(size)
        return data
    }

    /// Writes the picture as PNG to `path` (temporary file + rename).
    public func writePNG(to path: String) throws {
        let data = try pngData()
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw DSPError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }

    private static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
