import Foundation

/// Which General MIDI program a rendered file plays with (for audio corpora with timbral variety).
public enum ProgramChoice: Equatable, Sendable {
    /// The file's own programs.
    case own
    /// Every note on one program (0-based General MIDI), or on the drum kit.
    case fixed(program: Int, isDrum: Bool)
    /// One program per file from `ProgramChoice.palette`, picked by a seeded hash of the file's
    /// name (so a file's timbre does not depend on which other files are rendered).
    case random(seed: UInt64)

    /// General MIDI programs across the families (0-based): pianos, chromatic percussion, organs,
    /// guitars, basses, strings, ensembles, brass, reeds, pipes, synth leads and pads, ethnic,
    /// percussive; `-1` stands for the drum kit (channel 10).
    public static let palette: [Int] = [0, 4, 6, 8, 11, 12, 13, 14, 16, 19, 21, 24, 25, 27, 29, 32, 33, 35, 40, 41, 42, 45, 46, 48,
                                        52, 56, 57, 58, 60, 61, 64, 65, 66, 68, 70, 71, 73, 75, 78, 80, 81, 88, 89, 105, 108, 114, 115, -1]

    /// The program (`-1`: drums) this choice gives a file named `name`, or nil for `.own`.
    public func program(forFile name: String) -> Int? {
        switch self {
        case .own: return nil
        case let .fixed(program, isDrum): return isDrum ? -1 : program
        case let .random(seed):
            // FNV-1a of the name, mixed with the seed (SplitMix64's finaliser).
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in name.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
            var z = h &+ seed &* 0x9e37_79b9_7f4a_7c15
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            z ^= z >> 31
            return Self.palette[Int(z % UInt64(Self.palette.count))]
        }
    }
}

extension NoteSequence {
    /// The sequence with every note (and control) on `program` (0-based General MIDI), or on the
    /// drum kit when `program` is −1.
    public func playing(program: Int) -> NoteSequence {
        var copy = self
        let drums = program < 0
        copy.notes = notes.map { var n = $0; n.program = drums ? 0 : program; n.isDrum = drums; return n }
        copy.controlChanges = controlChanges.map { var c = $0; c.program = drums ? 0 : program; c.isDrum = drums; return c }
        copy.pitchBends = pitchBends.map { var p = $0; p.program = drums ? 0 : program; p.isDrum = drums; return p }
        return copy
    }
}
