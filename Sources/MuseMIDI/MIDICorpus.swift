import Foundation
import MuseSupport

/// A folder of MIDI files read in parallel: the files, and statistics over them.
public enum MIDICorpus {
    /// File name extensions taken as Standard MIDI Files (compared case-insensitively).
    public static let extensions: Set<String> = ["mid", "midi", "smf", "kar"]

    /// Every MIDI file under `directory`, recursively, sorted by path.
    /// - Throws: `MIDIError.cannotRead` if `directory` cannot be listed.
    public static func files(in directory: String) throws -> [String] {
        do { return try FileListing.files(in: directory, extensions: extensions) } catch let SupportError.io(_, reason) {
            throw MIDIError.cannotRead(file: directory, reason: reason)
        }
    }

    /// Applies `body` to every path on `threads` threads (both cores by default), results in
    /// path order.
    public static func map<T>(_ paths: [String], threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                              _ body: @escaping @Sendable (String) -> T) -> [T] {
        var results = [T?](repeating: nil, count: paths.count)
        let workers = max(1, min(threads, paths.count))
        if workers == 1 { return paths.map(body) }
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = UnsafeMutableBufferPointerBox(buffer)
            let next = AtomicCounter()
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let index = next.increment()
                    if index >= paths.count { break }
                    slots.buffer[index] = body(paths[index])
                }
            }
        }
        return results.map { $0! }
    }

    /// Reads every file to a NoteSequence in parallel; each entry is the sequence or the error.
    public static func read(_ paths: [String], threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Result<NoteSequence, MIDIError>] {
        map(paths, threads: threads) { path in
            do { return .success(try NoteSequence(contentsOfMIDIFile: path)) } catch let error as MIDIError {
                return .failure(error)
            } catch {
                return .failure(.cannotRead(file: path, reason: "\(error)"))
            }
        }
    }
}

/// Totals over a corpus, as `muse corpus stats` prints them.
public struct MIDICorpusStatistics: Sendable, CustomStringConvertible {
    /// Files read successfully.
    public var fileCount = 0
    /// Files skipped, with the reason.
    public var skipped: [MIDIError] = []
    /// Notes over all files read.
    public var noteCount = 0
    /// Lowest and highest pitch over all notes (drums included), nil without notes.
    public var pitchRange: ClosedRange<Int>?
    /// Sum of every file's `totalTime`, seconds.
    public var totalDurationSeconds = 0.0
    /// Parts over all files (pretty_midi instruments).
    public var instrumentCount = 0
    /// Parts that are drums.
    public var drumInstrumentCount = 0
    /// Distinct General MIDI programs of pitched parts.
    public var programs: Set<Int> = []

    /// Empty totals, to fill with `add(_:)`.
    public init() {}

    /// Reads every MIDI file under `directory` (recursively, in parallel) and totals them;
    /// unreadable files are counted in `skipped` with their error. Each worker reduces its file
    /// to totals as soon as it is read, so no sequence outlives its file and the totalling runs
    /// on all threads too.
    /// - Throws: `MIDIError.cannotRead` if the folder cannot be listed.
    public init(directory: String, threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        self.init()
        let paths = try MIDICorpus.files(in: directory)
        let results = MIDICorpus.map(paths, threads: threads) { path -> Result<MIDICorpusStatistics, MIDIError> in
            do {
                var totals = MIDICorpusStatistics()
                totals.add(try NoteSequence(contentsOfMIDIFile: path))
                return .success(totals)
            } catch let error as MIDIError {
                return .failure(error)
            } catch {
                return .failure(.cannotRead(file: path, reason: "\(error)"))
            }
        }
        for result in results {
            switch result {
            case .success(let totals): merge(totals)
            case .failure(let error): skipped.append(error)
            }
        }
    }

    /// Adds another set of totals (of other files) to these.
    public mutating func merge(_ other: MIDICorpusStatistics) {
        fileCount += other.fileCount
        skipped += other.skipped
        noteCount += other.noteCount
        totalDurationSeconds += other.totalDurationSeconds
        instrumentCount += other.instrumentCount
        drumInstrumentCount += other.drumInstrumentCount
        programs.formUnion(other.programs)
        if let range = other.pitchRange {
            pitchRange = pitchRange.map { min($0.lowerBound, range.lowerBound)...max($0.upperBound, range.upperBound) } ?? range
        }
    }

    /// Adds one file's sequence to the totals.
    public mutating func add(_ sequence: NoteSequence) {
        fileCount += 1
        noteCount += sequence.notes.count
        totalDurationSeconds += sequence.totalTime
        guard !sequence.notes.isEmpty else { return }
        var low = Int.max, high = Int.min, instruments = 0
        for note in sequence.notes where note.instrument > instruments { instruments = note.instrument }
        var seen = [Bool](repeating: false, count: instruments + 1)
        for note in sequence.notes {
            low = min(low, note.pitch)
            high = max(high, note.pitch)
            if note.instrument >= 0 && !seen[note.instrument] {
                seen[note.instrument] = true
                instrumentCount += 1
                if note.isDrum { drumInstrumentCount += 1 } else { programs.insert(note.program) }
            }
        }
        pitchRange = pitchRange.map { min($0.lowerBound, low)...max($0.upperBound, high) } ?? low...high
    }

    /// Lines of `key: value`.
    public var description: String {
        let range = pitchRange.map { "\($0.lowerBound)...\($0.upperBound)" } ?? "none"
        return ["files: \(fileCount)",
                "skipped: \(skipped.count)",
                "notes: \(noteCount)",
                "pitch range: \(range)",
                String(format: "total duration: %.1f s (%.2f h)", totalDurationSeconds, totalDurationSeconds / 3600),
                "instruments: \(instrumentCount) (\(drumInstrumentCount) drum), \(programs.count) distinct programs"].joined(separator: "\n")
    }
}

/// A buffer pointer that may cross into `concurrentPerform`; each index is written by one thread.
struct UnsafeMutableBufferPointerBox<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
}

/// A lock-protected counter handing out work indices.
final class AtomicCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func increment() -> Int {
        lock.lock(); defer { lock.unlock() }
        let current = value
        value += 1
        return current
    }
}
