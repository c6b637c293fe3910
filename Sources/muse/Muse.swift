import ArgumentParser
import Foundation
import MuseCore

/// The `muse` command: lists the subcommands; each lives in `Commands/<Verb><Noun>Command.swift`.
@main
struct Muse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "muse",
        abstract: "Music and audio generation: MIDI, audio, spectrograms, models, synthesis.",
        version: "0.1.0",
        subcommands: [
            MIDICommand.self,
            CorpusCommand.self,
            TextCommand.self,
            AudioCommand.self, SpectrogramCommand.self, GriffinLimCommand.self, PlayCommand.self,
            RenderCommand.self, SoundFontCommand.self,
            TrainCommand.self,
            GenerateCommand.self,
            EvaluateCommand.self,
            SampleCommand.self,
            InterpolateCommand.self,
            ReconstructCommand.self,
            BundleCommand.self,
            EncodeCommand.self,
            StyleTransferCommand.self, DreamCommand.self,
            StudioCommand.self,
        ])

    /// Parses and runs a subcommand. Help and `--version` print as usual; a command that failed
    /// has already printed its one `muse: error:` line; a bad command line (unknown flag, missing
    /// or invalid value) prints one line too, naming the help to read, instead of the full usage.
    static func main() {
        BLASSpinPolicy.applyByReexecuting()
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exitWithOneLine(error, helpFor: commandPath(Array(CommandLine.arguments.dropFirst())))
        }
        do {
            try command.run()
        } catch {
            exitWithOneLine(error, helpFor: nil)
        }
    }

    /// The subcommand names at the start of `arguments` (`["midi", "info"]` for
    /// `midi info song.mid --json`).
    static func commandPath(_ arguments: [String]) -> [String] {
        var type: ParsableCommand.Type = Muse.self
        var path: [String] = []
        for word in arguments {
            guard let sub = type.configuration.subcommands.first(where: { $0.configuration.commandName == word }) else { break }
            path.append(word)
            type = sub
        }
        return path
    }

    /// Exits for `error`: help, versions and exit codes as ArgumentParser does, anything else as
    /// `muse: error: <first line of the message>` on standard error, naming the help of the
    /// subcommand `words` when the command line itself was at fault.
    static func exitWithOneLine(_ error: Error, helpFor words: [String]?) -> Never {
        let code = exitCode(for: error)
        if error is ExitCode || code == .success { exit(withError: error) }
        let message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        var line = "muse: error: " + message.replacingOccurrences(of: "Error: ", with: "")
        if let words { line += " (see: " + (["muse"] + words + ["--help"]).joined(separator: " ") + ")" }
        FileHandle.standardError.write(Data((line + "\n").utf8))
        Foundation.exit(code.rawValue)
    }
}
