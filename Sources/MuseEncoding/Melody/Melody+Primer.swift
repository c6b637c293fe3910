import Foundation

extension Melody {
    /// Parses Magenta's primer syntax: a Python-style list of melody events, `"[60, -2, 60, -2, 67]"`
    /// (pitches, -1 note off, -2 no event); the brackets are optional, an empty list gives `[]`.
    /// - Throws: `EncodingError.badPrimer` naming the first entry that is not an integer.
    public static func parsePrimer(_ text: String) throws -> [Int] {
        let inner = text.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let parts = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        return try parts.enumerated().map { position, part in
            guard let event = Int(part) else { throw EncodingError.badPrimer(entry: part, position: position) }
            return event
        }
    }
}
