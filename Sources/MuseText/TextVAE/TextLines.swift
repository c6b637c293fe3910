import Foundation

/// Text cut into lines, the unit a sentence VAE reads and writes: split at "\n", a trailing "\r"
/// removed, blank lines (nothing but spaces and tabs) skipped.
public enum TextLines {
    /// The non-blank lines of UTF-8 `bytes`, without their line ends.
    public static func lines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var start = 0
        func add(_ end: Int) {
            var line = bytes[start..<end]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) { out.append(line) }
        }
        for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            add(i)
            start = i + 1
        }
        if start < bytes.count { add(bytes.count) }
        return out
    }

    /// The token ids of each non-blank line of `bytes`.
    /// - Throws: what `tokenizer` throws (invalid UTF-8, a character it lacks), the offset
    ///   counted from the start of `bytes`.
    public static func encode(_ bytes: [UInt8], with tokenizer: any TextTokenizer, file: String?) throws -> [[Int32]] {
        try UTF8Text.validate(bytes, file: file)
        return try lines(of: bytes).map { line in
            do { return try tokenizer.encode(utf8: Array(line), file: file) } catch let TextError.unknownCharacter(f, offset, scalar) {
                throw TextError.unknownCharacter(file: f, offset: line.startIndex + offset, scalar: scalar)
            }
        }
    }
}
