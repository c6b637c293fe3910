import CZlib
import Foundation

/// The entries of a zip archive (PKWARE APPNOTE 6.3: end-of-central-directory record, central
/// directory, local headers; stored and deflated entries), read from bytes in memory — what a
/// compressed MusicXML file (`.mxl`) is. Every offset, count and size read from the archive is
/// checked against the bytes there are before anything is allocated; an entry inflates to at most
/// the size its header declares (itself at most `maximumEntryBytes`) and must match its CRC-32.
/// Multi-disk archives, ZIP64 and encryption are refused.
public struct ZipArchive {
    /// One file of the archive, from the central directory.
    public struct Entry: Equatable, Sendable {
        /// Path inside the archive (`META-INF/container.xml`).
        public var name: String
        /// 0 stored, 8 deflated.
        public var method: Int
        /// CRC-32 of the uncompressed bytes.
        public var crc32: UInt32
        /// Bytes in the archive.
        public var compressedSize: Int
        /// Bytes once inflated.
        public var uncompressedSize: Int
        /// Offset of the entry's local header in the archive.
        public var localHeaderOffset: Int
        /// General-purpose flags (bit 0: encrypted).
        public var flags: Int
    }

    /// Largest entry inflated, bytes (a MusicXML score is rarely above a few MB).
    public static let maximumEntryBytes = 64 << 20
    /// Largest expansion deflate can reach (RFC 1951: about 1032 to 1); a declared size above
    /// `compressedSize · maximumRatio` cannot be true.
    public static let maximumRatio = 1032

    /// Where the bytes came from, for errors.
    public let file: String
    /// The archive's entries in central-directory order.
    public let entries: [Entry]
    private let bytes: [UInt8]

