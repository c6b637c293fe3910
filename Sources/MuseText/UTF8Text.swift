/// Strict UTF-8 decoding of byte buffers, Unicode scalar by scalar, with the byte offset of the
/// first ill-formed sequence in the error.
///
/// Well-formed means the Unicode standard's table 3-7 (RFC 3629): no overlong forms, no
/// surrogates (U+D800–U+DFFF), nothing past U+10FFFF. The offset and wording of errors are those
/// of Python's `bytes.decode("utf-8")` (`UnicodeDecodeError.start` and `.reason`).
public enum UTF8Text {
    /// The scalar starting at byte `offset` of `bytes` and its length, bytes (1–4).
    /// - Throws: `TextError.invalidUTF8` naming `file` and `offset` if no well-formed sequence starts there.
    @inline(__always)
    public static func scalar(in bytes: UnsafeBufferPointer<UInt8>, at offset: Int, file: String?) throws -> (value: UInt32, length: Int) {
        let lead = bytes[offset]
        if lead < 0x80 { return (UInt32(lead), 1) }
        // Lead byte: sequence length and the allowed range of the second byte (table 3-7).
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw TextError.invalidUTF8(file: file, offset: offset, byte: lead, problem: "invalid start byte")
        }
        var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for k in 1..<length {
            guard offset + k < bytes.count else {
                throw TextError.invalidUTF8(file: file, offset: offset, byte: lead, problem: "unexpected end of data")
            }
            let byte = bytes[offset + k]
            guard byte >= low && byte <= high else {
                throw TextError.invalidUTF8(file: file, offset: offset, byte: lead, problem: "invalid continuation byte")
            }
            value = value << 6 | UInt32(byte & 0x3F)
            low = 0x80; high = 0xBF
        }
        return (value, length)
    }

    /// Throws unless all of `bytes` is well-formed UTF-8; ASCII runs are skipped eight bytes at a time.
    /// - Throws: `TextError.invalidUTF8` naming `file` and the offset of the first ill-formed sequence.
    public static func validate(_ bytes: UnsafeBufferPointer<UInt8>, file: String?) throws {
        var offset = 0
        let count = bytes.count
        guard let base = bytes.baseAddress else { return }
        while offset < count {
            if offset + 8 <= count {
                let word = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 { offset += 8; continue }
            }
            offset += try scalar(in: bytes, at: offset, file: file).length
        }
    }

    /// Throws unless all of `bytes` is well-formed UTF-8 (see `validate(_:file:)`).
    public static func validate(_ bytes: [UInt8], file: String?) throws {
        try bytes.withUnsafeBufferPointer { try validate($0, file: file) }
    }

    /// The scalars of `bytes` as code points, after checking every sequence.
    /// - Throws: `TextError.invalidUTF8` naming `file` and the offset of the first ill-formed sequence.
    public static func scalars(of bytes: [UInt8], file: String?) throws -> [UInt32] {
        try bytes.withUnsafeBufferPointer { buffer in
            var values: [UInt32] = []
            values.reserveCapacity(buffer.count)
            var offset = 0
            while offset < buffer.count {
                let (value, length) = try scalar(in: buffer, at: offset, file: file)
                values.append(value)
                offset += length
            }
            return values
        }
    }

    /// The text of `bytes`, after checking every sequence (Swift's `String(decoding:)` would
    /// silently put U+FFFD where the bytes are ill-formed).
    /// - Throws: `TextError.invalidUTF8` naming `file` and the offset of the first ill-formed sequence.
    public static func string(from bytes: [UInt8], file: String?) throws -> String {
        try validate(bytes, file: file)
        return String(decoding: bytes, as: UTF8.self)
    }
}
