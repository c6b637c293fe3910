import XCTest
@testable import MuseMIDI

/// Reader rules that mido cannot write into a fixture, checked on hand-made bytes.
final class MIDIReaderTests: XCTestCase {
    let eot = BadInputTests.endOfTrack

    func read(_ tracks: [[UInt8]], division: Int = 96) throws -> NoteSequence {
        try NoteSequence(midiFile: MIDIFile(bytes: BadInputTests.smf(division: division, tracks: tracks)))
    }

    func testRunningStatusSurvivesMetaAndSysexEvents() throws {
        let track: [UInt8] = [0x00, 0x90, 60, 100,
                              0x00, 0xFF, 0x01, 0x02, 0x68, 0x69,  // text meta
                              0x00, 0xF0, 0x02, 0x41, 0xF7,        // sysex
                              0x60, 60, 0] + eot                   // running-status note-on, velocity 0
        let sequence = try read([track])
        XCTAssertEqual(sequence.notes.count, 1)
        XCTAssertEqual(sequence.notes[0].endTime, 0.5, accuracy: 1e-12)
    }

    func testSystemCommonAndRealTimeMessagesAreSkipped() throws {
        let track: [UInt8] = [0x00, 0x90, 62, 90,
                              0x00, 0xF2, 0x10, 0x20,  // song position
                              0x00, 0xF3, 0x05,        // song select
                              0x00, 0xF8,              // clock
                              0x00, 0xF7, 0x03, 1, 2, 3,  // sysex escape
                              0x30, 0x80, 62, 0] + eot
        let sequence = try read([track])
        XCTAssertEqual(sequence.notes.map(\.pitch), [62])
        XCTAssertEqual(sequence.notes[0].endTime, 0.25, accuracy: 1e-12)
    }

    func testBytesAfterEndOfTrackInTheChunkAreIgnored() throws {
        let track: [UInt8] = [0x00, 0x90, 64, 90, 0x60, 0x80, 64, 0] + eot + [0x00, 0x90, 65, 90, 0x99, 0x99]
        XCTAssertEqual(try read([track]).notes.map(\.pitch), [64])
    }

    func testUnknownChunkAfterTheTracksIsSkipped() throws {
        var bytes = BadInputTests.smf(tracks: [BadInputTests.oneNote])
        bytes += Array("XYZW".utf8) + [0, 0, 0, 2, 0xAA, 0xBB]
        let file = try MIDIFile(bytes: bytes)
        XCTAssertEqual(file.tracks.count, 1)
        XCTAssertEqual(try NoteSequence(midiFile: file).notes.count, 1)
    }

    func testUnknownChunkBetweenTracksIsCountedAndSkipped() throws {
        var bytes = BadInputTests.smf(tracks: [BadInputTests.oneNote], declaredTracks: 2)
        bytes += Array("JUNK".utf8) + [0, 0, 0, 3, 1, 2, 3]
        bytes += Array("MTrk".utf8) + [0, 0, 0, UInt8(BadInputTests.oneNote.count)] + BadInputTests.oneNote
        let file = try MIDIFile(bytes: bytes)
        XCTAssertEqual(file.tracks.count, 2)
        XCTAssertEqual(file.skippedChunkCount, 1)
    }

    func testFourByteDeltaTimesAreRead() throws {
        // FF FF FF 7F = 0x0FFFFFFF ticks, the largest 4-byte quantity.
        let track: [UInt8] = [0x00, 0x90, 60, 100, 0xFF, 0xFF, 0xFF, 0x7F, 0x80, 60, 0] + eot
        let sequence = try read([track])
        XCTAssertEqual(sequence.notes[0].endTime, Double(0x0FFF_FFFF) * 0.5 / 96, accuracy: 1e-6)
    }

    func testEventsCarryAbsoluteTicksAndOffsets() throws {
        let file = try MIDIFile(bytes: BadInputTests.smf(tracks: [BadInputTests.oneNote]))
        var events: [MIDIEvent] = []
        try file.forEachEvent(inTrack: 0) { events.append($0) }
        XCTAssertEqual(events.map(\.tick), [0, 96, 96])
        XCTAssertEqual(events.map(\.offset), [22, 26, 30])
        XCTAssertEqual(events.map(\.status), [0x90, 0x80, 0xFF])
        XCTAssertEqual(events[2].metaType, MIDIMetaType.endOfTrack)
    }