    /// Reads the end-of-central-directory record and the central directory of `bytes`.
    /// - Throws: `MusicXMLError` naming `file`, the offset and the field that does not fit.
    public init(bytes: [UInt8], file: String = "<memory>") throws {
        self.file = file
        self.bytes = bytes
        let n = bytes.count
        func fail(_ offset: Int, _ reason: String) -> MusicXMLError { MusicXMLError(file: file, reason: "zip: \(reason) (offset \(offset))") }
        guard n >= 22 else { throw fail(0, "\(n) bytes are too few for a zip archive (at least 22)") }
        // The record is 22 bytes plus a comment of at most 65,535: search back from the end.
        var eocd = -1
        var at = n - 22
        let lowest = max(0, n - 22 - 0xFFFF)
        while at >= lowest {
            if Self.u32(bytes, at) == 0x0605_4B50 { eocd = at; break }
            at -= 1
        }
        guard eocd >= 0 else { throw fail(max(0, n - 22), "no end-of-central-directory record (not a zip archive, or truncated)") }
        let disk = Self.u16(bytes, eocd + 4), cdDisk = Self.u16(bytes, eocd + 6)
        let entriesHere = Self.u16(bytes, eocd + 8), entriesTotal = Self.u16(bytes, eocd + 10)
        let cdSize = Int(Self.u32(bytes, eocd + 12)), cdOffset = Int(Self.u32(bytes, eocd + 16))
        let commentLength = Self.u16(bytes, eocd + 20)
        guard disk == 0, cdDisk == 0, entriesHere == entriesTotal else { throw fail(eocd + 4, "multi-disk archives are not supported") }
        guard entriesTotal != 0xFFFF, cdSize != 0xFFFF_FFFF, cdOffset != 0xFFFF_FFFF else { throw fail(eocd + 8, "ZIP64 archives are not supported") }
        guard eocd + 22 + commentLength <= n else { throw fail(eocd + 20, "comment of \(commentLength) bytes runs past the end of the file") }
        guard cdOffset <= eocd, cdSize <= eocd - cdOffset else {
            throw fail(eocd + 12, "central directory (\(cdSize) bytes at \(cdOffset)) lies outside the \(eocd) bytes before its end record")
        }
        // Each entry takes at least 46 bytes: the count is bounded by the directory's size.
        guard entriesTotal * 46 <= cdSize else { throw fail(eocd + 10, "\(entriesTotal) entries cannot fit in a central directory of \(cdSize) bytes") }
        var entries: [Entry] = []
        entries.reserveCapacity(entriesTotal)
        var p = cdOffset
        let end = cdOffset + cdSize
        for index in 0..<entriesTotal {
            guard end - p >= 46 else { throw fail(p, "central directory entry \(index) is truncated") }
            guard Self.u32(bytes, p) == 0x0201_4B50 else { throw fail(p, "central directory entry \(index) has a wrong signature") }
            let flags = Self.u16(bytes, p + 8), method = Self.u16(bytes, p + 10)
            let crc = Self.u32(bytes, p + 16)
            let compressed = Int(Self.u32(bytes, p + 20)), uncompressed = Int(Self.u32(bytes, p + 24))
            let nameLength = Self.u16(bytes, p + 28), extraLength = Self.u16(bytes, p + 30), commentLength = Self.u16(bytes, p + 32)
            let local = Int(Self.u32(bytes, p + 42))
            guard 46 + nameLength + extraLength + commentLength <= end - p else {
                throw fail(p + 28, "central directory entry \(index)'s name, extra field and comment run past the directory")
            }
            guard compressed != 0xFFFF_FFFF, uncompressed != 0xFFFF_FFFF, local != 0xFFFF_FFFF else {
                throw fail(p + 20, "entry \(index) uses ZIP64 sizes, which are not supported")
            }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            entries.append(Entry(name: name, method: method, crc32: crc, compressedSize: compressed, uncompressedSize: uncompressed,
                                 localHeaderOffset: local, flags: flags))
            p += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    /// The entry called `name`, if any.
    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// The uncompressed bytes of `entry`.
    /// - Throws: `MusicXMLError` for an encrypted entry, an unknown method, sizes that do not fit
    ///   the file or exceed `maximumEntryBytes`, damaged deflate data or a CRC-32 mismatch.
    public func contents(of entry: Entry) throws -> [UInt8] {
        func fail(_ offset: Int, _ reason: String) -> MusicXMLError {
            MusicXMLError(file: file, reason: "zip entry \(entry.name): \(reason) (offset \(offset))")
        }
        let h = entry.localHeaderOffset
        guard entry.flags & 1 == 0 else { throw fail(h, "is encrypted") }
        guard entry.method == 0 || entry.method == 8 else { throw fail(h, "compression method \(entry.method) is not supported (only stored and deflate)") }
        guard h <= bytes.count, bytes.count - h >= 30 else { throw fail(h, "local header lies past the end of the \(bytes.count)-byte file") }
        guard Self.u32(bytes, h) == 0x0403_4B50 else { throw fail(h, "local header has a wrong signature") }
        let start = h + 30 + Self.u16(bytes, h + 26) + Self.u16(bytes, h + 28)
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw fail(h, "\(entry.compressedSize) compressed bytes at \(start) run past the end of the \(bytes.count)-byte file")
        }
        guard entry.uncompressedSize <= Self.maximumEntryBytes else {
            throw fail(h, "declares \(entry.uncompressedSize) uncompressed bytes, more than the \(Self.maximumEntryBytes) allowed")
        }
        let data = bytes[start..<(start + entry.compressedSize)]
        var out: [UInt8]
        if entry.method == 0 {
            guard entry.compressedSize == entry.uncompressedSize else {
                throw fail(h, "stored entry declares \(entry.compressedSize) bytes stored but \(entry.uncompressedSize) uncompressed")
            }
            out = Array(data)
        } else {
            guard entry.uncompressedSize <= max(1, entry.compressedSize) * Self.maximumRatio else {
                throw fail(h, "declares \(entry.uncompressedSize) bytes from \(entry.compressedSize) compressed, beyond deflate's ratio")
            }
            out = try Self.inflateRaw(Array(data), expected: entry.uncompressedSize) { offset, reason in fail(start + offset, reason) }
        }
        let crc = out.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: crc32(0, $0.baseAddress, uInt($0.count))) }
        guard crc == entry.crc32 else { throw fail(start, String(format: "CRC-32 %08x does not match the declared %08x", crc, entry.crc32)) }
        return out
    }

    /// Inflates raw deflate data (no zlib or gzip header) that must produce exactly `expected` bytes.
    static func inflateRaw(_ input: [UInt8], expected: Int, fail: (Int, String) -> MusicXMLError) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: expected)
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw fail(0, "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var spare: UInt8 = 0
        let status: Int32 = input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
                stream.avail_in = uInt(src.count)
                stream.next_out = dst.baseAddress
                stream.avail_out = uInt(dst.count)
                var code = inflate(&stream, Z_FINISH)
                // Output full but the stream not ended: one more byte would be too many.
                if code != Z_STREAM_END, stream.avail_out == 0, code == Z_OK || code == Z_BUF_ERROR {
                    withUnsafeMutablePointer(to: &spare) { extra in
                        stream.next_out = extra
                        stream.avail_out = 1
                        code = inflate(&stream, Z_FINISH)
                        if stream.avail_out == 0 { code = Z_DATA_ERROR - 100 }
                    }
                }
                return code
            }
        }
        let consumed = Int(stream.total_in)
        switch status {
        case Z_STREAM_END:
            guard Int(stream.total_out) == expected else {
                throw fail(consumed, "inflates to \(stream.total_out) bytes, not the declared \(expected)")
            }
            return out
        case Z_DATA_ERROR - 100:
            throw fail(consumed, "inflates to more than the declared \(expected) bytes")
        case Z_BUF_ERROR:
            throw fail(consumed, "deflate data is truncated")
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
            throw fail(consumed, "damaged deflate data (\(message))")
        }
    }

    static func u16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
    static func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
}
