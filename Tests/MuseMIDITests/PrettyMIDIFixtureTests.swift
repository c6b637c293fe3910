import XCTest
@testable import MuseMIDI

/// Every fixture read by Muse equals pretty_midi 0.2.11's reading of it. Times are compared to
/// 1e-6 s: both compute them with the same double-precision operations, so they agree far
/// closer; 1e-6 s is the bound and a tenth of a tick at any sane resolution.
final class PrettyMIDIFixtureTests: XCTestCase {
    let timeTolerance = 1e-6

    func testThereAreAtLeastTwentyFixtures() {
        XCTAssertGreaterThanOrEqual(Fixtures.names.count, 20)
    }

    func testEveryFixtureHasATestBelow() {
        let tested: Set<String> = ["controls_and_bends", "drums", "format0_simple", "format1_two_parts", "format2", "long_deltas", "multichannel_one_track", "open_and_spurious", "overlapping_same_pitch", "piece_band", "piece_piano_pedal", "piece_quartet", "ppq_24", "ppq_960", "program_change_midtrack", "random_stress_1", "random_stress_2", "random_stress_3", "random_stress_4", "signatures", "straggler_sharing", "sysex_and_metas", "tempo_changes", "tempo_in_other_track", "track_names", "unknown_chunk", "velocity_zero_off", "zero_length"]
        XCTAssertEqual(Set(Fixtures.names), tested)
    }

    func testControlsAndBendsMatchesPrettyMIDI() throws { try compare("controls_and_bends") }
    func testDrumsMatchesPrettyMIDI() throws { try compare("drums") }
    func testFormat0SimpleMatchesPrettyMIDI() throws { try compare("format0_simple") }
    func testFormat1TwoPartsMatchesPrettyMIDI() throws { try compare("format1_two_parts") }
    func testFormat2MatchesPrettyMIDI() throws { try compare("format2") }
    func testLongDeltasMatchesPrettyMIDI() throws { try compare("long_deltas") }
    func testMultichannelOneTrackMatchesPrettyMIDI() throws { try compare("multichannel_one_track") }
    func testOpenAndSpuriousMatchesPrettyMIDI() throws { try compare("open_and_spurious") }
    func testOverlappingSamePitchMatchesPrettyMIDI() throws { try compare("overlapping_same_pitch") }
    func testPieceBandMatchesPrettyMIDI() throws { try compare("piece_band") }
    func testPiecePianoPedalMatchesPrettyMIDI() throws { try compare("piece_piano_pedal") }
    func testPieceQuartetMatchesPrettyMIDI() throws { try compare("piece_quartet") }
    func testPpq24MatchesPrettyMIDI() throws { try compare("ppq_24") }
    func testPpq960MatchesPrettyMIDI() throws { try compare("ppq_960") }
    func testProgramChangeMidtrackMatchesPrettyMIDI() throws { try compare("program_change_midtrack") }
    func testRandomStress1MatchesPrettyMIDI() throws { try compare("random_stress_1") }
    func testRandomStress2MatchesPrettyMIDI() throws { try compare("random_stress_2") }
    func testRandomStress3MatchesPrettyMIDI() throws { try compare("random_stress_3") }
    func testRandomStress4MatchesPrettyMIDI() throws { try compare("random_stress_4") }
    func testSignaturesMatchesPrettyMIDI() throws { try compare("signatures") }
    func testStragglerSharingMatchesPrettyMIDI() throws { try compare("straggler_sharing") }
    func testSysexAndMetasMatchesPrettyMIDI() throws { try compare("sysex_and_metas") }
    func testTempoChangesMatchesPrettyMIDI() throws { try compare("tempo_changes") }
    func testTempoInOtherTrackMatchesPrettyMIDI() throws { try compare("tempo_in_other_track") }
    func testTrackNamesMatchesPrettyMIDI() throws { try compare("track_names") }
    func testUnknownChunkMatchesPrettyMIDI() throws { try compare("unknown_chunk") }
    func testVelocityZeroOffMatchesPrettyMIDI() throws { try compare("velocity_zero_off") }
    func testZeroLengthMatchesPrettyMIDI() throws { try compare("zero_length") }

