import XCTest
import MuseMIDI
@testable import MuseEncoding

/// Performance events from NoteSequences and MIDI files against note_seq 0.0.5's own functions
/// (`apply_sustain_control_changes`, `quantize_note_sequence_absolute`, `Performance`,
/// `PerformanceOneHotEncoding`, `to_sequence`). Steps and indices are integers and times are the
/// same double-precision operations on the same inputs, so every comparison is exact.
final class PerformanceExtractionTests: XCTestCase {
    typealias F = PerformanceFixtures

    func testFixturesCoverTheCasesTheyClaim() {
        XCTAssertGreaterThanOrEqual(F.sequences.sequences.count, 20)
        XCTAssertEqual(F.midi.cases.count, 8)
        XCTAssertEqual(F.midi.steps_per_second, 100)
        XCTAssertEqual(F.midi.max_shift_steps, 100)
        XCTAssertEqual(F.midi.num_velocity_bins, 32)
        // At least one file each with pedal, with drums, and with pitches off the piano.
        let withDrums = F.midi.cases.filter { $0.variants["with_drums"] != nil }
        XCTAssertGreaterThanOrEqual(withDrums.count, 2)
        XCTAssertTrue(F.midi.cases.contains { $0.variants["piano"]?.same_notes_as == nil })
    }

    // MARK: hand-made sequences

    func testSustainMatchesNoteSeqOnHandMadeSequences() throws {
        for c in F.sequences.sequences {
            for (variant, expected) in c.variants {
                let prepared = F.pipeline(variant).prepared(c.sequence)
                XCTAssertEqual(prepared.notes.map(F.Note.init), expected.sustained_notes, "\(c.name) \(variant)")
                XCTAssertEqual(prepared.totalTime, expected.sustained_total_time, "\(c.name) \(variant): total time")
            }
        }
    }

    func testQuantizedStepsMatchNoteSeqOnHandMadeSequences() throws {
        for c in F.sequences.sequences {
            for (variant, expected) in c.variants {
                let notes = try F.pipeline(variant).prepared(c.sequence).absolutelyQuantizedNotes(stepsPerSecond: 100)
                XCTAssertEqual(notes.map { [$0.quantizedStartStep ?? -1, $0.quantizedEndStep ?? -1] }, expected.quantized_notes,
                               "\(c.name) \(variant)")
            }
        }
    }

    func testEventsAndIndicesMatchNoteSeqOnHandMadeSequences() throws {
        for c in F.sequences.sequences {
            for (variant, expected) in c.variants {
                let pipeline = F.pipeline(variant)
                let performance = try pipeline.performance(of: c.sequence)
                XCTAssertEqual(performance.events, expected.events?.map(\.event), "\(c.name) \(variant)")
                XCTAssertEqual(try pipeline.classIndices(of: c.sequence), expected.indices, "\(c.name) \(variant)")
                XCTAssertEqual(performance.program, expected.program, "\(c.name) \(variant): program")
                XCTAssertEqual(performance.isDrum, expected.is_drum, "\(c.name) \(variant): is_drum")
            }
        }
    }

    func testDecodingIndicesMatchesNoteSeqsToSequenceOnHandMadeSequences() throws {
        for c in F.sequences.sequences {
            for (variant, expected) in c.variants {
                let decoded = try F.pipeline(variant).sequence(classIndices: expected.indices)
                XCTAssertEqual(decoded.notes.map(F.Note.init), expected.decoded?.notes, "\(c.name) \(variant)")
                XCTAssertEqual(decoded.totalTime, expected.decoded?.total_time, "\(c.name) \(variant)")
            }
        }
    }

    // MARK: MIDI files

    /// The notes Muse's reader makes of each file are note_seq's `midi_file_to_note_sequence`
    /// notes, bit for bit (quantization at 10 ms would expose a last-bit difference).
    func testMIDIReadingMatchesNoteSeq() throws {
        for c in F.midi.cases {
            let sequence = try NoteSequence(contentsOfMIDIFile: F.folder.appendingPathComponent(c.name + ".mid").path)
            XCTAssertEqual(sequence.notes.map(F.Note.init), c.notes, c.name)
        }
    }

    func testMIDIFilesSustainAndQuantizeAsNoteSeq() throws {
        for c in F.midi.cases {
            let sequence = try NoteSequence(contentsOfMIDIFile: F.folder.appendingPathComponent(c.name + ".mid").path)
            for (variant, expected) in c.variants where expected.sustained_notes != nil {
                let prepared = F.pipeline(variant).prepared(sequence)
                XCTAssertEqual(prepared.notes.map(F.Note.init), expected.sustained_notes, "\(c.name) \(variant)")
                let steps = try prepared.absolutelyQuantizedNotes(stepsPerSecond: 100).map { [$0.quantizedStartStep ?? -1, $0.quantizedEndStep ?? -1] }
                XCTAssertEqual(steps, expected.quantized_notes, "\(c.name) \(variant)")
            }
        }
    }

