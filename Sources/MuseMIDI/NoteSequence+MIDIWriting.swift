import Foundation
import MuseSupport

extension NoteSequence {
    /// The sequence as a format-1 Standard MIDI File.
    ///
    /// Track 0 is the conductor: tempos, time signatures and key signatures. Then one track per
    /// part — a distinct (instrument, program, isDrum), in instrument order — holding its name
    /// (from `instrumentInfos`), a program change, control changes, pitch bends and notes. Drums
    /// play on channel 10 (index 9); other parts take channels 1–9, 11–16 in turn. Seconds become
    /// ticks at `ticksPerQuarter` (220 if unset) through the tempo map, rounded to the nearest
    /// tick; a note shorter than one tick is written one tick long (a zero-length note would be
    /// lost on reading). At equal ticks, events go program change, control changes, pitch bends,
    /// note-offs, note-ons. Reading the result back gives the same notes (times within half a
    /// tick; exactly for sequences read from a file), except that overlapping notes of one pitch
    /// in one part cannot be told apart in MIDI (the first note-off ends both).
    /// - Throws: `MIDIError.unrepresentable` for pitches, programs or values outside MIDI's
    ///   ranges, negative times, or time-signature denominators that are not powers of two.
    public func midiFileBytes() throws -> [UInt8] {
        let ppq = ticksPerQuarter > 0 ? ticksPerQuarter : NoteSequence.standardTicksPerQuarter
        guard ppq <= 0x7FFF else { throw MIDIError.unrepresentable(field: "ticksPerQuarter", problem: "\(ppq) exceeds 32767") }
        let map = TempoMap(tempos: tempos, ticksPerQuarter: ppq)
        func ticks(_ seconds: Double, _ field: String) throws -> Int {
            guard seconds.isFinite, seconds >= 0 else { throw MIDIError.unrepresentable(field: field, problem: "time \(seconds) s") }
            let tick = map.tick(atSeconds: seconds)
            guard tick <= 0x0FFF_FFFF else { throw MIDIError.unrepresentable(field: field, problem: "time \(seconds) s is past tick 2^28") }
            return tick
        }

        var conductor = TrackWriter()
        for i in map.startTicks.indices {
            let microseconds = Int((map.secondsPerTick[i] * Double(ppq) * 1e6).rounded())
            conductor.add(tick: map.startTicks[i], order: 0, bytes: [0xFF, 0x51, 0x03, UInt8(microseconds >> 16 & 0xFF),
                                                                     UInt8(microseconds >> 8 & 0xFF), UInt8(microseconds & 0xFF)])
        }
        for signature in timeSignatures {
            let power = signature.denominator.trailingZeroBitCount
            guard signature.denominator > 0, signature.denominator == 1 << power, (1...255).contains(signature.numerator) else {
                throw MIDIError.unrepresentable(field: "timeSignatures", problem: "\(signature.numerator)/\(signature.denominator)")
            }
            conductor.add(tick: try ticks(signature.time, "timeSignatures.time"), order: 1,
                          bytes: [0xFF, 0x58, 0x04, UInt8(signature.numerator), UInt8(power), 24, 8])
        }
        for signature in keySignatures {
            let sharps = KeySignatureCode.sharps(tonic: signature.key, mode: signature.mode)
            conductor.add(tick: try ticks(signature.time, "keySignatures.time"), order: 2,
                          bytes: [0xFF, 0x59, 0x02, UInt8(bitPattern: Int8(sharps)), signature.mode == .minor ? 1 : 0])
        }

        struct PartKey: Hashable { var instrument: Int; var program: Int; var isDrum: Bool }
        var partOrder: [PartKey] = []
        var partTracks: [PartKey: TrackWriter] = [:]
        func register(_ key: PartKey) {
            if partTracks[key] == nil { partOrder.append(key); partTracks[key] = TrackWriter() }
        }
        let orderedNotes = notes.enumerated().sorted { ($0.element.instrument, $0.offset) < ($1.element.instrument, $1.offset) }
        for (_, note) in orderedNotes { register(PartKey(instrument: note.instrument, program: note.program, isDrum: note.isDrum)) }
        for change in controlChanges { register(PartKey(instrument: change.instrument, program: change.program, isDrum: change.isDrum)) }
        for bend in pitchBends { register(PartKey(instrument: bend.instrument, program: bend.program, isDrum: bend.isDrum)) }
        partOrder.sort { $0.instrument < $1.instrument }  // stable: first appearance within an instrument

        var channels: [PartKey: UInt8] = [:]
        var nextChannel = 0
        for key in partOrder {
            guard (0...127).contains(key.program) else { throw MIDIError.unrepresentable(field: "program", problem: "\(key.program)") }
            if key.isDrum { channels[key] = 9 } else {
                channels[key] = UInt8(nextChannel)
                nextChannel = nextChannel == 8 ? 10 : (nextChannel + 1) % 16
            }
            let channel = channels[key]!
            if let name = instrumentInfos.first(where: { $0.instrument == key.instrument })?.name, !name.isEmpty {
                let latin1 = name.unicodeScalars.map { $0.value < 256 ? UInt8($0.value) : UInt8(ascii: "?") }
                partTracks[key]!.add(tick: 0, order: 0, bytes: [0xFF, 0x03] + TrackWriter.vlq(latin1.count) + latin1)
            }
            partTracks[key]!.add(tick: 0, order: 1, bytes: [0xC0 | channel, UInt8(key.program)])
        }
        for change in controlChanges {
            let key = PartKey(instrument: change.instrument, program: change.program, isDrum: change.isDrum)
            guard (0...127).contains(change.controlNumber), (0...127).contains(change.controlValue) else {
                throw MIDIError.unrepresentable(field: "controlChanges", problem: "control \(change.controlNumber) value \(change.controlValue)")
            }
            partTracks[key]!.add(tick: try ticks(change.time, "controlChanges.time"), order: 2,
                                 bytes: [0xB0 | channels[key]!, UInt8(change.controlNumber), UInt8(change.controlValue)])
        }
        for bend in pitchBends {
            let key = PartKey(instrument: bend.instrument, program: bend.program, isDrum: bend.isDrum)
            guard (-8192...8191).contains(bend.bend) else { throw MIDIError.unrepresentable(field: "pitchBends", problem: "bend \(bend.bend)") }
            let value = bend.bend + 8192
            partTracks[key]!.add(tick: try ticks(bend.time, "pitchBends.time"), order: 3,
                                 bytes: [0xE0 | channels[key]!, UInt8(value & 0x7F), UInt8(value >> 7)])
        }
        for (_, note) in orderedNotes {
            let key = PartKey(instrument: note.instrument, program: note.program, isDrum: note.isDrum)
            guard (0...127).contains(note.pitch) else { throw MIDIError.unrepresentable(field: "notes.pitch", problem: "\(note.pitch)") }
            let channel = channels[key]!
            let start = try ticks(note.startTime, "notes.startTime")
            let end = max(try ticks(note.endTime, "notes.endTime"), start + 1)
            let velocity = UInt8(min(max(note.velocity, 1), 127))
            partTracks[key]!.add(tick: start, order: 5, bytes: [0x90 | channel, UInt8(note.pitch), velocity])
            partTracks[key]!.add(tick: end, order: 4, bytes: [0x80 | channel, UInt8(note.pitch), 0])
        }

        var out: [UInt8] = Array("MThd".utf8) + [0, 0, 0, 6, 0, 1]
        let trackCount = 1 + partOrder.count
        guard trackCount <= 0xFFFF else { throw MIDIError.unrepresentable(field: "notes.instrument", problem: "\(trackCount) tracks") }
        out += [UInt8(trackCount >> 8), UInt8(trackCount & 0xFF), UInt8(ppq >> 8), UInt8(ppq & 0xFF)]
        conductor.appendChunk(to: &out)
        for key in partOrder { partTracks[key]!.appendChunk(to: &out) }
        return out
    }

