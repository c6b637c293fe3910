import Foundation
import MuseMIDI
@testable import MuseEncoding

/// The fixtures of `scripts/make_performance_fixtures.py` (note-seq 0.0.5): MIDI files, hand-made
/// sequences and index lists, and what note_seq's own functions make of them.
enum PerformanceFixtures {
    static let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("performance")

    /// One note as the script writes it: [pitch, velocity, start s, end s, instrument, program, is_drum].
    struct Note: Decodable, Equatable, CustomStringConvertible {
        let pitch, velocity: Int
        let start, end: Double
        let instrument, program: Int
        let isDrum: Bool

        init(from decoder: Decoder) throws {
            var row = try decoder.unkeyedContainer()
            pitch = try row.decode(Int.self); velocity = try row.decode(Int.self)
            start = try row.decode(Double.self); end = try row.decode(Double.self)
            instrument = try row.decode(Int.self); program = try row.decode(Int.self); isDrum = try row.decode(Bool.self)
        }

        init(_ note: NoteSequence.Note) {
            pitch = note.pitch; velocity = note.velocity; start = note.startTime; end = note.endTime
            instrument = note.instrument; program = note.program; isDrum = note.isDrum
        }

        var description: String { "[\(pitch) v\(velocity) \(start)-\(end) i\(instrument) p\(program)\(isDrum ? " drum" : "")]" }
    }

    /// A hand-made note: [pitch, velocity, start s, end s, instrument, is_drum] (program 0).
    struct InputNote: Decodable {
        let note: NoteSequence.Note
        init(from decoder: Decoder) throws {
            var row = try decoder.unkeyedContainer()
            let pitch = try row.decode(Int.self), velocity = try row.decode(Int.self)
            let start = try row.decode(Double.self), end = try row.decode(Double.self)
            let instrument = try row.decode(Int.self), isDrum = try row.decode(Bool.self)
            note = NoteSequence.Note(pitch: pitch, velocity: velocity, startTime: start, endTime: end,
                                     program: 0, isDrum: isDrum, instrument: instrument)
        }
    }

    /// A hand-made control change: [time s, number, value, instrument].
    struct InputControl: Decodable {
        let control: NoteSequence.ControlChange
        init(from decoder: Decoder) throws {
            var row = try decoder.unkeyedContainer()
            let time = try row.decode(Double.self), number = try row.decode(Int.self)
            let value = try row.decode(Int.self), instrument = try row.decode(Int.self)
            control = NoteSequence.ControlChange(time: time, controlNumber: number, controlValue: value, instrument: instrument)
        }
    }

    /// An event as [type name, value].
    struct Event: Decodable, Equatable {
        let event: PerformanceEvent
        init(from decoder: Decoder) throws {
            var row = try decoder.unkeyedContainer()
            let name = try row.decode(String.self)
            guard let kind = PerformanceEvent.Kind(name: name) else {
                throw DecodingError.dataCorruptedError(in: row, debugDescription: "unknown event type \(name)")
            }
            event = PerformanceEvent(kind, try row.decode(Int.self))
        }
    }

    struct Decoded: Decodable { let notes: [Note]; let total_time: Double }

    /// What note_seq makes of one sequence under one pipeline variant.
    struct Variant: Decodable {
        let indices: [Int]
        let sustained_notes: [Note]?
        let sustained_total_time: Double?
        let quantized_notes: [[Int]]?
        let total_quantized_steps: Int?
        let program: Int?
        let is_drum: Bool?
        let decoded: Decoded?
        let events: [Event]?
        let same_notes_as: String?
    }

    struct MIDICase: Decodable { let name: String; let notes: [Note]; let variants: [String: Variant] }
    struct MIDICases: Decodable { let steps_per_second, max_shift_steps, num_velocity_bins: Int; let cases: [MIDICase] }

    struct SequenceCase: Decodable {
        let name: String
        let notes: [InputNote]
        let control_changes: [InputControl]
        let variants: [String: Variant]

        var sequence: NoteSequence {
            NoteSequence(notes: notes.map(\.note), controlChanges: control_changes.map(\.control))
        }
    }
    struct DecodeCase: Decodable { let name: String; let indices: [Int]; let events: [Event]; let notes: [Note]; let total_time: Double }
    struct Table: Decodable { let num_classes: Int; let events: [Event] }
    struct SequenceCases: Decodable { let sequences: [SequenceCase]; let decodes: [DecodeCase]; let tables: [String: Table] }

    static let midi: MIDICases = load("midi_cases.json")
    static let sequences: SequenceCases = load("sequence_cases.json")

    static func load<T: Decodable>(_ name: String) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(contentsOf: folder.appendingPathComponent(name)))
        } catch {
            preconditionFailure("fixture \(name) does not decode: \(error)")
        }
    }

    /// The pipeline of a variant name in the fixtures.
    static func pipeline(_ variant: String) -> PerformancePipeline {
        switch variant {
        case "performance": return PerformancePipeline()
        case "piano": return PerformancePipeline.piano
        case "with_drums": var p = PerformancePipeline(); p.removeDrums = false; return p
        default: preconditionFailure("unknown variant \(variant)")
        }
    }
}
