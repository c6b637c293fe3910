/// Everything that can go wrong in MuseImage: unreadable or malformed files (IDX, gzip, PNG,
/// JPEG), failed writes, and arguments that do not fit together.
///
/// Offsets are byte offsets into the file as stored, except for IDX fields inside a gzip
/// stream, whose offsets count bytes of the decompressed IDX data (the error says which).
/// `description` is one line, as the CLI prints it.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The data ends at `offset` where `needed` more bytes were expected.
    case truncated(file: String, offset: Int, needed: Int, what: String)
    /// The leading bytes are not the format's magic number.
    case badMagic(file: String, offset: Int, found: String, expected: String)
    /// A header field at `offset` holds a value this reader refuses (data type, rank, size).
    case badField(file: String, offset: Int, field: String, value: String, reason: String)
    /// Bytes left over after the data that the header describes ends at `offset`.
    case trailingData(file: String, offset: Int, extraBytes: Int)
    /// The compressed stream is damaged (zlib's message); `offset` is in the compressed file.
    case corrupt(file: String, offset: Int, reason: String)
    /// A PNG or JPEG decoder refused the file (the library's message).
    case decodeFailed(file: String, reason: String)
    /// A file could not be written.
    case writeFailed(file: String, reason: String)
    /// An argument outside its domain (sizes, counts, layouts that do not fit together).
    case invalidArgument(name: String, value: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read: \(reason)"
        case .truncated(let file, let offset, let needed, let what):
            return "\(file): truncated at offset \(offset): \(what) needs \(needed) more bytes"
        case .badMagic(let file, let offset, let found, let expected):
            return "\(file): bad magic number at offset \(offset): found \(found), expected \(expected)"
        case .badField(let file, let offset, let field, let value, let reason):
            return "\(file): \(field) = \(value) at offset \(offset): \(reason)"
        case .trailingData(let file, let offset, let extraBytes):
            return "\(file): \(extraBytes) unexpected bytes after the data ending at offset \(offset)"
        case .corrupt(let file, let offset, let reason):
            return "\(file): corrupt compressed data near offset \(offset): \(reason)"
        case .decodeFailed(let file, let reason):
            return "\(file): cannot decode: \(reason)"
        case .writeFailed(let file, let reason):
            return "\(file): cannot write: \(reason)"
        case .invalidArgument(let name, let value, let reason):
            return "\(name)=\(value): \(reason)"
        }
    }
}