    func testMIDIFilesEncodeToNoteSeqsIndices() throws {
        var total = 0
        for c in F.midi.cases {
            let sequence = try NoteSequence(contentsOfMIDIFile: F.folder.appendingPathComponent(c.name + ".mid").path)
            for (variant, expected) in c.variants {
                let indices = try F.pipeline(variant).classIndices(of: sequence)
                XCTAssertEqual(indices, expected.indices, "\(c.name) \(variant)")
                if expected.same_notes_as == nil {
                    let performance = try F.pipeline(variant).performance(of: sequence)
                    XCTAssertEqual(performance.program, expected.program, "\(c.name) \(variant): program")
                    XCTAssertEqual(performance.isDrum, expected.is_drum, "\(c.name) \(variant): is_drum")
                }
                total += indices.count
            }
        }
        XCTAssertGreaterThan(total, 5000)
    }

    func testMIDIFilesDecodeToNoteSeqsToSequence() throws {
        for c in F.midi.cases {
            for (variant, expected) in c.variants {
                guard let want = expected.decoded else { continue }
                let decoded = try F.pipeline(variant).sequence(classIndices: expected.indices)
                XCTAssertEqual(decoded.notes.map(F.Note.init), want.notes, "\(c.name) \(variant)")
                XCTAssertEqual(decoded.totalTime, want.total_time, "\(c.name) \(variant)")
            }
        }
    }

    // MARK: behaviours named

    func testDrumNotesAreLeftOutByDefaultAndKeptOnRequest() throws {
        let sequence = NoteSequence(notes: [
            .init(pitch: 36, velocity: 100, startTime: 0, endTime: 0.1, isDrum: true, instrument: 1),
            .init(pitch: 60, velocity: 80, startTime: 0, endTime: 0.5),
        ])
        XCTAssertEqual(try PerformancePipeline().performance(of: sequence).events.filter { $0.kind == .noteOn }, [PerformanceEvent(.noteOn, 60)])
        var keep = PerformancePipeline()
        keep.removeDrums = false
        XCTAssertEqual(try keep.performance(of: sequence).events.filter { $0.kind == .noteOn },
                       [PerformanceEvent(.noteOn, 36), PerformanceEvent(.noteOn, 60)])
    }

    func testPianoPipelineDropsPitchesOffTheKeyboard() throws {
        let sequence = NoteSequence(notes: [20, 21, 108, 109].enumerated().map {
            .init(pitch: $0.element, velocity: 80, startTime: Double($0.offset) * 0.1, endTime: Double($0.offset) * 0.1 + 0.05)
        })
        let events = try PerformancePipeline.piano.performance(of: sequence).events
        XCTAssertEqual(events.filter { $0.kind == .noteOn }.map(\.value), [21, 108])
        XCTAssertEqual(try PerformancePipeline().performance(of: sequence).events.filter { $0.kind == .noteOn }.count, 4)
    }

    func testEmptySequenceHasNoEvents() throws {
        XCTAssertEqual(try PerformancePipeline().classIndices(of: NoteSequence()), [])
        XCTAssertEqual(try PerformancePipeline().sequence(classIndices: []).notes, [])
    }

    func testNegativeAndNonFiniteTimesThrow() {
        for (start, end) in [(-0.5, 0.2), (0.0, Double.nan), (Double.infinity, 1.0)] {
            let sequence = NoteSequence(notes: [.init(pitch: 60, velocity: 80, startTime: start, endTime: end)])
            XCTAssertThrowsError(try PerformancePipeline().performance(of: sequence)) { error in
                guard case EncodingError.badTime = error else { return XCTFail("\(error)") }
            }
        }
    }

    func testBadIndicesThrowOnDecoding() {
        XCTAssertThrowsError(try PerformancePipeline().sequence(classIndices: [60, 388]))
        XCTAssertThrowsError(try PerformancePipeline().sequence(classIndices: [-1]))
    }

    /// Encoding the notes decoded from a performance gives the same events back (the notes sit on
    /// the grid, so nothing moves), for every fixture file.
    func testDecodedSequencesReencodeToTheSameIndices() throws {
        for c in F.midi.cases {
            for (variant, expected) in c.variants where variant != "with_drums" {
                let pipeline = F.pipeline(variant)
                let decoded = try pipeline.sequence(classIndices: expected.indices)
                let again = try pipeline.classIndices(of: decoded)
                let decodedAgain = try pipeline.sequence(classIndices: again)
                XCTAssertEqual(decodedAgain.notes.map(F.Note.init).sorted { ($0.start, $0.pitch) < ($1.start, $1.pitch) },
                               decoded.notes.map(F.Note.init).sorted { ($0.start, $0.pitch) < ($1.start, $1.pitch) },
                               "\(c.name) \(variant)")
            }
        }
    }
}
