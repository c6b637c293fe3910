import Foundation
import XCTest
@testable import MuseMIDI

/// Paths of the committed fixtures written by scripts/make_midi_fixtures.py.
enum Fixtures {
    static var midiFolder: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("midi")
    }

    /// Names (without extension) of fixtures that have a pretty_midi expectation.
    static var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: midiFolder.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    static func midiPath(_ name: String) -> String { midiFolder.appendingPathComponent(name + ".mid").path }

    static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: midiPath(name)))) }

    static func expectation(_ name: String) throws -> PrettyMIDIExpectation {
        let data = try Data(contentsOf: midiFolder.appendingPathComponent(name + ".json"))
        return try JSONDecoder().decode(PrettyMIDIExpectation.self, from: data)
    }
}

/// pretty_midi 0.2.11's reading of one fixture, as the script dumps it.
struct PrettyMIDIExpectation: Decodable {
    struct Instrument: Decodable {
        var program: Int
        var is_drum: Bool
        var name: String
        /// [pitch, velocity, start, end]
        var notes: [[Double]]
        /// [number, value, time]
        var control_changes: [[Double]]
        /// [bend, time]
        var pitch_bends: [[Double]]
    }
    var resolution: Int
    /// [time, qpm]
    var tempos: [[Double]]
    /// [time, numerator, denominator]
    var time_signatures: [[Double]]
    /// [time, key number (0-11 major, 12-23 minor)]
    var key_signatures: [[Double]]
    var instruments: [Instrument]
}
