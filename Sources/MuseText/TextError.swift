/// Everything that can go wrong reading text, building or loading a tokenizer, or encoding and
/// decoding in MuseText.
///
/// Cases name the file (nil for text given in memory), the byte offset from the start of that
/// file or buffer, and the problem; `description` is one line, ready for the CLI
/// (`<file>: offset <n>: <problem>`).
public enum TextError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file or folder could not be opened, listed or read (the OS's reason).
    case cannotRead(file: String, reason: String)
    /// A file could not be written (the OS's reason).
    case cannotWrite(file: String, reason: String)
    /// A file is larger than the reader's limit, bytes.
    case fileTooLarge(file: String, bytes: Int, limitBytes: Int)
    /// A folder holds no `.txt` file.
    case noTextFiles(directory: String)
    /// There is no text where some was needed (an empty file, corpus or training text).
    case emptyInput(file: String?)
    /// The bytes at `offset` do not start a well-formed UTF-8 sequence (RFC 3629, the Unicode
    /// standard's table 3-7); `problem` is as Python's decoder words it.
    case invalidUTF8(file: String?, offset: Int, byte: UInt8, problem: String)
    /// A character tokenizer met a Unicode scalar that is not in its vocabulary.
    case unknownCharacter(file: String?, offset: Int, scalar: UInt32)
    /// A token id outside `0..<vocabularySize`, at index `position` of the ids decoded.
    case tokenOutOfRange(position: Int, id: Int32, vocabularySize: Int)
    /// A saved vocabulary (`vocab.json`) that does not decode or does not hold together.
    case badVocabulary(file: String, field: String, problem: String)
    /// A parameter outside its allowed range (`vocabSize` below 256, a split fraction past 1…).
    case badParameter(name: String, value: String, problem: String)
    /// Token ids do not fit the narrower integer type asked for.
    case vocabularyTooLarge(vocabularySize: Int, limit: Int)

    public var description: String {
        func place(_ file: String?, _ offset: Int) -> String {
            (file.map { "\($0): " } ?? "") + "offset \(offset)"
        }
        switch self {
        case let .cannotRead(file, reason): return "\(file): cannot read: \(reason)"
        case let .cannotWrite(file, reason): return "\(file): cannot write: \(reason)"
        case let .fileTooLarge(file, bytes, limit): return "\(file): file of \(bytes) bytes is larger than the limit of \(limit) bytes"
        case let .noTextFiles(directory): return "\(directory): no .txt files in this folder"
        case let .emptyInput(file): return (file.map { "\($0): " } ?? "") + "offset 0: no text"
        case let .invalidUTF8(file, offset, byte, problem):
            return "\(place(file, offset)): invalid UTF-8: byte 0x\(hex(byte)): \(problem)"
        case let .unknownCharacter(file, offset, scalar):
            let shown = Unicode.Scalar(scalar).map { " \"\(String($0).debugDescription.dropFirst().dropLast())\"" } ?? ""
            return "\(place(file, offset)): character U+\(String(scalar, radix: 16, uppercase: true))\(shown) is not in the vocabulary"
        case let .tokenOutOfRange(position, id, size): return "token \(position): id \(id) is outside the vocabulary of \(size) tokens"
        case let .badVocabulary(file, field, problem): return "\(file): \(field): \(problem)"
        case let .badParameter(name, value, problem): return "\(name) = \(value): \(problem)"
        case let .vocabularyTooLarge(size, limit): return "a vocabulary of \(size) tokens does not fit ids below \(limit)"
        }
    }
}

private func hex(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return digits.count == 1 ? "0" + digits : digits
}
