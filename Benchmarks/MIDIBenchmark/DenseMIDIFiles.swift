// Dense Standard MIDI Files for bench-midi: what a user's orchestral or piano corpus looks like, as
// opposed to the small monophonic folk tunes. Written byte by byte here (not by Muse's own writer),
// deterministic for a seed.
import Foundation

/// Generates dense format-1 MIDI files: a conductor track with tempo changes, time and key
/// signatures, then 8–16 instrument tracks (one of them drums on channel 10) with chords, running
/// status, note-offs written both ways, control changes (volume, pan, modulation, sustain) and
/// pitch-bend sweeps; thousands of notes per file.
struct DenseMIDIFiles {
    /// Files made.
    var count = 200
    /// Notes per file are drawn from this range.
    var notesPerFile = 2_000...4_000
    /// Instrument tracks per file are drawn from this range.
    var tracksPerFile = 8...16
    /// Seed of the generator: the same seed gives the same bytes.
    var seed: UInt64 = 20

    /// SplitMix64, inline so the benchmark's input does not depend on the code it measures.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
        }
        mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    }

    /// An event of a track before delta times: its tick, an order within the tick (note-offs
    /// first), and its bytes (status included).
    struct Event { var tick: Int; var order: Int; var bytes: [UInt8] }

    /// Writes the files into `folder` (created if needed) as `dense-NNN.mid`; returns their paths.
    func write(into folder: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var generator = Generator(state: seed)
        var paths: [String] = []
        for index in 0..<count {
            let url = folder.appendingPathComponent(String(format: "dense-%03d.mid", index))
            try Data(file(using: &generator)).write(to: url)
            paths.append(url.path)
        }
        return paths
    }

    /// One file's bytes.
    func file(using generator: inout Generator) -> [UInt8] {
        let ticksPerQuarter = 480
        let trackCount = generator.int(tracksPerFile)
        let totalNotes = generator.int(notesPerFile)
        let lengthTicks = ticksPerQuarter * 4 * generator.int(48...96)  // 48–96 bars of 4/4

        // Conductor: tempo changes every few bars, time and key signatures.
        var conductor: [Event] = [Event(tick: 0, order: 0, bytes: meta(0x03, Array("conductor".utf8)))]
        conductor.append(Event(tick: 0, order: 0, bytes: meta(0x58, [4, 2, 24, 8])))
        conductor.append(Event(tick: 0, order: 0, bytes: meta(0x59, [UInt8(bitPattern: Int8(generator.int(-4...4))), 0])))
        var tick = 0
        while tick < lengthTicks {
            let microseconds = 60_000_000 / generator.int(70...160)
            conductor.append(Event(tick: tick, order: 1, bytes: meta(0x51, [UInt8(microseconds >> 16), UInt8(microseconds >> 8 & 0xFF), UInt8(microseconds & 0xFF)])))
            tick += ticksPerQuarter * 4 * generator.int(2...6)
        }
        var tracks = [encode(conductor)]

        for track in 0..<trackCount {
            let channel = track == trackCount - 1 ? 9 : track % 9 + (track >= 9 ? 1 : 0)  // skip 9 except for drums
            let notes = totalNotes / trackCount + (track < totalNotes % trackCount ? 1 : 0)
            var events: [Event] = [Event(tick: 0, order: 0, bytes: meta(0x03, Array("part \(track + 1)".utf8)))]
            events.append(Event(tick: 0, order: 1, bytes: [0xC0 | UInt8(channel), UInt8(generator.int(0...127))]))
            // Notes: chords of 1–4 notes on a grid of sixteenths, lengths of a sixteenth to a bar.
            var placed = 0
            let step = max(1, lengthTicks / max(1, notes))
            var at = 0
            while placed < notes {
                let chord = min(notes - placed, generator.int(1...4))
                let root = channel == 9 ? generator.int(35...57) : generator.int(36...84)
                for voice in 0..<chord {
                    let pitch = UInt8(min(127, root + voice * generator.int(3...5)))
                    let length = ticksPerQuarter / 4 * generator.int(1...16)
                    events.append(Event(tick: at, order: 3, bytes: [0x90 | UInt8(channel), pitch, UInt8(generator.int(30...120))]))
                    let off: [UInt8] = generator.chance(0.5) ? [0x80 | UInt8(channel), pitch, 64] : [0x90 | UInt8(channel), pitch, 0]
                    events.append(Event(tick: at + length, order: 2, bytes: off))
                }
                placed += chord
                at += (step * chord) / 2 + generator.int(0...step * chord)
            }
            // Controllers every beat or two, sustain pedal per bar, pitch-bend sweeps.
            var cc = 0
            while cc < lengthTicks {
                let number: UInt8 = [7, 10, 1, 11][generator.int(0...3)]
                events.append(Event(tick: cc, order: 1, bytes: [0xB0 | UInt8(channel), number, UInt8(generator.int(0...127))]))
                cc += ticksPerQuarter * generator.int(1...2)
            }
            var bar = 0
            while bar < lengthTicks {
                events.append(Event(tick: bar, order: 1, bytes: [0xB0 | UInt8(channel), 64, 127]))
                events.append(Event(tick: bar + ticksPerQuarter * 4 - 10, order: 1, bytes: [0xB0 | UInt8(channel), 64, 0]))
                if channel != 9 && generator.chance(0.4) {
                    for k in 0..<16 {
                        let value = 8192 + (k < 8 ? k : 16 - k) * 400
                        events.append(Event(tick: bar + k * 30, order: 1, bytes: [0xE0 | UInt8(channel), UInt8(value & 0x7F), UInt8(value >> 7)]))
                    }
                }
                bar += ticksPerQuarter * 4
            }
            tracks.append(encode(events))
        }

        var bytes = Array("MThd".utf8) + be32(6) + [0, 1] + be16(tracks.count) + be16(ticksPerQuarter)
        for track in tracks { bytes += Array("MTrk".utf8) + be32(track.count) + track }
        return bytes
    }

    /// A track's bytes: events sorted by (tick, order), delta times, running status where the
    /// status repeats, end of track.
    func encode(_ events: [Event]) -> [UInt8] {
        let sorted = events.enumerated().sorted { a, b in
            (a.element.tick, a.element.order, a.offset) < (b.element.tick, b.element.order, b.offset)
        }.map(\.element)
        var bytes: [UInt8] = []
        var last = 0
        var runningStatus: UInt8 = 0
        for event in sorted {
            bytes += variableLength(event.tick - last)
            last = event.tick
            let status = event.bytes[0]
            if status < 0xF0 && status == runningStatus {
                bytes += event.bytes.dropFirst()
            } else {
                bytes += event.bytes
                runningStatus = status < 0xF0 ? status : 0
            }
        }
        return bytes + [0x00, 0xFF, 0x2F, 0x00]
    }

    func meta(_ type: UInt8, _ data: [UInt8]) -> [UInt8] { [0xFF, type] + variableLength(data.count) + data }

    func variableLength(_ value: Int) -> [UInt8] {
        var bytes = [UInt8(value & 0x7F)]
        var rest = value >> 7
        while rest > 0 {
            bytes.insert(UInt8(rest & 0x7F) | 0x80, at: 0)
            rest >>= 7
        }
        return bytes
    }

    func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    func be32(_ value: Int) -> [UInt8] { [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
}
