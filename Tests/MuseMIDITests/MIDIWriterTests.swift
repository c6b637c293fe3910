import XCTest
@testable import MuseMIDI

/// The writer: format 1, conductor + one track per part, drums on channel 10, and
/// read(write(x)) == x.
final class MIDIWriterTests: XCTestCase {
    /// Every note, control change, pitch bend, tempo and signature of every fixture survives a
    /// write and a read. Fixture times sit on ticks, so they come back to 1e-9 s (float noise of
    /// the tempo map only).
    func testEveryFixtureRoundTrips() throws {
        for name in Fixtures.names {
            let original = try NoteSequence(contentsOfMIDIFile: Fixtures.midiPath(name))
            let again = try NoteSequence(midiFile: MIDIFile(bytes: original.midiFileBytes(), file: name))
            assertEqual(again, original, tolerance: 1e-9, name)
        }
    }

    func testWrittenFileIsFormat1WithAConductorAndOneTrackPerPart() throws {
        let original = try NoteSequence(contentsOfMIDIFile: Fixtures.midiPath("piece_band"))
        let file = try MIDIFile(bytes: original.midiFileBytes())
        XCTAssertEqual(file.format, 1)
        XCTAssertEqual(file.tracks.count, 1 + Set(original.notes.map(\.instrument)).count)
        XCTAssertEqual(file.ticksPerQuarter, original.ticksPerQuarter)
    }

    func testDrumsAreWrittenOnChannel10() throws {
        let sequence = NoteSequence(notes: [.init(pitch: 36, velocity: 100, startTime: 0, endTime: 0.5, isDrum: true, instrument: 0),
                                            .init(pitch: 60, velocity: 100, startTime: 0, endTime: 0.5, program: 5, instrument: 1)],
                                    tempos: [.init(time: 0, qpm: 120)])
        let file = try MIDIFile(bytes: sequence.midiFileBytes())
        var channelsOfNotes: [Int: Set<Int>] = [:]
        for track in file.tracks.indices {
            try file.forEachEvent(inTrack: track) { event in
                if event.kind == 0x90 { channelsOfNotes[track, default: []].insert(event.channel) }
            }
        }
        XCTAssertEqual(channelsOfNotes, [1: [9], 2: [0]])
    }

    /// Times between ticks come back within half a tick (the writer rounds to the nearest tick).
    func testArbitraryTimesRoundTripToTickPrecision() throws {
        var rng = SplitMix64(seed: 11)
        var notes: [NoteSequence.Note] = []
        for i in 0..<200 {
            let start = Double(rng.next() % 100_000) / 1000
            notes.append(.init(pitch: 30 + i % 60, velocity: 1 + i % 127, startTime: start,
                               endTime: start + 0.05 + Double(rng.next() % 1000) / 1000, program: 3))
        }
        notes.sort { ($0.pitch, $0.startTime) < ($1.pitch, $1.startTime) }
        // Keep notes of one pitch apart: MIDI cannot represent overlapping notes of one pitch.
        var lastEnd: [Int: Double] = [:]
        notes = notes.filter { note in
            defer { if note.startTime >= lastEnd[note.pitch, default: -1] { lastEnd[note.pitch] = note.endTime } }
            return note.startTime >= lastEnd[note.pitch, default: -1] + 0.01
        }
        let sequence = NoteSequence(notes: notes, tempos: [.init(time: 0, qpm: 97)], ticksPerQuarter: 480)
        let back = try NoteSequence(midiFile: MIDIFile(bytes: sequence.midiFileBytes()))
        let halfTick = 60.0 / 97 / 480 / 2 + 1e-12
        XCTAssertEqual(back.notes.count, sequence.notes.count)
        let key: (NoteSequence.Note) -> [Double] = { [Double($0.pitch), $0.startTime] }
        for (a, b) in zip(back.notes.sorted { key($0).lexicographicallyPrecedes(key($1)) },
                          sequence.notes.sorted { key($0).lexicographicallyPrecedes(key($1)) }) {
            XCTAssertEqual(a.pitch, b.pitch)
            XCTAssertEqual(a.velocity, b.velocity)
            XCTAssertEqual(a.program, b.program)
            XCTAssertEqual(a.startTime, b.startTime, accuracy: halfTick)
            XCTAssertEqual(a.endTime, b.endTime, accuracy: halfTick)
        }
    }

