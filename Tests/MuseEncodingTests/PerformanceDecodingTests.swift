import XCTest
import MuseMIDI
@testable import MuseEncoding

/// Index lists to notes against note_seq's `Performance.to_sequence`, including the malformed
/// lists a sampler can produce (note-offs with nothing open, notes never closed, zero lengths).
final class PerformanceDecodingTests: XCTestCase {
    typealias F = PerformanceFixtures

    func testIndicesDecodeToNoteSeqsEvents() throws {
        let encoding = PerformanceOneHotEncoding.performanceRNN
        for c in F.sequences.decodes {
            XCTAssertEqual(try encoding.decode(c.indices), c.events.map(\.event), c.name)
            XCTAssertEqual(try encoding.encode(c.events.map(\.event)), c.indices, c.name)
        }
    }

    func testToSequenceMatchesNoteSeq() throws {
        XCTAssertGreaterThanOrEqual(F.sequences.decodes.count, 8)
        for c in F.sequences.decodes {
            let sequence = try PerformancePipeline().sequence(classIndices: c.indices)
            XCTAssertEqual(sequence.notes.map(F.Note.init), c.notes, c.name)
            XCTAssertEqual(sequence.totalTime, c.total_time, c.name)
            XCTAssertEqual(sequence.ticksPerQuarter, 220, c.name)
        }
    }

    func testMaxNoteDurationShortensLongNotes() throws {
        let performance = Performance(events: [PerformanceEvent(.noteOn, 60), PerformanceEvent(.timeShift, 100),
                                               PerformanceEvent(.timeShift, 50), PerformanceEvent(.noteOff, 60)])
        XCTAssertEqual(try performance.toSequence().notes.first?.endTime, 1.5)
        XCTAssertEqual(try performance.toSequence(maxNoteDurationSeconds: 0.25).notes.first?.endTime, 0.25)
    }

    func testProgramAndInstrumentAreGivenToEveryNote() throws {
        var performance = Performance(events: [PerformanceEvent(.noteOn, 60), PerformanceEvent(.timeShift, 10), PerformanceEvent(.noteOff, 60)])
        performance.program = 40
        XCTAssertEqual(try performance.toSequence().notes.first?.program, 40)
        let note = try performance.toSequence(instrument: 3, program: 5).notes.first
        XCTAssertEqual(note?.program, 5)
        XCTAssertEqual(note?.instrument, 3)
    }

    func testVelocityEventsWithoutBinsThrow() {
        let performance = Performance(numVelocityBins: 0, events: [PerformanceEvent(.velocity, 3)])
        XCTAssertThrowsError(try performance.toSequence())
    }
}
