import Foundation

/// The kinds of tokenizer MuseText builds, as named on the command line (`--tokenizer char|bpe`)
/// and in the `"kind"` field of a saved `vocab.json`.
public enum TokenizerKind: String, Codable, CaseIterable, Sendable {
    /// One token per Unicode scalar (`CharacterTokenizer`), as nanoGPT's shakespeare_char.
    case char
    /// Byte-level byte-pair encoding (`BPETokenizer`), as GPT-2's.
    case bpe
}

/// Turns text into token ids and back; every tokenizer can be saved as JSON and loaded again with
/// `TokenizerFile.load(_:)`.
///
/// Ids are `Int32` in `0..<vocabularySize`. Text given as bytes is checked to be UTF-8 first, so
/// ill-formed input is reported with its byte offset instead of being replaced.
public protocol TextTokenizer: Sendable {
    /// Which kind this is (the `"kind"` field of its JSON).
    var kind: TokenizerKind { get }
    /// Number of distinct token ids.
    var vocabularySize: Int { get }
    /// The ids of `text`. `file` only names the text in errors.
    func encode(_ text: String, file: String?) throws -> [Int32]
    /// The ids of UTF-8 `bytes`. `file` names the bytes in errors.
    /// - Throws: `TextError.invalidUTF8` with the byte offset of the first ill-formed sequence.
    func encode(utf8 bytes: [UInt8], file: String?) throws -> [Int32]
    /// The UTF-8 bytes the ids stand for, concatenated.
    /// - Throws: `TextError.tokenOutOfRange` for an id outside the vocabulary.
    func decodeBytes(_ ids: [Int32]) throws -> [UInt8]
    /// The tokenizer as JSON (the content of `vocab.json`).
    func jsonData() throws -> Data
}

extension TextTokenizer {
    /// The ids of `text`.
    public func encode(_ text: String) throws -> [Int32] { try encode(text, file: nil) }

    /// The text the ids stand for. With `lossy` false an id sequence whose bytes are not UTF-8 (a
    /// byte-level BPE token can hold part of a character) throws; with `lossy` true each
    /// ill-formed sequence becomes U+FFFD, as Python's `decode(errors="replace")` (for sampling).
    /// - Throws: `TextError.tokenOutOfRange`; `TextError.invalidUTF8` (offset into the decoded bytes) unless lossy.
    public func decode(_ ids: [Int32], lossy: Bool = false) throws -> String {
        let bytes = try decodeBytes(ids)
        if lossy { return String(decoding: bytes, as: UTF8.self) }
        return try UTF8Text.string(from: bytes, file: nil)
    }

    /// Writes `jsonData()` to `path` through a temporary file and a rename, so a crash never leaves
    /// half a vocabulary.
    /// - Throws: `TextError.cannotWrite`.
    public func save(to path: String) throws {
        let data = try jsonData()
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw TextError.cannotWrite(file: path, reason: error.localizedDescription)
        }
    }
}
