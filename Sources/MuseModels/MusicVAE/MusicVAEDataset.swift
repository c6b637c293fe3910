import Foundation
import MuseEncoding
import MuseMIDI

/// A MIDI corpus cut into MusicVAE training windows (class indices, `converter.windowSteps` long),
/// split into training and held-out windows **by file** with `MelodyDataset`'s stable hash, so no
/// tune leaks between the two sides.
public struct MusicVAEDataset: Sendable {
    /// Training windows, each `windowSteps` class indices.
    public var train: [[Int]]
    /// Held-out windows (from files disjoint from the training files).
    public var eval: [[Int]]
    /// Files read, files that gave windows, unreadable files.
    public var fileCount = 0, filesWithWindows = 0, unreadableFiles = 0

    /// Builds the windows of every MIDI file under `directory` (both cores).
    /// - Parameters:
    ///   - evalRatio: fraction of files held out, in `0..<1`.
    ///   - seed: changes which files are held out.
    /// - Throws: `MIDIError.cannotRead` for an unlistable folder, `MusicVAEError.emptyCorpus` when
    ///   no training window results.
    public static func build(directory: String, converter: MelodyWindowConverter, evalRatio: Double = 0.1,
                             seed: UInt64 = 0) throws -> MusicVAEDataset {
        guard evalRatio >= 0 && evalRatio < 1 else {
            throw MusicVAEError.invalidConfiguration("eval ratio \(evalRatio) must lie in [0, 1)")
        }
        let encoding = try converter.oneHot()
        let files = try MIDICorpus.files(in: directory)
        let perFile = MIDICorpus.map(files) { path -> [[Int]]? in
            guard let sequence = try? NoteSequence(contentsOfMIDIFile: path) else { return nil }
            return converter.windows(from: sequence).compactMap { window in try? window.map { try encoding.encode(event: $0) } }
        }
        var dataset = MusicVAEDataset(train: [], eval: [])
        dataset.fileCount = files.count
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        for (path, windows) in zip(files, perFile) {
            guard let windows else { dataset.unreadableFiles += 1; continue }
            if windows.isEmpty { continue }
            dataset.filesWithWindows += 1
            let relative = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
            if MelodyDataset.isEvalFile(relativePath: relative, seed: seed, evalRatio: evalRatio) {
                dataset.eval += windows
            } else {
                dataset.train += windows
            }
        }
        guard !dataset.train.isEmpty else {
            throw MusicVAEError.emptyCorpus(directory: directory, reason: "no 2-bar melody windows in \(files.count) MIDI files")
        }
        return dataset
    }

    /// One line for a trainer to print.
    public var summary: String {
        "\(fileCount) files (\(filesWithWindows) with windows, \(unreadableFiles) unreadable): \(train.count) train, \(eval.count) eval windows"
    }
}

extension MelodyWindowConverter {
    /// The earliest window of a sequence in time (the first melody's first `sliceBars` bars), as
    /// class indices — what `interpolate` encodes from each input file. Same extraction as
    /// `windows(from:)`, which returns every distinct window sorted by content instead.
    /// - Throws: `MusicVAEError.noMelodyWindow` when the sequence has no window.
    public func firstWindow(of sequence: NoteSequence, file: String) throws -> [Int] {
        let encoding = try oneHot()
        var filtered = sequence
        filtered.notes = sequence.notes.filter { (validPrograms?.contains($0.program) ?? true) && (minPitch...maxPitch).contains($0.pitch) }
        var extractor = MelodyExtractor()
        extractor.minBars = sliceBars
        extractor.gapBars = gapBars > 0 ? gapBars : .infinity
        extractor.maxStepsTruncate = stepsPerBar * maxBars
        extractor.minUniquePitches = 1
        extractor.padEnd = true
        for part in MelodyPipeline.splitAtTimeChanges(filtered) {
            guard let quantized = try? part.quantized(stepsPerQuarter: stepsPerQuarter),
                  (try? MelodyExtractor.stepsPerBar(in: quantized)) == stepsPerBar,
                  let melodies = try? extractor.extract(from: quantized).melodies,
                  let first = melodies.filter({ $0.count >= windowSteps }).min(by: { $0.startStep < $1.startStep }),
                  let window = try? Melody(events: Array(first.events[0..<windowSteps])) else { continue }
            return try window.events.map { try encoding.encode(event: $0) }
        }
        throw MusicVAEError.noMelodyWindow(file: file)
    }

    /// Class windows back to one note sequence, window after window (each `windowSteps` long) at
    /// `qpm`; a note still sounding at a window's end stops there.
    /// - Throws: `EncodingError` for a class outside the encoding.
    public func sequence(fromClassWindows windows: [[Int]], qpm: Double = 120) throws -> NoteSequence {
        let encoding = try oneHot()
        let windowSeconds = Double(windowSteps) * 60 / qpm / Double(stepsPerQuarter)
        var out = NoteSequence(notes: [], tempos: [.init(time: 0, qpm: qpm)], totalTime: 0)
        for (index, window) in windows.enumerated() {
            let events = try window.map { try encoding.decode(index: $0) }
            let part = try sequence(fromEvents: events, qpm: qpm)
            for var note in part.notes {
                note.startTime += Double(index) * windowSeconds
                note.endTime += Double(index) * windowSeconds
                note.quantizedStartStep = note.quantizedStartStep.map { $0 + index * windowSteps }
                note.quantizedEndStep = note.quantizedEndStep.map { $0 + index * windowSteps }
                out.notes.append(note)
            }
        }
        out.totalTime = Double(windows.count) * windowSeconds
        return out
    }
}
