import ArgumentParser
import Foundation
import MuseEncoding

/// Parses Magenta's primer syntax (`"[60, -2, 60, -2, 67]"`) for `--primer-melody`, through the
/// same `Melody.parsePrimer` that `muse studio` uses.
func parsePrimerMelody(_ text: String) throws -> [Int] {
    do {
        return try Melody.parsePrimer(text)
    } catch {
        throw ValidationError("--primer-melody: \(error)")
    }
}
