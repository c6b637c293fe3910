import Foundation

/// The JSON form of a tokenizer (`vocab.json`), and loading one of either kind with every field
/// checked.
///
///     {"kind": "char", "version": 1, "characters": ["\n", " ", "!", …]}
///     {"kind": "bpe", "version": 1, "pattern": "gpt2", "merges": [[101, 32], …]}
public enum TokenizerFile {
    /// Format version written, and the only one read.
    public static let version = 1
    /// Name of GPT-2's pre-tokenizer pattern in the `"pattern"` field (the only one there is).
    public static let gpt2Pattern = "gpt2"
    /// Largest `vocab.json` read, bytes (a 1,048,576-token BPE is ~20 MB).
    public static let maximumFileBytes = 64 << 20

    struct Header: Decodable {
        var kind: String
        var version: Int
    }

    struct Character: Codable {
        var kind: TokenizerKind
        var version: Int
        var characters: [String]
    }

    struct BPE: Codable {
        var kind: TokenizerKind
        var version: Int
        var pattern: String
        var merges: [[Int32]]
    }

    /// Compact JSON with sorted keys, so equal tokenizers give equal bytes.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Reads the tokenizer saved at `path`.
    /// - Throws: `TextError.cannotRead`, `.fileTooLarge`, `.emptyInput`, `.badVocabulary` naming the field.
    public static func load(_ path: String) throws -> any TextTokenizer {
        let data = try TextFiles.read(path, limitBytes: maximumFileBytes)
        guard !data.isEmpty else { throw TextError.emptyInput(file: path) }
        return try decode(Data(data), file: path)
    }

    /// The tokenizer in `data`; `file` names it in errors.
    /// - Throws: `TextError.badVocabulary` naming the field and what is wrong with it.
    public static func decode(_ data: Data, file: String) throws -> any TextTokenizer {
        let header = try decodeJSON(Header.self, from: data, file: file)
        guard header.version == version else {
            throw TextError.badVocabulary(file: file, field: "version", problem: "version \(header.version) is not the supported \(version)")
        }
        switch TokenizerKind(rawValue: header.kind) {
        case .char:
            let saved = try decodeJSON(Character.self, from: data, file: file)
            var scalars: [Unicode.Scalar] = []
            scalars.reserveCapacity(saved.characters.count)
            for (i, entry) in saved.characters.enumerated() {
                let inEntry = entry.unicodeScalars
                guard inEntry.count == 1, let scalar = inEntry.first else {
                    throw TextError.badVocabulary(file: file, field: "characters[\(i)]",
                                                  problem: "holds \(inEntry.count) Unicode scalars, not 1")
                }
                scalars.append(scalar)
            }
            return try rethrowing(file: file) { try CharacterTokenizer(scalars: scalars) }
        case .bpe:
            let saved = try decodeJSON(BPE.self, from: data, file: file)
            guard saved.pattern == gpt2Pattern else {
                throw TextError.badVocabulary(file: file, field: "pattern", problem: "unknown pattern \"\(saved.pattern)\" (known: \(gpt2Pattern))")
            }
            var merges: [(Int32, Int32)] = []
            merges.reserveCapacity(saved.merges.count)
            for (k, pair) in saved.merges.enumerated() {
                guard pair.count == 2 else {
                    throw TextError.badVocabulary(file: file, field: "merges[\(k)]", problem: "holds \(pair.count) ids, not 2")
                }
                merges.append((pair[0], pair[1]))
            }
            return try rethrowing(file: file) { try BPETokenizer(merges: merges) }
        case nil:
            let known = TokenizerKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw TextError.badVocabulary(file: file, field: "kind", problem: "unknown kind \"\(header.kind)\" (known: \(known))")
        }
    }

    /// Turns a `badParameter` from a tokenizer's initialiser into `badVocabulary` naming the file
    /// and the JSON field (the initialisers' `scalars` is the file's `characters`).
    private static func rethrowing<T>(file: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let TextError.badParameter(name, value, problem) {
            throw TextError.badVocabulary(file: file, field: name.replacingOccurrences(of: "scalars", with: "characters"),
                                          problem: "\(value) \(problem)")
        }
    }

    /// JSONDecoder with its errors turned into `badVocabulary` naming the field path.
    private static func decodeJSON<T: Decodable>(_ type: T.Type, from data: Data, file: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch let error as DecodingError {
            func path(_ context: DecodingError.Context, _ last: CodingKey? = nil) -> String {
                let keys = context.codingPath + (last.map { [$0] } ?? [])
                let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "(top level)" : text)
            }
            switch error {
            case let .keyNotFound(key, context):
                throw TextError.badVocabulary(file: file, field: path(context, key), problem: "missing")
            case let .typeMismatch(_, context), let .valueNotFound(_, context):
                throw TextError.badVocabulary(file: file, field: path(context), problem: context.debugDescription)
            case let .dataCorrupted(context):
                let problem = context.codingPath.isEmpty ? "not valid JSON" : context.debugDescription
                throw TextError.badVocabulary(file: file, field: path(context), problem: problem)
            @unknown default:
                throw TextError.badVocabulary(file: file, field: "(top level)", problem: "\(error)")
            }
        }
    }
}