    func compare(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try Fixtures.expectation(name)
        let sequence = try NoteSequence(contentsOfMIDIFile: Fixtures.midiPath(name))
        XCTAssertEqual(sequence.ticksPerQuarter, expected.resolution, name)

        XCTAssertEqual(sequence.tempos.count, expected.tempos.count, "\(name): tempo count")
        for (tempo, want) in zip(sequence.tempos, expected.tempos) {
            XCTAssertEqual(tempo.time, want[0], accuracy: timeTolerance, "\(name): tempo time")
            XCTAssertEqual(tempo.qpm, want[1], accuracy: 1e-9 * want[1], "\(name): qpm")
        }
        XCTAssertEqual(sequence.timeSignatures.count, expected.time_signatures.count, "\(name): time signatures")
        for (signature, want) in zip(sequence.timeSignatures, expected.time_signatures) {
            XCTAssertEqual(signature.time, want[0], accuracy: timeTolerance, name)
            XCTAssertEqual(signature.numerator, Int(want[1]), name)
            XCTAssertEqual(signature.denominator, Int(want[2]), name)
        }
        XCTAssertEqual(sequence.keySignatures.count, expected.key_signatures.count, "\(name): key signatures")
        for (signature, want) in zip(sequence.keySignatures, expected.key_signatures) {
            XCTAssertEqual(signature.time, want[0], accuracy: timeTolerance, name)
            XCTAssertEqual(signature.key + 12 * signature.mode.rawValue, Int(want[1]), "\(name): key number")
        }

        let partCount = (sequence.notes.map(\.instrument).max() ?? -1) + 1
        XCTAssertEqual(partCount, expected.instruments.count, "\(name): instrument count")
        var expectedNoteCount = 0
        for (index, instrument) in expected.instruments.enumerated() {
            let notes = sequence.notes.filter { $0.instrument == index }
            expectedNoteCount += instrument.notes.count
            XCTAssertEqual(notes.count, instrument.notes.count, "\(name): notes of instrument \(index)")
            for (note, want) in zip(notes, instrument.notes) {
                XCTAssertEqual(note.pitch, Int(want[0]), "\(name) instrument \(index)")
                XCTAssertEqual(note.velocity, Int(want[1]), "\(name) instrument \(index)")
                XCTAssertEqual(note.startTime, want[2], accuracy: timeTolerance, "\(name) instrument \(index) start")
                XCTAssertEqual(note.endTime, want[3], accuracy: timeTolerance, "\(name) instrument \(index) end")
                XCTAssertEqual(note.program, instrument.program, "\(name) instrument \(index) program")
                XCTAssertEqual(note.isDrum, instrument.is_drum, "\(name) instrument \(index) drum")
            }
            let controls = sequence.controlChanges.filter { $0.instrument == index }
            XCTAssertEqual(controls.count, instrument.control_changes.count, "\(name): control changes of \(index)")
            for (control, want) in zip(controls, instrument.control_changes) {
                XCTAssertEqual(control.controlNumber, Int(want[0]), name)
                XCTAssertEqual(control.controlValue, Int(want[1]), name)
                XCTAssertEqual(control.time, want[2], accuracy: timeTolerance, name)
            }
            let bends = sequence.pitchBends.filter { $0.instrument == index }
            XCTAssertEqual(bends.count, instrument.pitch_bends.count, "\(name): pitch bends of \(index)")
            for (bend, want) in zip(bends, instrument.pitch_bends) {
                XCTAssertEqual(bend.bend, Int(want[0]), name)
                XCTAssertEqual(bend.time, want[1], accuracy: timeTolerance, name)
            }
            let infoName = sequence.instrumentInfos.first { $0.instrument == index }?.name ?? ""
            XCTAssertEqual(infoName, instrument.name, "\(name): name of instrument \(index)")
        }
        XCTAssertEqual(sequence.notes.count, expectedNoteCount, "\(name): total notes")
        let latestEnd = expected.instruments.flatMap(\.notes).map { $0[3] }.max() ?? 0
        XCTAssertEqual(sequence.totalTime, latestEnd, accuracy: timeTolerance, "\(name): totalTime")
    }
}