    func testWriteGoesThroughATemporaryFileAndLeavesOnlyTheResult() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("muse-writer-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sub/out.mid").path
        let sequence = try NoteSequence(contentsOfMIDIFile: Fixtures.midiPath("format0_simple"))
        try sequence.writeMIDI(to: path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("sub").path), ["out.mid"])
        assertEqual(try NoteSequence(contentsOfMIDIFile: path), sequence, tolerance: 1e-9, "written")
    }

    func testOutOfRangePitchIsUnrepresentable() {
        let sequence = NoteSequence(notes: [.init(pitch: 130, velocity: 80, startTime: 0, endTime: 1)])
        XCTAssertThrowsError(try sequence.midiFileBytes()) { error in
            XCTAssertEqual(error as? MIDIError, .unrepresentable(field: "notes.pitch", problem: "130"))
        }
    }

    func assertEqual(_ a: NoteSequence, _ b: NoteSequence, tolerance: Double, _ name: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.notes.count, b.notes.count, "\(name): notes", file: file, line: line)
        for (x, y) in zip(a.notes, b.notes) {
            XCTAssertEqual([x.pitch, x.velocity, x.program, x.instrument], [y.pitch, y.velocity, y.program, y.instrument], name, file: file, line: line)
            XCTAssertEqual(x.isDrum, y.isDrum, name, file: file, line: line)
            XCTAssertEqual(x.startTime, y.startTime, accuracy: tolerance, name, file: file, line: line)
            XCTAssertEqual(x.endTime, y.endTime, accuracy: tolerance, name, file: file, line: line)
        }
        XCTAssertEqual(a.controlChanges.count, b.controlChanges.count, "\(name): control changes", file: file, line: line)
        for (x, y) in zip(a.controlChanges, b.controlChanges) {
            XCTAssertEqual([x.controlNumber, x.controlValue, x.instrument], [y.controlNumber, y.controlValue, y.instrument], name, file: file, line: line)
            XCTAssertEqual(x.time, y.time, accuracy: tolerance, name, file: file, line: line)
        }
        XCTAssertEqual(a.pitchBends.count, b.pitchBends.count, "\(name): pitch bends", file: file, line: line)
        for (x, y) in zip(a.pitchBends, b.pitchBends) {
            XCTAssertEqual(x.bend, y.bend, name, file: file, line: line)
            XCTAssertEqual(x.time, y.time, accuracy: tolerance, name, file: file, line: line)
        }
        XCTAssertEqual(a.tempos.count, b.tempos.count, "\(name): tempos", file: file, line: line)
        for (x, y) in zip(a.tempos, b.tempos) {
            XCTAssertEqual(x.time, y.time, accuracy: tolerance, name, file: file, line: line)
            XCTAssertEqual(x.qpm, y.qpm, accuracy: 1e-9 * y.qpm, name, file: file, line: line)
        }
        XCTAssertEqual(a.timeSignatures.map { [$0.numerator, $0.denominator] }, b.timeSignatures.map { [$0.numerator, $0.denominator] }, name, file: file, line: line)
        XCTAssertEqual(a.keySignatures.map { [$0.key, $0.mode.rawValue] }, b.keySignatures.map { [$0.key, $0.mode.rawValue] }, name, file: file, line: line)
        XCTAssertEqual(a.instrumentInfos, b.instrumentInfos, "\(name): names", file: file, line: line)
        XCTAssertEqual(a.totalTime, b.totalTime, accuracy: tolerance, name, file: file, line: line)
        XCTAssertEqual(a.ticksPerQuarter, b.ticksPerQuarter, name, file: file, line: line)
    }
}
