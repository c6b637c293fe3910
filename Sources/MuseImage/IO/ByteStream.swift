import CZlib
import Foundation

/// A forward-only source of bytes that a reader pulls into buffers it sized itself, so that
/// nothing is allocated before the header that bounds it has been validated.
protocol ByteStream {
    /// Bytes delivered so far (offsets in errors count these).
    var position: Int { get }
    /// Fills as much of `buffer` as the data allows; returns how many bytes were written (fewer
    /// than `buffer.count` only at the end of the data).
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Confirms the data ends here: throws `ImageError.trailingData` if bytes remain and, for a
    /// compressed stream, `.truncated`/`.corrupt` if its end (and checksum) is missing or wrong.
    mutating func finish() throws
}

extension ByteStream {
    /// Reads exactly `count` bytes into `buffer`, or throws `.truncated` naming `what`.
    mutating func readExactly(into buffer: UnsafeMutableRawBufferPointer, file: String, what: String) throws {
        let start = position
        let got = try read(into: buffer)
        guard got == buffer.count else {
            throw ImageError.truncated(file: file, offset: start + got, needed: buffer.count - got, what: what)
        }
    }
}

/// The bytes of an uncompressed file, read straight through.
struct PlainByteStream: ByteStream {
    let data: Data
    let file: String
    private(set) var position = 0

    init(data: Data, file: String) {
        self.data = data
        self.file = file
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, data.count - position)
        guard n > 0, let out = buffer.baseAddress else { return 0 }
        data.withUnsafeBytes { src in
            out.copyMemory(from: src.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }

    mutating func finish() throws {
        let extra = data.count - position
        guard extra == 0 else { throw ImageError.trailingData(file: file, offset: position, extraBytes: extra) }
    }
}

/// A gzip file inflated through zlib on demand (RFC 1952; one member, CRC-32 and length checked
/// by zlib at the end). `position` counts decompressed bytes.
final class GzipByteStream: ByteStream {
    private let data: Data
    private let file: String
    private let stream: UnsafeMutablePointer<z_stream>
    private var ended = false
    private(set) var position = 0

    /// Starts inflating `data` (which must begin with the gzip magic 1F 8B).
    /// - Throws: `ImageError.corrupt` if zlib cannot start.
    init(data: Data, file: String) throws {
        self.data = data
        self.file = file
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: the largest window, and expect a gzip (not zlib) header.
        let status = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw ImageError.corrupt(file: file, offset: 0, reason: "zlib inflateInit2 failed (\(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let out = buffer.baseAddress, buffer.count > 0, !ended else { return 0 }
        return try data.withUnsafeBytes { raw -> Int in
            let input = raw.bindMemory(to: Bytef.self)
            let consumed = Int(stream.pointee.total_in)
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
            stream.pointee.avail_in = UInt32(clamping: input.count - consumed)
            stream.pointee.next_out = out.assumingMemoryBound(to: Bytef.self)
            var produced = 0
            while produced < buffer.count {
                stream.pointee.avail_out = UInt32(clamping: buffer.count - produced)
                let before = stream.pointee.total_out
                let status = inflate(stream, Z_NO_FLUSH)
                produced += Int(stream.pointee.total_out - before)
                if status == Z_STREAM_END { ended = true; break }
                // With room left for output, Z_BUF_ERROR means the compressed input ran out.
                if status == Z_BUF_ERROR { break }
                guard status == Z_OK else {
                    throw ImageError.corrupt(file: file, offset: Int(stream.pointee.total_in), reason: message(status))
                }
            }
            position += produced
            return produced
        }
    }

    func finish() throws {
        // Drain whatever is left, through a small scratch buffer, counting extra bytes.
        let end = position
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        while !ended {
            let got = try scratch.withUnsafeMutableBytes { try read(into: $0) }
            if got == 0 && !ended {
                throw ImageError.truncated(file: file, offset: data.count, needed: 1,
                                           what: "gzip stream (compressed-file offset; its end and CRC-32 trailer are missing)")
            }
        }
        if position > end { throw ImageError.trailingData(file: file, offset: end, extraBytes: position - end) }
        let consumed = Int(stream.pointee.total_in)
        if consumed < data.count {
            throw ImageError.trailingData(file: file, offset: consumed, extraBytes: data.count - consumed)
        }
    }

    private func message(_ status: Int32) -> String {
        if let msg = stream.pointee.msg { return String(cString: msg) }
        return "zlib status \(status)"
    }
}
