import CPNG
import MuseCore
import Foundation

/// Reads and writes PNG through libpng's simplified API (`png_image_*`), which reports errors
/// through return codes and a message rather than `longjmp`.
///
/// Reading: grey, grey+alpha, RGB, RGBA and palette files at 1, 2, 4, 8 and 16 bits. Files of up
/// to 8 bits give 8-bit samples (palette and low-depth grey expanded, a `tRNS` transparency
/// becoming an alpha channel); 16-bit files give 16-bit samples. Files that carry no gamma
/// information come back as stored; a file with a `gAMA`/`sRGB`/`iCCP`-style gamma other than
/// sRGB (8-bit) or linear (16-bit) is converted to those, as libpng's simplified API defines.
/// libpng hands 16-bit alpha images over premultiplied; they are divided back, so opaque pixels
/// are exact and translucent ones within one unit.
///
/// Writing: 8-bit grey, grey+alpha, RGB, RGBA (16-bit pictures are rounded to 8 bits first).
public enum PNGFile {
    /// Largest picture accepted on read, in pixels (64 M, far beyond any training image).
    public static let defaultMaximumPixels = 1 << 26

    /// The PNG signature, the first eight bytes of every PNG file.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Reads the PNG file at `path`.
    /// - Throws: `ImageError` naming the file (libpng's message for a malformed one).
    public static func read(path: String, maximumPixels: Int = defaultMaximumPixels) throws -> Image {
        let data = try readFile(path, maximumBytes: 1 << 30)
        return try decode(data, file: path, maximumPixels: maximumPixels)
    }

    /// Decodes PNG bytes held in memory; `file` names them in errors.
    /// - Throws: `ImageError.badMagic` without the PNG signature, `.badField` for a picture over
    ///   `maximumPixels`, `.decodeFailed` with libpng's message otherwise.
    public static func decode(_ data: Data, file: String, maximumPixels: Int = defaultMaximumPixels) throws -> Image {
        guard data.count >= 8, [UInt8](data.prefix(8)) == signature else {
            throw ImageError.badMagic(file: file, offset: 0, found: data.prefix(8).map { String(format: "%02X", $0) }.joined(separator: " "),
                                      expected: "the PNG signature 89 50 4E 47 0D 0A 1A 0A")
        }
        // libpng reads from the buffer until png_image_finish_read returns, so all of the
        // decoding happens inside one closure that keeps the bytes alive.
        return try data.withUnsafeBytes { try decode(buffer: $0, file: file, maximumPixels: maximumPixels) }
    }

    private static func decode(buffer: UnsafeRawBufferPointer, file: String, maximumPixels: Int) throws -> Image {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let begun = png_image_begin_read_from_memory(&image, buffer.baseAddress, buffer.count)
        guard begun != 0 else { throw ImageError.decodeFailed(file: file, reason: message(&image)) }

        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width <= maximumPixels / height else {
            throw ImageError.badField(file: file, offset: 16, field: "PNG size", value: "\(width)x\(height)",
                                      reason: "exceeds the \(maximumPixels)-pixel limit")
        }
        let fileFormat = image.format
        let sixteen = fileFormat & UInt32(PNG_FORMAT_FLAG_LINEAR) != 0
        let hasAlpha = fileFormat & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
        let isColour = fileFormat & UInt32(PNG_FORMAT_FLAG_COLOR) != 0
        let layout: PixelLayout = isColour ? (hasAlpha ? .rgba : .rgb) : (hasAlpha ? .greyAlpha : .grey)
        // Direct samples in the file's own channels and depth (never a colour map).
        image.format = (isColour ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0) | (hasAlpha ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
            | (sixteen ? UInt32(PNG_FORMAT_FLAG_LINEAR) : 0)
        let channels = layout.channels
        let count = width * height * channels
        let stride = Int32(width * channels)

        var samples: [UInt16]
        if sixteen {
            samples = [UInt16](repeating: 0, count: count)
            let ok = samples.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, stride, nil) }
            guard ok != 0 else { throw ImageError.decodeFailed(file: file, reason: message(&image)) }
            if hasAlpha { unpremultiply(&samples, channels: channels) }
        } else {
            var raw = [UInt8](repeating: 0, count: count)
            let ok = raw.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, stride, nil) }
            guard ok != 0 else { throw ImageError.decodeFailed(file: file, reason: message(&image)) }
            samples = raw.map(UInt16.init)
        }
        return Image(width: width, height: height, layout: layout, bitDepth: sixteen ? 16 : 8, samples: samples)
    }

    /// PNG bytes of `image` at 8 bits per sample, in its own layout.
    /// - Throws: `ImageError.invalidArgument` for an empty or oversized picture (over 65536 pixels
    ///   a side), `.writeFailed` with libpng's message.
    public static func encode(_ image: Image) throws -> Data {
        let picture = image.to8Bit()
        guard picture.width > 0, picture.height > 0, picture.width <= 1 << 16, picture.height <= 1 << 16 else {
            throw ImageError.invalidArgument(name: "image size", value: "\(picture.width)x\(picture.height)",
                                             reason: "must be 1...65536 pixels each way")
        }
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(picture.width)
        png.height = UInt32(picture.height)
        png.format = (picture.layout.isColour ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0)
            | (picture.layout.hasAlpha ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
        let pixels = picture.bytes
        let stride = Int32(picture.width * picture.layout.channels)
        var size: png_alloc_size_t = 0
        let sized = pixels.withUnsafeBytes { png_image_write_to_memory(&png, nil, &size, 0, $0.baseAddress, stride, nil) }
        guard sized != 0, size > 0 else { throw ImageError.writeFailed(file: "<png>", reason: message(&png)) }
        var data = Data(count: Int(size))
        let ok = data.withUnsafeMutableBytes { out in
            pixels.withUnsafeBytes { png_image_write_to_memory(&png, out.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        guard ok != 0 else { throw ImageError.writeFailed(file: "<png>", reason: message(&png)) }
        data.count = Int(size)
        return data
    }

    /// Writes `image` as an 8-bit PNG to `path` (temporary file in the same folder, then rename).
    /// - Throws: `ImageError` as `encode(_:)`, or `.writeFailed` naming the file; `SupportError.io`
    ///   when the rename into place fails.
    public static func write(_ image: Image, to path: String) throws {
        let data = try encode(image)
        try AtomicFile.write(toPath: path) { temporary in
            do { try data.write(to: URL(fileURLWithPath: temporary)) } catch {
                throw ImageError.writeFailed(file: path, reason: error.localizedDescription)
            }
        }
    }

    /// Divides 16-bit premultiplied colour by alpha (rounded), in place; fully transparent pixels
    /// keep colour 0.
    private static func unpremultiply(_ samples: inout [UInt16], channels: Int) {
        samples.withUnsafeMutableBufferPointer { s in
            var p = 0
            while p < s.count {
                let alpha = UInt32(s[p + channels - 1])
                if alpha != 0 && alpha != 65535 {
                    for c in 0..<(channels - 1) {
                        s[p + c] = UInt16(min(65535, (UInt32(s[p + c]) * 65535 + alpha / 2) / alpha))
                    }
                }
                p += channels
            }
        }
    }

    private static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
