import Foundation

/// An unsigned-byte array read from an IDX file: its dimensions and its bytes, row-major.
public struct IDXArray: Equatable, Sendable {
    /// Sizes, outermost first (`[count, rows, columns]` for images, `[count]` for labels).
    public let dimensions: [Int]
    /// `dimensions.reduce(1, *)` bytes, last dimension fastest.
    public let bytes: [UInt8]
}

/// Reads IDX files (the MNIST / Fashion-MNIST format of LeCun et al.), plain or gzip-compressed.
///
/// Layout: two zero bytes, a data-type byte (only `0x08`, unsigned byte, is accepted), a rank
/// byte, `rank` big-endian UInt32 sizes, then the data. Everything is validated before the data
/// buffer is allocated: the magic, the type, the rank, each size, and the total against
/// `maximumBytes`; the data must then end exactly where the header says (and, for gzip, the
/// stream's CRC-32 must match). Offsets in errors count bytes of the (decompressed) IDX data.
public enum IDXFile {
    /// The default bound on the data size: 1 GiB (Fashion-MNIST's training images are 47 MB).
    public static let defaultMaximumBytes = 1 << 30

    /// Reads the IDX file at `path` (gzip-compressed if it starts with 1F 8B).
    /// - Parameters:
    ///   - rank: the number of dimensions required, or `nil` to accept 1...4.
    ///   - maximumBytes: refuse arrays larger than this.
    /// - Throws: `ImageError` naming the file and the offset of what was wrong.
    public static func read(path: String, rank: Int? = nil, maximumBytes: Int = defaultMaximumBytes) throws -> IDXArray {
        let data = try readFile(path, maximumBytes: maximumBytes + (1 << 20))
        return try decode(data, file: path, rank: rank, maximumBytes: maximumBytes)
    }

    /// Decodes IDX bytes (plain or gzip) held in memory; `file` names them in errors.
    /// - Throws: `ImageError` as `read(path:rank:maximumBytes:)`.
    public static func decode(_ data: Data, file: String, rank: Int? = nil, maximumBytes: Int = defaultMaximumBytes) throws -> IDXArray {
        if data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B {
            var stream = try GzipByteStream(data: Data(data), file: file)
            return try decode(&stream, file: file, rank: rank, maximumBytes: maximumBytes)
        }
        var stream = PlainByteStream(data: Data(data), file: file)
        return try decode(&stream, file: file, rank: rank, maximumBytes: maximumBytes)
    }

    /// Reads images: a rank-3 file `[count, rows, columns]`.
    /// - Throws: `ImageError` as `read(path:rank:maximumBytes:)`.
    public static func readImages(path: String, maximumBytes: Int = defaultMaximumBytes) throws -> GreyImageSet {
        let array = try read(path: path, rank: 3, maximumBytes: maximumBytes)
        return GreyImageSet(count: array.dimensions[0], height: array.dimensions[1], width: array.dimensions[2],
                            pixels: array.bytes)
    }

    /// Reads labels: a rank-1 file `[count]` of class indices.
    /// - Throws: `ImageError` as `read(path:rank:maximumBytes:)`.
    public static func readLabels(path: String, maximumBytes: Int = defaultMaximumBytes) throws -> [UInt8] {
        try read(path: path, rank: 1, maximumBytes: maximumBytes).bytes
    }

    private static func decode<S: ByteStream>(_ stream: inout S, file: String, rank wanted: Int?, maximumBytes: Int) throws -> IDXArray {
        var magic = [UInt8](repeating: 0, count: 4)
        try magic.withUnsafeMutableBytes { try stream.readExactly(into: $0, file: file, what: "IDX magic number") }
        guard magic[0] == 0, magic[1] == 0 else {
            throw ImageError.badMagic(file: file, offset: 0, found: hex(magic), expected: "00 00 08 <rank>")
        }
        guard magic[2] == 0x08 else {
            throw ImageError.badField(file: file, offset: 2, field: "IDX data type", value: String(format: "0x%02X", magic[2]),
                                      reason: "only 0x08 (unsigned byte) is supported")
        }
        let rank = Int(magic[3])
        if let wanted, rank != wanted {
            throw ImageError.badField(file: file, offset: 3, field: "IDX rank", value: "\(rank)", reason: "expected \(wanted)")
        }
        guard (1...4).contains(rank) else {
            throw ImageError.badField(file: file, offset: 3, field: "IDX rank", value: "\(rank)", reason: "must be 1...4")
        }
        var sizes = [UInt8](repeating: 0, count: 4 * rank)
        try sizes.withUnsafeMutableBytes { try stream.readExactly(into: $0, file: file, what: "IDX dimensions") }
        var dimensions: [Int] = []
        var total = 1
        for axis in 0..<rank {
            let b = sizes[(4 * axis)..<(4 * axis + 4)].map(Int.init)
            let size = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]
            dimensions.append(size)
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            guard !overflow, product <= maximumBytes else {
                throw ImageError.badField(file: file, offset: 4 + 4 * axis, field: "IDX dimension \(axis)", value: "\(size)",
                                          reason: "dimensions \(dimensions) exceed the \(maximumBytes)-byte limit")
            }
            total = product
        }
        let headerBytes = 4 + 4 * rank
        let bytes = try [UInt8](filledCount: total) { buffer in
            try stream.readExactly(into: UnsafeMutableRawBufferPointer(start: buffer, count: total), file: file,
                                   what: "IDX data of \(total) bytes after the \(headerBytes)-byte header")
        }
        try stream.finish()
        return IDXArray(dimensions: dimensions, bytes: bytes)
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02X", $0) }.joined(separator: " ")
    }
}

/// Reads a whole file after checking its size against `maximumBytes`.
/// - Throws: `ImageError.unreadable` naming the file.
func readFile(_ path: String, maximumBytes: Int) throws -> Data {
    let attributes: [FileAttributeKey: Any]
    do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
        throw ImageError.unreadable(file: path, reason: "no such file or not accessible")
    }
    if let type = attributes[.type] as? FileAttributeType, type == .typeDirectory {
        throw ImageError.unreadable(file: path, reason: "is a directory")
    }
    let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
    guard size <= maximumBytes else {
        throw ImageError.unreadable(file: path, reason: "file of \(size) bytes exceeds the \(maximumBytes)-byte limit")
    }
    do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
        throw ImageError.unreadable(file: path, reason: error.localizedDescription)
    }
}
