import ArgumentParser
import Foundation
import MuseMIDI

/// `muse corpus import-musicxml DIR --output OUTDIR`: every MusicXML score in DIR → a MIDI file.
struct CorpusImportMusicXMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-musicxml",
        abstract: "Convert every MusicXML score (.xml, .musicxml, compressed .mxl) in a folder to a format-1 MIDI file.")

    @Argument(help: "Folder of MusicXML files, plain or compressed (.mxl), searched recursively.")
    var directory: String

    @Option(name: [.short, .customLong("output")], help: "Folder to write the .mid files to.")
    var output: String = "output/musicxml"

    func run() throws {
        let paths = try MusicXMLReader.files(in: directory)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let outputDirectory = output
        let results = MIDICorpus.map(paths) { path -> String? in
            do {
                let sequence = try MusicXMLReader.read(contentsOf: path)
                let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                try sequence.writeMIDI(to: (outputDirectory as NSString).appendingPathComponent(stem + ".mid"))
                return nil
            } catch {
                return "\(error)"
            }
        }
        let failures = results.compactMap { $0 }
        for failure in failures { FileHandle.standardError.write(Data("muse: warning: skipped \(failure)\n".utf8)) }
        print("imported \(paths.count - failures.count) of \(paths.count) MusicXML files into \(output)")
        if paths.isEmpty || failures.count == paths.count { throw ExitCode(1) }
    }
}
