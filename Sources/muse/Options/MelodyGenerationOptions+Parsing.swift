import ArgumentParser
import Foundation
import MuseModels

/// Parses Magenta's primer syntax: a Python-style list of events, `"[60, -2, 60, -2, 67]"`.
func parsePrimerMelody(_ text: String) throws -> [Int] {
    let inner = text.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    let parts = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    return try parts.map { part in
        guard let v = Int(part) else { throw ValidationError("--primer-melody: '\(part)' is not an integer event") }
        return v
    }
}
