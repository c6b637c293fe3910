import CTurboJPEG
import Foundation

/// Reads JPEG through libjpeg-turbo's TurboJPEG API (return codes, no `longjmp`), with
/// libjpeg's defaults — accurate integer IDCT and smooth ("fancy") chroma upsampling — which
/// are Pillow's too, so both give the same pixels.
///
/// Grey JPEGs give 8-bit grey pictures; YCbCr and RGB ones 8-bit RGB. CMYK/YCCK JPEGs are
/// refused. Any libjpeg warning (a truncated or damaged file) is treated as an error.
public enum JPEGFile {
    /// The first three bytes of every JPEG file (SOI marker and the next marker's FF).
    public static let signature: [UInt8] = [0xFF, 0xD8, 0xFF]

    /// Reads the JPEG file at `path`.
    /// - Throws: `ImageError` naming the file (libjpeg's message for a malformed one).
    public static func read(path: String, maximumPixels: Int = PNGFile.defaultMaximumPixels) throws -> Image {
        let data = try readFile(path, maximumBytes: 1 << 30)
        return try decode(data, file: path, maximumPixels: maximumPixels)
    }

    /// Decodes JPEG bytes held in memory; `file` names them in errors.
    /// - Throws: `ImageError.badMagic` without the JPEG signature, `.badField` for a picture over
    ///   `maximumPixels`, `.decodeFailed` with libjpeg's message otherwise.
    public static func decode(_ data: Data, file: String, maximumPixels: Int = PNGFile.defaultMaximumPixels) throws -> Image {
        guard data.count >= 3, [UInt8](data.prefix(3)) == signature else {
            throw ImageError.badMagic(file: file, offset: 0, found: data.prefix(3).map { String(format: "%02X", $0) }.joined(separator: " "),
                                      expected: "the JPEG start-of-image marker FF D8 FF")
        }
        guard let handle = tjInitDecompress() else {
            throw ImageError.decodeFailed(file: file, reason: "cannot start the TurboJPEG decompressor")
        }
        defer { tjDestroy(handle) }
        let bytes = [UInt8](data)
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourspace: Int32 = 0
        let header = bytes.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt(bytes.count), &width, &height, &subsampling, &colourspace)
        }
        guard header == 0 else { throw ImageError.decodeFailed(file: file, reason: String(cString: tjGetErrorStr2(handle))) }
        let w = Int(width), h = Int(height)
        guard w > 0, h > 0, w <= maximumPixels / h else {
            throw ImageError.badField(file: file, offset: 0, field: "JPEG size", value: "\(w)x\(h)",
                                      reason: "exceeds the \(maximumPixels)-pixel limit")
        }
        let layout: PixelLayout
        let pixelFormat: Int32
        switch colourspace {
        case Int32(TJCS_GRAY.rawValue): layout = .grey; pixelFormat = Int32(TJPF_GRAY.rawValue)
        case Int32(TJCS_YCbCr.rawValue), Int32(TJCS_RGB.rawValue): layout = .rgb; pixelFormat = Int32(TJPF_RGB.rawValue)
        default:
            throw ImageError.badField(file: file, offset: 0, field: "JPEG colour space", value: "\(colourspace)",
                                      reason: "only grey, YCbCr and RGB JPEGs are supported (not CMYK/YCCK)")
        }
        var pixels = [UInt8](repeating: 0, count: w * h * layout.channels)
        let status = pixels.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { src in
                tjDecompress2(handle, src.baseAddress, UInt(bytes.count), out.baseAddress, width, 0, height, pixelFormat, 0)
            }
        }
        guard status == 0 else { throw ImageError.decodeFailed(file: file, reason: String(cString: tjGetErrorStr2(handle))) }
        return Image(width: w, height: h, layout: layout, pixels: pixels)
    }
}
