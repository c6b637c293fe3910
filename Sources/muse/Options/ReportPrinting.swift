import Foundation
import MuseAudioModels
import MuseModels
import MuseText

/// A result a command prints either as lines for a terminal or as JSON (`--json`).
protocol PrintableReport: Encodable {
    /// Lines for a terminal.
    var summary: String { get }
}

/// Prints `report` as pretty, key-sorted JSON when `json`, else its summary.
func printReport(_ report: some PrintableReport, json: Bool) throws {
    guard json else {
        print(report.summary)
        return
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(report), as: UTF8.self))
}

// The reports the CLI prints (each already has `summary` and is Encodable).
extension MelodyEvaluation: PrintableReport {}
extension MusicTransformerEvaluation: PrintableReport {}
extension VerseLengths: PrintableReport {}
extension SpectrogramVAEEvaluation: PrintableReport {}
extension TextVAEEvaluation: PrintableReport {}
extension TextEvaluation: PrintableReport {}
