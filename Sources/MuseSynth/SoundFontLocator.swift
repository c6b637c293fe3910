import Foundation

/// Finds the SoundFont to play, in this order: an explicit path (`--soundfont`), the
/// `MUSE_SOUNDFONT` environment variable, the first `.sf2` in `soundfonts/` under the working
/// directory, then `/usr/share/sounds/sf2/` (FluidR3_GM.sf2 first, where Debian's
/// `fluid-soundfont-gm` installs it). See soundfonts/README.md.
public enum SoundFontLocator {
    /// System folder searched last.
    public static let systemDirectory = "/usr/share/sounds/sf2"

    /// The places searched, in order, for the given inputs.
    public static func candidates(explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                                  workingDirectory: String = FileManager.default.currentDirectoryPath,
                                  systemDirectory: String = SoundFontLocator.systemDirectory) -> [String] {
        var out: [String] = []
        if let explicit, !explicit.isEmpty { out.append(explicit) }
        if let env = environment["MUSE_SOUNDFONT"], !env.isEmpty { out.append(env) }
        for dir in [(workingDirectory as NSString).appendingPathComponent("soundfonts"), systemDirectory] {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
                .filter { $0.lowercased().hasSuffix(".sf2") }
                .sorted { a, b in
                    // FluidR3_GM first, then default-GM, then by name.
                    func rank(_ s: String) -> Int { s == "FluidR3_GM.sf2" ? 0 : (s == "default-GM.sf2" ? 1 : 2) }
                    return (rank(a), a) < (rank(b), b)
                }
            out += names.map { (dir as NSString).appendingPathComponent($0) }
        }
        return out
    }

    /// The first candidate that exists. An explicit path or `MUSE_SOUNDFONT` that does not exist
    /// is an error rather than silently skipped.
    /// - Throws: `SynthError.unreadable` for a missing explicit path, `.soundFontNotFound` when
    ///   nothing is found.
    public static func locate(explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                              workingDirectory: String = FileManager.default.currentDirectoryPath,
                              systemDirectory: String = SoundFontLocator.systemDirectory) throws -> URL {
        if let explicit, !explicit.isEmpty, !FileManager.default.fileExists(atPath: explicit) {
            throw SynthError.unreadable(file: explicit, reason: "no such file")
        }
        let all = candidates(explicit: explicit, environment: environment, workingDirectory: workingDirectory, systemDirectory: systemDirectory)
        if let env = environment["MUSE_SOUNDFONT"], !env.isEmpty, explicit == nil || explicit!.isEmpty,
           !FileManager.default.fileExists(atPath: env) {
            throw SynthError.unreadable(file: env, reason: "no such file (from MUSE_SOUNDFONT)")
        }
        if let first = all.first(where: { FileManager.default.fileExists(atPath: $0) }) { return URL(fileURLWithPath: first) }
        throw SynthError.soundFontNotFound(searched: [explicit ?? "--soundfont", "$MUSE_SOUNDFONT",
                                                      (workingDirectory as NSString).appendingPathComponent("soundfonts"), systemDirectory])
    }

    /// The SoundFont to play: the located one, or — only when none is found anywhere — the
    /// built-in oscillator instruments, with a one-line notice saying so.
    /// - Throws: `SynthError` when an explicit or environment path is missing or a found font is bad.
    public static func loadOrBuiltIn(explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                                     workingDirectory: String = FileManager.default.currentDirectoryPath,
                                     systemDirectory: String = SoundFontLocator.systemDirectory) throws -> (font: SoundFont, notice: String?) {
        do {
            let url = try locate(explicit: explicit, environment: environment, workingDirectory: workingDirectory, systemDirectory: systemDirectory)
            return (try SoundFont(contentsOf: url), nil)
        } catch let SynthError.soundFontNotFound(searched) {
            return (BuiltInInstruments.makeSoundFont(),
                    "muse: no SoundFont found (searched \(searched.joined(separator: ", "))); using the built-in oscillator instruments")
        }
    }
}
