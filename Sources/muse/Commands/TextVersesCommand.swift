import ArgumentParser
import Foundation
import MuseText

/// `muse text verses FILE|DIR [--json]`: the verse lengths of Chinese poems.
struct TextVersesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verses",
        abstract: "Count the Han characters of each verse of Chinese poems (text between ，。？！；： marks) and the share of 5 or 7.",
        discussion: "Lines with a title (《…》) or an author (作者) are skipped. Compare a model's samples (`muse generate … --line-lengths`) with the corpus.")

    @Argument(help: "A UTF-8 text file, or a folder of .txt files.")
    var text: String

    @Flag(help: "Print the counts as JSON.")
    var json = false

    func run() throws {
        let report = VerseLengths(measuring: try TextCorpus(contentsOf: text).text)
        try printReport(report, json: json)
    }
}
