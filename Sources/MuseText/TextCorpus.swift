import Foundation

/// A body of UTF-8 text to train on: one file, or every `.txt` file of a folder (recursively, in
/// path order, joined by one "\n"), checked to be well-formed UTF-8 as it is read.
///
/// `split` and `encode` cut it into training and validation text by position, as nanoGPT's
/// `data/shakespeare_char/prepare.py`: the first `int(n * 0.9)` of its n characters (Unicode
/// scalars, Python's `len`) train, the rest validate.
public struct TextCorpus: Sendable {
    /// The file or folder read (nil for text given in memory).
    public let path: String?
    /// The files read, in order (empty for text given in memory).
    public let files: [String]
    /// The whole text as UTF-8 bytes (well-formed).
    public let bytes: [UInt8]
    /// Largest corpus read, bytes over all files.
    public static let maximumBytes = 1 << 30

    /// The text read from `path`: a file, or a folder's `.txt` files.
    /// - Throws: `TextError.cannotRead`, `.noTextFiles`, `.fileTooLarge`, `.emptyInput` when there
    ///   is no text at all, `.invalidUTF8` naming the file and byte offset within it.
    public init(contentsOf path: String) throws {
        let files = TextFiles.isDirectory(path) ? try TextFiles.textFiles(in: path) : [path]
        var bytes: [UInt8] = []
        for (i, file) in files.enumerated() {
            let content = try TextFiles.read(file, limitBytes: TextCorpus.maximumBytes - bytes.count)
            try UTF8Text.validate(content, file: file)
            if i > 0 { bytes.append(UInt8(ascii: "\n")) }
            bytes.append(contentsOf: content)
        }
        guard bytes.contains(where: { $0 != UInt8(ascii: "\n") }) else { throw TextError.emptyInput(file: path) }
        self.path = path
        self.files = files
        self.bytes = bytes
    }

    /// A corpus of `text` in memory.
    /// - Throws: `TextError.emptyInput` for empty text.
    public init(text: String) throws {
        guard !text.isEmpty else { throw TextError.emptyInput(file: nil) }
        path = nil
        files = []
        bytes = Array(text.utf8)
    }

    /// The whole text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Number of Unicode scalars (Python's `len` of the decoded text).
    public var scalarCount: Int { bytes.reduce(0) { $0 + ($1 & 0xC0 != 0x80 ? 1 : 0) } }

    /// The byte offset where training text ends: after the first `Int(Double(n) * trainFraction)`
    /// scalars of n (nanoGPT's `int(n*0.9)`).
    /// - Throws: `TextError.badParameter` unless 0 ≤ trainFraction ≤ 1.
    public func splitOffset(trainFraction: Double = 0.9) throws -> Int {
        guard trainFraction >= 0 && trainFraction <= 1 else {
            throw TextError.badParameter(name: "trainFraction", value: "\(trainFraction)", problem: "must be from 0 to 1")
        }
        let trainScalars = Int(Double(scalarCount) * trainFraction)
        var seen = 0
        for (offset, byte) in bytes.enumerated() where byte & 0xC0 != 0x80 {
            if seen == trainScalars { return offset }
            seen += 1
        }
        return bytes.count
    }

    /// Training and validation text as UTF-8 bytes, cut at `splitOffset(trainFraction:)`.
    public func split(trainFraction: Double = 0.9) throws -> (train: ArraySlice<UInt8>, validation: ArraySlice<UInt8>) {
        let cut = try splitOffset(trainFraction: trainFraction)
        return (bytes[..<cut], bytes[cut...])
    }

    /// Training and validation token ids: each part encoded on its own, as prepare.py does.
    /// - Throws: what `tokenizer` throws (a character the vocabulary lacks: the error names the
    ///   corpus and part, its offset counts from the start of that part), `TextError.badParameter`.
    public func encode(with tokenizer: any TextTokenizer, trainFraction: Double = 0.9) throws -> TokenizedCorpus {
        let (train, validation) = try split(trainFraction: trainFraction)
        let name = path ?? "text"
        return TokenizedCorpus(train: try tokenizer.encode(utf8: Array(train), file: name + " (training part)"),
                               validation: try tokenizer.encode(utf8: Array(validation), file: name + " (validation part)"),
                               vocabularySize: tokenizer.vocabularySize)
    }
}
