import Foundation

/// One token per Unicode scalar, the vocabulary being the scalars of a training text sorted by code
/// point: nanoGPT's shakespeare_char (`chars = sorted(list(set(data)))`), so any script works
/// (Chinese, emoji, combining marks are each their own scalar).
///
/// Scalars, not Swift `Character`s (grapheme clusters): "é" written as e + U+0301 is two tokens, as
/// in Python. Encoding a scalar the vocabulary lacks throws `TextError.unknownCharacter`.
public struct CharacterTokenizer: TextTokenizer, Equatable {
    /// The scalars in id order (ascending code points when built from text).
    public let scalars: [Unicode.Scalar]
    /// Code point → id for the whole vocabulary.
    private let ids: [UInt32: Int32]
    /// Id of each ASCII code point, -1 where absent: the common case without hashing.
    private let asciiIDs: [Int32]

    public var kind: TokenizerKind { .char }
    public var vocabularySize: Int { scalars.count }

    /// The tokenizer whose vocabulary is every scalar of `text`, sorted by code point.
    /// - Throws: `TextError.emptyInput` for empty text.
    public init(training text: String) throws {
        guard !text.isEmpty else { throw TextError.emptyInput(file: nil) }
        var seen = Set<Unicode.Scalar>()
        for scalar in text.unicodeScalars { seen.insert(scalar) }
        try self.init(scalars: seen.sorted())
    }

    /// The tokenizer with exactly these scalars, ids in the order given.
    /// - Throws: `TextError.badParameter` for an empty list or a duplicate.
    public init(scalars: [Unicode.Scalar]) throws {
        guard !scalars.isEmpty else { throw TextError.badParameter(name: "scalars", value: "[]", problem: "a vocabulary needs at least one character") }
        var ids: [UInt32: Int32] = [:]
        ids.reserveCapacity(scalars.count)
        var ascii = [Int32](repeating: -1, count: 128)
        for (id, scalar) in scalars.enumerated() {
            let value = scalar.value
            guard ids.updateValue(Int32(id), forKey: value) == nil else {
                throw TextError.badParameter(name: "scalars[\(id)]", value: "U+" + String(value, radix: 16, uppercase: true), problem: "appears twice")
            }
            if value < 128 { ascii[Int(value)] = Int32(id) }
        }
        self.scalars = scalars
        self.ids = ids
        self.asciiIDs = ascii
    }

    /// The id of one scalar, or nil when the vocabulary lacks it.
    @inline(__always)
    public func id(of scalar: UInt32) -> Int32? {
        if scalar < 128 {
            let id = asciiIDs[Int(scalar)]
            return id >= 0 ? id : nil
        }
        return ids[scalar]
    }

    public func encode(_ text: String, file: String?) throws -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(text.utf8.count)
        var offset = 0
        for scalar in text.unicodeScalars {
            guard let id = id(of: scalar.value) else {
                throw TextError.unknownCharacter(file: file, offset: offset, scalar: scalar.value)
            }
            out.append(id)
            offset += UTF8.width(scalar)
        }
        return out
    }

    public func encode(utf8 bytes: [UInt8], file: String?) throws -> [Int32] {
        try bytes.withUnsafeBufferPointer { buffer in
            var out: [Int32] = []
            out.reserveCapacity(buffer.count)
            var offset = 0
            while offset < buffer.count {
                let (value, length) = try UTF8Text.scalar(in: buffer, at: offset, file: file)
                guard let id = id(of: value) else {
                    throw TextError.unknownCharacter(file: file, offset: offset, scalar: value)
                }
                out.append(id)
                offset += length
            }
            return out
        }
    }

    public func decodeBytes(_ ids: [Int32]) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ids.count)
        for (position, id) in ids.enumerated() {
            guard id >= 0 && Int(id) < scalars.count else {
                throw TextError.tokenOutOfRange(position: position, id: id, vocabularySize: scalars.count)
            }
            let scalar = scalars[Int(id)]
            if scalar.value < 128 { out.append(UInt8(scalar.value)) } else { UTF8.encode(scalar) { out.append($0) } }
        }
        return out
    }

    /// `{"kind": "char", "version": 1, "characters": ["\n", " ", "!", …]}`: each entry one scalar,
    /// in id order.
    public func jsonData() throws -> Data {
        let characters = scalars.map { String($0) }
        let file = TokenizerFile.Character(kind: .char, version: TokenizerFile.version, characters: characters)
        return try TokenizerFile.encoder.encode(file)
    }

    public static func == (a: CharacterTokenizer, b: CharacterTokenizer) -> Bool { a.scalars == b.scalars }
}