    func testTempoMapMatchesPrettyMIDIArithmetic() {
        var map = TempoMap(ticksPerQuarter: 480)
        map.addTempo(atTick: 0, microsecondsPerQuarter: 600_000)     // 100 qpm
        map.addTempo(atTick: 960, microsecondsPerQuarter: 600_000)   // repeat: ignored
        map.addTempo(atTick: 1920, microsecondsPerQuarter: 400_000)  // 150 qpm
        XCTAssertEqual(map.startTicks, [0, 1920])
        let scale0 = 60.0 / ((6e7 / 600_000.0) * 480), scale1 = 60.0 / ((6e7 / 400_000.0) * 480)
        XCTAssertEqual(map.seconds(atTick: 1000), scale0 * 1000)
        XCTAssertEqual(map.seconds(atTick: 2000), scale0 * 1920 + scale1 * 80)
        XCTAssertEqual(map.tick(atSeconds: map.seconds(atTick: 2345)), 2345)
    }
}

/// `muse midi info`'s summary, from pretty_midi's view of a fixture.
final class MIDIFileSummaryTests: XCTestCase {
    func testSummaryCountsPartsNotesAndTempos() throws {
        let name = "piece_band"
        let expected = try Fixtures.expectation(name)
        let summary = try MIDIFileSummary(contentsOf: Fixtures.midiPath(name))
        XCTAssertEqual(summary.format, 1)
        XCTAssertEqual(summary.trackCount, 5)
        XCTAssertEqual(summary.ticksPerQuarter, expected.resolution)
        XCTAssertEqual(summary.instruments.map(\.program), expected.instruments.map(\.program))
        XCTAssertEqual(summary.instruments.map(\.isDrum), expected.instruments.map(\.is_drum))
        XCTAssertEqual(summary.instruments.map(\.noteCount), expected.instruments.map(\.notes.count))
        XCTAssertEqual(summary.noteCount, expected.instruments.map(\.notes.count).reduce(0, +))
        XCTAssertEqual(summary.tempos.count, expected.tempos.count)
        XCTAssertTrue(summary.description.hasPrefix(Fixtures.midiPath(name) + ":\n  format: 1\n  tracks: 5\n"))
    }

    func testCorpusStatisticsOverTheFixtureFolderMatchPrettyMIDITotals() throws {
        let statistics = try MIDICorpusStatistics(directory: Fixtures.midiFolder.path, threads: 2)
        let names = Fixtures.names.filter { $0 != "unknown_chunk" }  // shares format1_two_parts' expectation
        let expectations = try names.map(Fixtures.expectation)
        XCTAssertEqual(statistics.fileCount, names.count + 1)
        XCTAssertTrue(statistics.skipped.isEmpty)
        let notes = expectations.flatMap { $0.instruments.flatMap(\.notes) }
        let twoParts = try Fixtures.expectation("unknown_chunk").instruments.flatMap(\.notes)
        XCTAssertEqual(statistics.noteCount, notes.count + twoParts.count)
        XCTAssertEqual(statistics.pitchRange, Int(notes.map { $0[0] }.min()!)...Int(notes.map { $0[0] }.max()!))
    }

    func testCorpusStatisticsMergedPerFileEqualTotalsOfEverySequence() throws {
        let statistics = try MIDICorpusStatistics(directory: Fixtures.midiFolder.path, threads: 2)
        var expected = MIDICorpusStatistics()
        for path in try MIDICorpus.files(in: Fixtures.midiFolder.path) {
            expected.add(try NoteSequence(contentsOfMIDIFile: path))
        }
        XCTAssertEqual(statistics.fileCount, expected.fileCount)
        XCTAssertEqual(statistics.noteCount, expected.noteCount)
        XCTAssertEqual(statistics.pitchRange, expected.pitchRange)
        XCTAssertEqual(statistics.instrumentCount, expected.instrumentCount)
        XCTAssertEqual(statistics.drumInstrumentCount, expected.drumInstrumentCount)
        XCTAssertEqual(statistics.programs, expected.programs)
        XCTAssertEqual(statistics.totalDurationSeconds, expected.totalDurationSeconds, accuracy: 1e-9)
    }
}
