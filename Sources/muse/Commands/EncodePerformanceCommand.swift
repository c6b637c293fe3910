import ArgumentParser
import Foundation
import MuseEncoding
import MuseMIDI

/// `muse encode performance FILE.mid [--json] [--piano]`, or `--decode "i,j,…" | --decode-file F.json [-o OUT.mid]`.
struct EncodePerformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "performance",
        abstract: "Performance events of a MIDI file as note_seq makes them (Performance RNN / Music Transformer), or a MIDI file from class indices.",
        discussion: """
            Events: NOTE_ON/NOTE_OFF pitch, TIME_SHIFT steps (100 steps per second, at most 100 per shift), \
            VELOCITY bin (32 bins). Drums are left out and the sustain pedal is applied first. Classes: \
            388 for pitches 0...127, 308 with --piano (21...108). The last line of the text output is the \
            index list, which --decode accepts.
            """)

    @Argument(help: "The MIDI file to encode (not with --decode or --decode-file).")
    var file: String?

    @Flag(help: "Print JSON: the settings, events (note_seq type names and values) and class indices.")
    var json = false

    @Flag(help: "Use the piano's pitches 21...108 (308 classes) instead of 0...127 (388).")
    var piano = false

    @Flag(name: .customLong("keep-drums"), help: "Encode drum notes as pitched notes, as note_seq's Performance alone would.")
    var keepDrums = false

    @Flag(inversion: .prefixedNo, help: "Apply the sustain pedal (control 64) to note lengths before encoding.")
    var sustain = true

    @Option(help: "Comma-separated class indices to decode into a MIDI file, e.g. \"356,60,280,188\" (default: none).")
    var decode: String?

    @Option(name: .customLong("decode-file"),
            help: "JSON file of class indices to decode: an array, or an object with \"indices\" as --json prints (default: none).")
    var decodeFile: String?

    @Option(name: [.short, .customLong("output")], help: "Where --decode writes the MIDI file.")
    var output = "output/decoded-performance.mid"

    func validate() throws {
        let sources = [file != nil, decode != nil, decodeFile != nil].filter { $0 }.count
        guard sources == 1 else { throw ValidationError("give exactly one of FILE, --decode or --decode-file") }
    }

    var pipeline: PerformancePipeline {
        var pipeline = piano ? PerformancePipeline.piano : PerformancePipeline()
        pipeline.removeDrums = !keepDrums
        pipeline.applySustain = sustain
        return pipeline
    }

    func run() throws {
        if let file {
            let sequence = try naming(file) { try NoteSequence(contentsOfMIDIFile: file) }
            let encoding = try pipeline.encoding()
            let events = try pipeline.performance(of: sequence).events
            let indices = try encoding.encode(events)
            if json {
                let report = Report(file: file, pipeline: pipeline, classCount: encoding.classCount,
                                    events: events.map { .init(type: $0.kind.name, value: $0.value) }, indices: indices)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted]
                FileHandle.standardOutput.write(try encoder.encode(report))
                print()
            } else {
                print("\(file): \(events.count) events, \(encoding.classCount) classes (pitches \(pipeline.minPitch)...\(pipeline.maxPitch), "
                      + "\(pipeline.stepsPerSecond) steps per second, shifts up to \(pipeline.maxShiftSteps), \(pipeline.numVelocityBins) velocity bins)")
                print("index event")
                for (index, event) in zip(indices, events) { print(String(format: "%5d ", index) + event.description) }
                print("indices: " + indices.map(String.init).joined(separator: ","))
            }
        } else {
            let indices = try decode.map(Self.parseIndices) ?? Self.readIndices(decodeFile ?? "")
            let sequence = try pipeline.sequence(classIndices: indices)
            try naming(output) { try sequence.writeMIDI(to: output) }
            print("wrote \(output): \(sequence.notes.count) notes, \(String(format: "%.2f", sequence.totalTime)) s from \(indices.count) events")
        }
    }

    /// `"1, 2,3"` → [1, 2, 3].
    static func parseIndices(_ text: String) throws -> [Int] {
        try text.split(separator: ",").map { word in
            let trimmed = word.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let value = Int(trimmed) else { throw ValidationError("--decode: '\(trimmed)' is not a class index") }
            return value
        }
    }

    /// A JSON array of indices, or an object with an `indices` array (as `--json` prints).
    static func readIndices(_ path: String) throws -> [Int] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ValidationError("--decode-file: cannot read \(path)")
        }
        if let list = try? JSONDecoder().decode([Int].self, from: data) { return list }
        if let object = try? JSONDecoder().decode(IndexList.self, from: data) { return object.indices }
        throw ValidationError("--decode-file: \(path) holds neither a JSON array of integers nor an object with \"indices\"")
    }

    struct IndexList: Decodable { let indices: [Int] }

    /// What `--json` prints.
    struct Report: Encodable {
        struct Event: Encodable { let type: String; let value: Int }
        let file: String
        let pipeline: PerformancePipeline
        let classCount: Int
        let events: [Event]
        let indices: [Int]
    }
}
