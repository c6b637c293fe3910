import XCTest
@testable import MuseMIDI

/// Quantization (note_seq's `quantize_note_sequence`), transposition, slicing, splitting.
final class NoteSequenceTransformTests: XCTestCase {
    func note(_ pitch: Int, _ start: Double, _ end: Double, drum: Bool = false, instrument: Int = 0) -> NoteSequence.Note {
        .init(pitch: pitch, velocity: 80, startTime: start, endTime: end, isDrum: drum, instrument: instrument)
    }

    /// At 120 qpm and 4 steps per quarter a step is 0.125 s; note_seq rounds a time up to the
    /// next step once it is past half a step (cutoff 0.5), and makes zero-step notes one step.
    func testQuantizeRoundsLikeNoteSeq() throws {
        let sequence = NoteSequence(notes: [note(60, 0.0, 0.3), note(62, 0.0624, 0.0626), note(64, 0.5, 0.56)],
                                    tempos: [.init(time: 0, qpm: 120)])
        let quantized = try sequence.quantized(stepsPerQuarter: 4)
        XCTAssertEqual(quantized.notes.map { [$0.quantizedStartStep!, $0.quantizedEndStep!] }, [[0, 2], [0, 1], [4, 5]])
        XCTAssertEqual(quantized.totalQuantizedSteps, 5)
        XCTAssertEqual(quantized.quantizationInfo, .init(stepsPerQuarter: 4))
        XCTAssertEqual(quantized.timeSignatures, [.init(time: 0, numerator: 4, denominator: 4)])
    }

    func testQuantizeUsesTheSequenceTempo() throws {
        let sequence = NoteSequence(notes: [note(60, 0.25, 0.5)], tempos: [.init(time: 0, qpm: 60)])
        let quantized = try sequence.quantized(stepsPerQuarter: 4)  // 4 steps per second
        XCTAssertEqual(quantized.notes[0].quantizedStartStep, 1)
        XCTAssertEqual(quantized.notes[0].quantizedEndStep, 2)
    }

    func testQuantizeRejectsTempoChanges() {
        let sequence = NoteSequence(notes: [note(60, 0, 1)], tempos: [.init(time: 0, qpm: 120), .init(time: 1, qpm: 90)])
        XCTAssertThrowsError(try sequence.quantized(stepsPerQuarter: 4)) { error in
            XCTAssertEqual(error as? MIDIError, .multipleTempos(timeSeconds: 1, qpm: 90, firstQPM: 120))
        }
    }

    func testQuantizeAcceptsRepeatedEqualTempoAndImplicit120() throws {
        let repeated = NoteSequence(notes: [note(60, 0, 1)], tempos: [.init(time: 0, qpm: 90), .init(time: 2, qpm: 90)])
        XCTAssertEqual(try repeated.quantized(stepsPerQuarter: 4).tempos, [.init(time: 0, qpm: 90)])
        let late120 = NoteSequence(notes: [note(60, 0, 1)], tempos: [.init(time: 1, qpm: 120)])
        XCTAssertEqual(try late120.quantized(stepsPerQuarter: 4).tempos, [.init(time: 0, qpm: 120)])
    }

    func testQuantizeRejectsTimeSignatureChanges() {
        let sequence = NoteSequence(notes: [note(60, 0, 1)], timeSignatures: [.init(time: 0, numerator: 3, denominator: 4),
                                                                              .init(time: 2, numerator: 4, denominator: 4)])
        XCTAssertThrowsError(try sequence.quantized(stepsPerQuarter: 4)) { error in
            XCTAssertEqual(error as? MIDIError, .multipleTimeSignatures(timeSeconds: 2, signature: "4/4", first: "3/4"))
        }
    }

    func testWithQuantizedTimesSnapsSecondsToSteps() throws {
        let sequence = NoteSequence(notes: [note(60, 0.07, 0.3)], tempos: [.init(time: 0, qpm: 120)])
        let snapped = try sequence.quantized(stepsPerQuarter: 4).withQuantizedTimes()
        XCTAssertEqual(snapped.notes[0].startTime, 0.125)
        XCTAssertEqual(snapped.notes[0].endTime, 0.25)
        XCTAssertEqual(snapped.totalTime, 0.25)
    }

    func testTransposeMovesPitchedNotesAndKeysButNotDrums() {
        let sequence = NoteSequence(notes: [note(60, 0, 1), note(36, 0, 1, drum: true)],
                                    keySignatures: [.init(time: 0, key: 10, mode: .major)])
        let (up, lost) = sequence.transposed(semitones: 3)
        XCTAssertEqual(up.notes.map(\.pitch), [63, 36])
        XCTAssertEqual(up.keySignatures[0].key, 1)
        XCTAssertEqual(lost, 0)
    }

    func testTransposeDropsOrClampsNotesOutOfRange() {
        let sequence = NoteSequence(notes: [note(50, 0, 1), note(70, 0, 2)])
        let dropped = sequence.transposed(semitones: 12, allowedPitches: 48...72, outOfRange: .drop)
        XCTAssertEqual(dropped.sequence.notes.map(\.pitch), [62])
        XCTAssertEqual(dropped.outOfRangeCount, 1)
        XCTAssertEqual(dropped.sequence.totalTime, 1)
        let clamped = sequence.transposed(semitones: 12, allowedPitches: 48...72, outOfRange: .clamp)
        XCTAssertEqual(clamped.sequence.notes.map(\.pitch), [62, 72])
        XCTAssertEqual(clamped.outOfRangeCount, 1)
    }

    func testSliceKeepsNotesStartingInsideAndCutsTheirEnds() {
        let sequence = NoteSequence(notes: [note(60, 0, 1.5), note(62, 1, 2.5), note(64, 2.9, 4), note(65, 3, 3.5)],
                                    tempos: [.init(time: 0, qpm: 100), .init(time: 0.5, qpm: 80), .init(time: 2, qpm: 70)])
        let slice = sequence.sliced(fromSeconds: 1, toSeconds: 3)
        XCTAssertEqual(slice.notes.map(\.pitch), [62, 64])
        XCTAssertEqual(slice.notes.map(\.startTime), [0, 1.9])
        XCTAssertEqual(slice.notes[1].endTime, 2, accuracy: 1e-12)
        XCTAssertEqual(slice.tempos, [.init(time: 0, qpm: 80), .init(time: 1, qpm: 70)])
        XCTAssertEqual(slice.totalTime, 2, accuracy: 1e-12)
    }

    func testSplitByInstrumentKeepsEachPartWithTheSharedTimeline() throws {
        let sequence = try NoteSequence(contentsOfMIDIFile: Fixtures.midiPath("piece_band"))
        let parts = sequence.splitByInstrument()
        XCTAssertEqual(parts.map(\.instrument), [0, 1, 2, 3])
        XCTAssertEqual(parts.map { $0.sequence.notes.count }.reduce(0, +), sequence.notes.count)
        for (index, part) in parts {
            XCTAssertTrue(part.notes.allSatisfy { $0.instrument == index })
            XCTAssertTrue(part.pitchBends.allSatisfy { $0.instrument == index })
            XCTAssertEqual(part.tempos, sequence.tempos)
        }
        XCTAssertFalse(parts[3].sequence.pitchBends.isEmpty)  // the lead synth bends
    }
}
