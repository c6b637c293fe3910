import Foundation
import MuseSupport

/// Reads MusicXML (`score-partwise`, versions 1.0–4.0; plain or compressed `.mxl`) into a `NoteSequence`, with
/// the meanings of note_seq's `musicxml_reader`: one instrument per `<score-part>` in part-list
/// order, program from its `<midi-program>` (1-based in the file, 0-based in the sequence),
/// channel 10 as drums, velocity 64 until a `<sound dynamics>` says otherwise (dynamics are
/// percent of forte, velocity 90), 120 qpm until a `<sound tempo>`; tied notes merged into one;
/// grace notes (no duration) dropped; repeats played once, as written.
///
/// Times are computed in quarter notes per part (`<divisions>` may change), then mapped to seconds
/// through the tempo map built from every part's tempo marks.
public enum MusicXMLReader {
    /// Velocity used before any dynamics mark (note_seq's `DEFAULT_MIDI_VELOCITY`).
    public static let defaultVelocity = 64
    /// Tempo used before any tempo mark, in quarter notes per minute.
    public static let defaultQPM = 120.0

    /// Reads the MusicXML file at `path`.
    /// - Throws: `MusicXMLError` naming the file and the problem.
    public static func read(contentsOf path: String) throws -> NoteSequence {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MusicXMLError(file: path, reason: "cannot read file")
        }
        return try read(bytes: [UInt8](data), file: path)
    }

    /// Parses MusicXML bytes — plain, or compressed (`.mxl`: a zip archive, recognised by its
    /// first bytes, whose `META-INF/container.xml` names the score); `file` names the source in errors.
    public static func read(bytes: [UInt8], file: String = "<memory>") throws -> NoteSequence {
        let xml = isZip(bytes) ? try rootFile(ofArchive: bytes, file: file) : bytes
        let root: XMLElement
        do { root = try XMLElement.parse(xml) } catch let error as XMLParseError {
            throw MusicXMLError(file: file, reason: "not well-formed XML at \(error)")
        }
        guard root.name == "score-partwise" else {
            throw MusicXMLError(file: file, reason: root.name == "score-timewise"
                ? "score-timewise is not supported; convert to score-partwise"
                : "root element is <\(root.name)>, not <score-partwise>")
        }
        var programs: [String: (program: Int, isDrum: Bool, name: String)] = [:]
        var partOrder: [String] = []
        for scorePart in root.child("part-list")?.children("score-part") ?? [] {
            guard let id = scorePart.attributes["id"] else { continue }
            let midi = scorePart.child("midi-instrument")
            let program = (midi?.childText("midi-program")).flatMap { Int($0) }.map { $0 - 1 } ?? 0
            let channel = (midi?.childText("midi-channel")).flatMap { Int($0) } ?? 1
            programs[id] = (min(max(program, 0), 127), channel == 10, scorePart.childText("part-name") ?? "")
            partOrder.append(id)
        }

        var state = Accumulator()
        for part in root.children("part") {
            let id = part.attributes["id"] ?? ""
            let instrument = partOrder.firstIndex(of: id) ?? partOrder.count
            let info = programs[id] ?? (0, false, "")
            try state.readPart(part, instrument: instrument, program: info.program, isDrum: info.isDrum, file: file)
            if !info.name.isEmpty { state.infos.append(.init(instrument: instrument, name: info.name)) }
        }
        return state.sequence()
    }

    /// Positions are in quarter notes from the start of the score.
    private struct Accumulator {
        struct PendingNote { var pitch, velocity, program, instrument: Int; var isDrum: Bool; var start, end: Double; var voice: String }
        var notes: [PendingNote] = []
        var tempos: [(quarters: Double, qpm: Double)] = []
        var timeSignatures: [(quarters: Double, numerator: Int, denominator: Int)] = []
        var keySignatures: [(quarters: Double, key: Int, mode: NoteSequence.KeySignature.Mode)] = []
        var infos: [NoteSequence.InstrumentInfo] = []

        mutating func readPart(_ part: XMLElement, instrument: Int, program: Int, isDrum: Bool, file: String) throws {
            var divisions = 1.0
            var position = 0.0           // quarters
            var lastOnset = 0.0          // onset of the previous non-chord note, for <chord/>
            var velocity = MusicXMLReader.defaultVelocity
            var openTies: [Int: Int] = [:] // pitch -> index in `notes` of a note whose tie continues
            for (measureIndex, measure) in part.children("measure").enumerated() {
                for element in measure.children {
                    switch element.name {
                    case "attributes":
                        if let d = element.childText("divisions").flatMap(Double.init) {
                            guard d > 0, d.isFinite else {
                                throw MusicXMLError(file: file, reason: "measure \(measureIndex + 1): divisions \(d) is not positive")
                            }
                            divisions = d
                        }
                        if let time = element.child("time"), let beats = time.childText("beats"),
                           let beatType = time.childText("beat-type").flatMap(Int.init) {
                            // "3+2" compound beats add up.
                            let numerator = beats.split(separator: "+").compactMap { Int($0) }.reduce(0, +)
                            if numerator > 0 && beatType > 0 { timeSignatures.append((position, numerator, beatType)) }
                        }
                        if let key = element.child("key"), let fifths = key.childText("fifths").flatMap(Int.init) {
                            let mode: NoteSequence.KeySignature.Mode = key.childText("mode") == "minor" ? .minor : .major
                            // Major tonic is fifths*7 semitones above C; minor is its relative minor.
                            let major = ((fifths * 7) % 12 + 12) % 12
                            keySignatures.append((position, mode == .minor ? (major + 9) % 12 : major, mode))
                        }
                    case "sound":
                        readSound(element, at: position, velocity: &velocity)
                    case "direction":
                        if let sound = element.child("sound") { readSound(sound, at: position, velocity: &velocity) }
                    case "backup":
                        position -= (element.childText("duration").flatMap(Double.init) ?? 0) / divisions
                        position = max(position, 0)
                    case "forward":
                        position += (element.childText("duration").flatMap(Double.init) ?? 0) / divisions
                    case "note":
                        try readNote(element, divisions: divisions, position: &position, lastOnset: &lastOnset,
                                     velocity: velocity, openTies: &openTies, instrument: instrument,
                                     program: program, isDrum: isDrum, file: file, measure: measureIndex + 1)
                    default:
                        break
                    }
                }
            }
        }

        mutating func readSound(_ sound: XMLElement, at position: Double, velocity: inout Int) {
            if let qpm = sound.attributes["tempo"].flatMap(Double.init), qpm > 0, qpm.isFinite {
                tempos.append((position, qpm))
            }
            if let dynamics = sound.attributes["dynamics"].flatMap(Double.init), dynamics.isFinite {
                velocity = min(127, max(1, Int((dynamics * 90 / 100).rounded())))
            }
        }

        mutating func readNote(_ note: XMLElement, divisions: Double, position: inout Double, lastOnset: inout Double,
                               velocity: Int, openTies: inout [Int: Int], instrument: Int, program: Int,
                               isDrum: Bool, file: String, measure: Int) throws {
            if note.child("grace") != nil { return }
            let duration = (note.childText("duration").flatMap(Double.init) ?? 0) / divisions
            guard duration >= 0, duration.isFinite else {
                throw MusicXMLError(file: file, reason: "measure \(measure): negative or invalid note duration")
            }
            let isChord = note.child("chord") != nil
            let onset = isChord ? lastOnset : position
            if !isChord { lastOnset = position; position += duration }
            guard note.child("rest") == nil, let pitchElement = note.child("pitch") ?? note.child("unpitched") else { return }
            guard let pitch = Self.midiPitch(pitchElement) else {
                throw MusicXMLError(file: file, reason: "measure \(measure): unreadable pitch")
            }
            let ties = note.children("tie").compactMap { $0.attributes["type"] }
            let end = onset + duration
            if ties.contains("stop"), let open = openTies[pitch] {
                notes[open].end = max(notes[open].end, end)
                if !ties.contains("start") { openTies[pitch] = nil }
                return
            }
            let voice = note.childText("voice") ?? "1"
            notes.append(PendingNote(pitch: pitch, velocity: velocity, program: program, instrument: instrument,
                                     isDrum: isDrum, start: onset, end: end, voice: voice))
            if ties.contains("start") { openTies[pitch] = notes.count - 1 }
        }

        /// `<pitch>` step/alter/octave (or `<unpitched>` display-step/octave) → MIDI pitch (C4 = 60).
        static func midiPitch(_ element: XMLElement) -> Int? {
            let unpitched = element.name == "unpitched"
            guard let step = element.childText(unpitched ? "display-step" : "step"),
                  let octave = element.childText(unpitched ? "display-octave" : "octave").flatMap(Int.init) else { return nil }
            let semitone: Int
            switch step.uppercased() {
            case "C": semitone = 0
            case "D": semitone = 2
            case "E": semitone = 4
            case "F": semitone = 5
            case "G": semitone = 7
            case "A": semitone = 9
            case "B": semitone = 11
            default: return nil
            }
            let alter = element.childText("alter").flatMap(Double.init).map { Int($0.rounded()) } ?? 0
            let pitch = (octave + 1) * 12 + semitone + alter
            return (0...127).contains(pitch) ? pitch : nil
        }

        /// Maps quarter-note positions to seconds through the tempo map and assembles the sequence.
        func sequence() -> NoteSequence {
            var marks = tempos.sorted { $0.quarters < $1.quarters }
            if marks.first.map({ $0.quarters > 0 }) ?? true { marks.insert((0, MusicXMLReader.defaultQPM), at: 0) }
            // Several parts repeat the same mark; keep the last mark at each position.
            var unique: [(quarters: Double, qpm: Double)] = []
            for mark in marks {
                if let last = unique.last, abs(last.quarters - mark.quarters) < 1e-9 { unique[unique.count - 1] = mark }
                else { unique.append(mark) }
            }
            var startSeconds: [Double] = [0]
            for k in 1..<max(unique.count, 1) {
                startSeconds.append(startSeconds[k - 1] + (unique[k].quarters - unique[k - 1].quarters) * 60 / unique[k - 1].qpm)
            }
            func seconds(_ quarters: Double) -> Double {
                var k = 0
                while k + 1 < unique.count && unique[k + 1].quarters <= quarters { k += 1 }
                return startSeconds[k] + (quarters - unique[k].quarters) * 60 / unique[k].qpm
            }
            let seqNotes = notes.map {
                NoteSequence.Note(pitch: $0.pitch, velocity: $0.velocity, startTime: seconds($0.start),
                                  endTime: seconds($0.end), program: $0.program, isDrum: $0.isDrum,
                                  instrument: $0.instrument)
            }
            func dedupe<T>(_ items: [T], at position: (T) -> Double, same: (T, T) -> Bool) -> [T] {
                var out: [T] = []
                for item in items.sorted(by: { position($0) < position($1) }) where !out.contains(where: { abs(position($0) - position(item)) < 1e-9 && same($0, item) }) {
                    out.append(item)
                }
                return out
            }
            let times = dedupe(timeSignatures, at: { $0.quarters }, same: { $0.numerator == $1.numerator && $0.denominator == $1.denominator })
            let keys = dedupe(keySignatures, at: { $0.quarters }, same: { $0.key == $1.key && $0.mode == $1.mode })
            return NoteSequence(
                notes: seqNotes.sorted { ($0.instrument, $0.startTime, $0.pitch) < ($1.instrument, $1.startTime, $1.pitch) },
                tempos: unique.map { .init(time: seconds($0.quarters), qpm: $0.qpm) },
                timeSignatures: times.map { .init(time: seconds($0.quarters), numerator: $0.numerator, denominator: $0.denominator) },
                keySignatures: keys.map { .init(time: seconds($0.quarters), key: $0.key, mode: $0.mode) },
                instrumentInfos: infos)
        }
    }
}

/// A MusicXML file that could not be read.
public struct MusicXMLError: Error, Equatable, CustomStringConvertible {
    /// Path of the file (or `<memory>`).
    public var file: String
    public var reason: String
    public var description: String { "\(file): \(reason)" }
}

extension MusicXMLReader {
    /// File name extensions taken as MusicXML (`mxl`: compressed).
    public static let extensions: Set<String> = ["xml", "musicxml", "mxl"]

    /// Every MusicXML file under `directory`, recursively, sorted by path.
    /// - Throws: `MIDIError.cannotRead` if `directory` cannot be listed.
    public static func files(in directory: String) throws -> [String] {
        do { return try FileListing.files(in: directory, extensions: extensions) } catch {
            throw MIDIError.cannotRead(file: directory, reason: "not a readable directory")
        }
    }
}
