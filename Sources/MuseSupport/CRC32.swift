import Foundation

/// CRC-32 (IEEE 802.3, zlib's and PNG's: reflected polynomial 0xEDB88320, initial and final XOR
/// 0xFFFFFFFF), for checksums that catch a damaged file.
public struct CRC32: Sendable {
    /// 256-entry lookup table for one byte at a time.
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    private var state: UInt32 = 0xFFFF_FFFF

    /// An empty checksum.
    public init() {}

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var c = state
        Self.table.withUnsafeBufferPointer { table in
            for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        }
        state = c
    }

    /// The checksum of everything added so far.
    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    /// The CRC-32 of `data`.
    public static func checksum(_ data: Data) -> UInt32 {
        var crc = CRC32()
        data.withUnsafeBytes { crc.update($0) }
        return crc.value
    }

    /// The CRC-32 of the file at `url`, read 1 MiB at a time.
    /// - Throws: `SupportError.io` naming the file.
    public static func checksum(ofFile url: URL) throws -> UInt32 {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw SupportError.io(file: url.path, reason: "cannot open")
        }
        defer { try? handle.close() }
        var crc = CRC32()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw SupportError.io(file: url.path, reason: "cannot read: \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { crc.update($0) }
        }
        return crc.value
    }
}
