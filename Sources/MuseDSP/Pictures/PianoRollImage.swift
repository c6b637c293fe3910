import MuseMIDI

/// Pictures of a `NoteSequence` as a piano roll: time (seconds) left to right, pitch upward, each
/// note a bar coloured by its instrument (part) and brightened by velocity; C rows are marked.
public enum PianoRollImage {
    /// Part colours, cycled by `Note.instrument`.
    static let palette: [(Double, Double, Double)] = [
        (0.98, 0.60, 0.20), (0.30, 0.75, 0.95), (0.55, 0.90, 0.35), (0.95, 0.35, 0.55),
        (0.75, 0.55, 0.98), (0.98, 0.90, 0.30), (0.35, 0.95, 0.80), (0.90, 0.90, 0.90),
    ]

    /// Renders `sequence` (note times in seconds).
    /// - Parameters:
    ///   - pixelsPerSecond: horizontal scale (default 50).
    ///   - pixelsPerPitch: height of one semitone row (default 4).
    ///   - pitchRange: pitches shown (nil → the notes' lowest...highest, widened by 2 each way).
    /// - Returns: a picture `ceil(totalTime · pixelsPerSecond) × pitches · pixelsPerPitch`.
    public static func render(_ sequence: NoteSequence, pixelsPerSecond: Double = 50, pixelsPerPitch: Int = 4,
                              pitchRange: ClosedRange<Int>? = nil) throws -> RGBImage {
        guard pixelsPerSecond > 0, pixelsPerSecond.isFinite, pixelsPerPitch >= 1 else {
            throw DSPError.invalidParameter(name: "pixelsPerSecond/pixelsPerPitch", value: "\(pixelsPerSecond)/\(pixelsPerPitch)", reason: "must be positive")
        }
        let notes = sequence.notes.filter { $0.endTime.isFinite && $0.startTime.isFinite }
        let low = pitchRange?.lowerBound ?? max(0, (notes.map(\.pitch).min() ?? 60) - 2)
        let high = pitchRange?.upperBound ?? min(127, (notes.map(\.pitch).max() ?? 72) + 2)
        guard low <= high else {
            throw DSPError.invalidParameter(name: "pitchRange", value: "\(low)...\(high)", reason: "empty")
        }
        let end = max(sequence.totalTime, notes.map(\.endTime).max() ?? 0, 1 / pixelsPerSecond)
        let width = Int((end * pixelsPerSecond).rounded(.up))
        guard width <= 1 << 16 else {
            throw DSPError.invalidParameter(name: "pixelsPerSecond", value: "\(pixelsPerSecond)",
                                            reason: "\(end) s gives \(width) px, over 65536")
        }
        let rows = high - low + 1
        var image = RGBImage(width: width, height: rows * pixelsPerPitch, color: (18, 18, 24))
        for pitch in low...high where pitch % 12 == 0 {
            let y = (high - pitch) * pixelsPerPitch + pixelsPerPitch - 1
            for x in 0..<width { image.set(x: x, y: y, (40, 40, 52)) }
        }
        for note in notes where note.pitch >= low && note.pitch <= high {
            let base = palette[((note.instrument % palette.count) + palette.count) % palette.count]
            let bright = 0.45 + 0.55 * Double(min(max(note.velocity, 0), 127)) / 127
            let color = (UInt8(base.0 * bright * 255), UInt8(base.1 * bright * 255), UInt8(base.2 * bright * 255))
            let x0 = Int((note.startTime * pixelsPerSecond).rounded(.down))
            let x1 = max(x0 + 1, Int((note.endTime * pixelsPerSecond).rounded(.down)))
            let yTop = (high - note.pitch) * pixelsPerPitch
            for y in yTop..<(yTop + pixelsPerPitch) {
                for x in x0..<min(x1, width) { image.set(x: x, y: y, color) }
            }
        }
        return image
    }
}
