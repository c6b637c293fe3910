/// Splits text into the chunks a byte-level BPE merges within (merges never cross a chunk), by
/// GPT-2's pattern (openai/gpt-2 `encoder.py`):
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// written out by hand (no regex engine): at each position the first alternative that matches
/// wins, runs are greedy, and a run of whitespace before a non-space leaves its last scalar to the
/// next chunk (so words keep their leading space, " the"). `\p{L}` is the Letter categories, `\p{N}`
/// the Number ones, `\s` the White_Space property, as Python's `regex` module reads them.
/// Contractions are case-sensitive and use the ASCII apostrophe only, as GPT-2's.
public struct PreTokenizer: Sendable {
    /// How GPT-2's pattern classes a scalar.
    public enum ScalarClass: UInt8, Sendable {
        /// `\p{L}`: general category Lu, Ll, Lt, Lm or Lo.
        case letter
        /// `\p{N}`: general category Nd, Nl or No.
        case number
        /// `\s`: the White_Space property.
        case whitespace
        /// Everything else (punctuation, symbols, marks, controls, emoji).
        case other
    }

    /// Class of each ASCII code point, computed once from the same rule as other scalars.
    private let asciiClasses: [ScalarClass]

    /// The pre-tokenizer of GPT-2's pattern.
    public init() {
        asciiClasses = (0..<128).map { PreTokenizer.classify(Unicode.Scalar(UInt8($0))) }
    }

    /// GPT-2's class of one scalar.
    public static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return scalar.properties.isWhitespace ? .whitespace : .other
        }
    }

    @inline(__always)
    private func classOf(_ value: UInt32) -> ScalarClass {
        if value < 128 { return asciiClasses[Int(value)] }
        guard let scalar = Unicode.Scalar(value) else { return .other }
        return PreTokenizer.classify(scalar)
    }

    /// Calls `body` with the byte range of each chunk of `text`, in order; the ranges tile the text.
    /// `text` must be well-formed UTF-8 (checked by the caller, e.g. `UTF8Text.validate`).
    public func forEachChunk(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) throws -> Void) rethrows {
        let count = text.count
        // Decodes the scalar at `offset` of already-validated text: (code point, length in bytes).
        @inline(__always) func scalar(at offset: Int) -> (UInt32, Int) {
            let lead = text[offset]
            if lead < 0x80 { return (UInt32(lead), 1) }
            if lead < 0xE0 { return (UInt32(lead & 0x1F) << 6 | UInt32(text[offset + 1] & 0x3F), 2) }
            if lead < 0xF0 {
                return (UInt32(lead & 0x0F) << 12 | UInt32(text[offset + 1] & 0x3F) << 6 | UInt32(text[offset + 2] & 0x3F), 3)
            }
            return (UInt32(lead & 0x07) << 18 | UInt32(text[offset + 1] & 0x3F) << 12
                    | UInt32(text[offset + 2] & 0x3F) << 6 | UInt32(text[offset + 3] & 0x3F), 4)
        }
        @inline(__always) func byte(_ offset: Int) -> UInt8 { offset < count ? text[offset] : 0 }
        // End of the run of scalars of class `kind` starting at `offset`.
        @inline(__always) func runEnd(from offset: Int, of kind: ScalarClass) -> Int {
            var end = offset
            while end < count {
                let (value, length) = scalar(at: end)
                if classOf(value) != kind { break }
                end += length
            }
            return end
        }

        var start = 0
        while start < count {
            let (first, firstLength) = scalar(at: start)
            // 's 't 're 've 'm 'll 'd
            if first == 0x27 {
                let b1 = byte(start + 1), b2 = byte(start + 2)
                var length = 0
                switch b1 {
                case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"): length = 2
                case UInt8(ascii: "r"), UInt8(ascii: "v"): length = b2 == UInt8(ascii: "e") ? 3 : 0
                case UInt8(ascii: "l"): length = b2 == UInt8(ascii: "l") ? 3 : 0
                default: length = 0
                }
                if length > 0 {
                    try body(start..<(start + length))
                    start += length
                    continue
                }
            }
            var kind = classOf(first)
            // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional space, then a run of one class.
            var runStart = start
            if first == 0x20, start + 1 < count {
                let (next, _) = scalar(at: start + 1)
                let nextKind = classOf(next)
                if nextKind != .whitespace { kind = nextKind; runStart = start + 1 }
            }
            if kind != .whitespace {
                let end = runEnd(from: runStart, of: kind)
                try body(start..<end)
                start = end
                continue
            }
            // `\s+(?!\S)` then `\s+`: a whitespace run; if a non-space follows and the run has two
            // or more scalars, its last one is left to start the next chunk.
            var end = start + firstLength
            var lastStart = start
            while end < count {
                let (value, length) = scalar(at: end)
                if classOf(value) != .whitespace { break }
                lastStart = end
                end += length
            }
            if end < count && lastStart > start { end = lastStart }
            try body(start..<end)
            start = end
        }
    }

    /// The chunks of `text` as strings (for tests and inspection).
    public func chunks(of text: String) -> [String] {
        var bytes = Array(text.utf8)
        var out: [String] = []
        bytes.withUnsafeMutableBufferPointer { buffer in
            forEachChunk(in: UnsafeBufferPointer(buffer)) { range in
                out.append(String(decoding: buffer[range], as: UTF8.self))
            }
        }
        return out
    }
}