    /// Writes the sequence as a format-1 MIDI file at `path` (see `midiFileBytes()`), through a
    /// temporary file in the same folder renamed into place, creating the folder if needed.
    /// - Throws: `MIDIError.unrepresentable` or `.cannotWrite`.
    public func writeMIDI(to path: String) throws {
        let bytes = try midiFileBytes()
        try NoteSequence.atomicWrite(Data(bytes), to: path)
    }

    /// Writes `data` to `path` through `AtomicFile` (temporary name, then rename), creating the folder.
    static func atomicWrite(_ data: Data, to path: String) throws {
        do {
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(data, to: URL(fileURLWithPath: path))
        } catch let SupportError.io(_, reason) {
            throw MIDIError.cannotWrite(file: path, reason: reason)
        } catch {
            throw MIDIError.cannotWrite(file: path, reason: error.localizedDescription)
        }
    }
}

/// Collects one track's events (already encoded, without delta time) and serialises them
/// sorted by (tick, order, insertion), with running status for channel messages.
struct TrackWriter {
    private var events: [(tick: Int, order: Int, sequence: Int, bytes: [UInt8])] = []

    mutating func add(tick: Int, order: Int, bytes: [UInt8]) {
        events.append((tick, order, events.count, bytes))
    }

    func appendChunk(to out: inout [UInt8]) {
        let sorted = events.sorted { ($0.tick, $0.order, $0.sequence) < ($1.tick, $1.order, $1.sequence) }
        var data: [UInt8] = []
        data.reserveCapacity(events.count * 4 + 4)
        var lastTick = 0
        var running: UInt8 = 0
        for event in sorted {
            data += TrackWriter.vlq(event.tick - lastTick)
            lastTick = event.tick
            let status = event.bytes[0]
            if status < 0xF0 && status == running {
                data += event.bytes.dropFirst()
            } else {
                data += event.bytes
                running = status < 0xF0 ? status : 0
            }
        }
        data += [0x00, 0xFF, 0x2F, 0x00]
        out += Array("MTrk".utf8)
        let length = data.count
        out += [UInt8(length >> 24 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
        out += data
    }

    /// Variable-length quantity (7 bits a byte, most significant first).
    static func vlq(_ value: Int) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = [UInt8(value & 0x7F)]
        value >>= 7
        while value > 0 {
            bytes.insert(UInt8(value & 0x7F) | 0x80, at: 0)
            value >>= 7
        }
        return bytes
    }
}
