import ArgumentParser
import Foundation
import MuseSynth

/// `muse soundfont info [FILE]`: counts, presets by bank and program, and with `--details` the
/// instruments and samples. Without FILE, the font the lookup order finds (see soundfonts/README.md).
struct SoundFontInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "List the presets (and with --details the instruments and samples) of a SoundFont.")

    @Argument(help: "SoundFont file (default: the one found by --soundfont / $MUSE_SOUNDFONT / soundfonts/ / /usr/share/sounds/sf2).")
    var file: String?

    @Flag(help: "Also list every instrument and sample.")
    var details = false

    func run() throws {
        do {
            let url = try SoundFontLocator.locate(explicit: file)
            print(try SoundFont(contentsOf: url).summary(details: details))
        } catch let error as SynthError {
            FileHandle.standardError.write(Data("muse: error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
