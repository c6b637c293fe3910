/// Everything that can go wrong reading, writing or transforming MIDI data in MuseMIDI.
///
/// Reader cases name the file, the byte offset from the start of the file, and the problem;
/// `description` is one line, ready for the CLI (`<file>: offset <n>: <problem>`).
public enum MIDIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read (the OS's reason).
    case cannotRead(file: String, reason: String)
    /// The file has no bytes.
    case emptyFile(file: String)
    /// The file is larger than `MIDIFile.maximumFileBytes`.
    case fileTooLarge(file: String, bytes: Int)
    /// The first chunk is not `MThd` (what was found instead, printable).
    case badMagic(file: String, offset: Int, found: String)
    /// The file ends inside a structure that needed `needed` more bytes.
    case truncated(file: String, offset: Int, what: String, needed: Int)
    /// A chunk header declares more bytes than the file has left.
    case chunkPastEndOfFile(file: String, offset: Int, chunkType: String, declaredLength: Int, available: Int)
    /// The header chunk holds a value outside the SMF specification.
    case badHeader(file: String, offset: Int, problem: String)
    /// The time division is SMPTE frames (bit 15 set); Muse, like pretty_midi, times notes in
    /// ticks per quarter note only, so such files are rejected rather than mistimed.
    case smpteTimeDivision(file: String, offset: Int, framesPerSecond: Int, ticksPerFrame: Int)
    /// The header promised more `MTrk` chunks than the file holds.
    case missingTracks(file: String, declared: Int, found: Int)
    /// A variable-length quantity runs past 4 bytes.
    case badVariableLengthQuantity(file: String, offset: Int)
    /// A data byte came first in a track, or right after a sysex/meta event, with no running status.
    case runningStatusWithoutStatus(file: String, offset: Int)
    /// A status byte the SMF specification does not define (0xF4, 0xF5, 0xF9, 0xFD).
    case undefinedStatus(file: String, offset: Int, status: UInt8)
    /// A channel message's data byte has its high bit set.
    case dataByteOutOfRange(file: String, offset: Int, byte: UInt8)
    /// An event runs past the end of its track chunk.
    case eventPastEndOfTrack(file: String, offset: Int, track: Int)
    /// A track chunk ends without an end-of-track meta event (FF 2F 00).
    case missingEndOfTrack(file: String, offset: Int, track: Int)
    /// A tempo, time-signature or key-signature meta event whose data does not decode.
    case badMetaEvent(file: String, offset: Int, type: UInt8, problem: String)
    /// Writing a file failed (the OS's reason).
    case cannotWrite(file: String, reason: String)
    /// A NoteSequence value that cannot be written to or represented in MIDI.
    case unrepresentable(field: String, problem: String)
    /// Quantization needs one tempo for the whole sequence (note_seq's `MultipleTempoError`).
    case multipleTempos(timeSeconds: Double, qpm: Double, firstQPM: Double)
    /// Quantization needs one time signature (note_seq's `MultipleTimeSignatureError`).
    case multipleTimeSignatures(timeSeconds: Double, signature: String, first: String)
    /// A time before zero met while quantizing (note_seq's `NegativeTimeError`).
    case negativeTime(timeSeconds: Double)

    public var description: String {
        switch self {
        case let .cannotRead(file, reason): return "\(file): cannot read: \(reason)"
        case let .emptyFile(file): return "\(file): offset 0: empty file"
        case let .fileTooLarge(file, bytes): return "\(file): file of \(bytes) bytes is larger than \(MIDIFile.maximumFileBytes) bytes"
        case let .badMagic(file, offset, found): return "\(file): offset \(offset): not a MIDI file (found \"\(found)\", expected \"MThd\")"
        case let .truncated(file, offset, what, needed): return "\(file): offset \(offset): file ends inside \(what) (\(needed) more bytes needed)"
        case let .chunkPastEndOfFile(file, offset, type, declared, available):
            return "\(file): offset \(offset): chunk \"\(type)\" declares \(declared) bytes but only \(available) remain"
        case let .badHeader(file, offset, problem): return "\(file): offset \(offset): bad header: \(problem)"
        case let .smpteTimeDivision(file, offset, fps, tpf):
            return "\(file): offset \(offset): SMPTE time division (\(fps) fps, \(tpf) ticks per frame) is not supported"
        case let .missingTracks(file, declared, found): return "\(file): header declares \(declared) tracks but the file holds \(found)"
        case let .badVariableLengthQuantity(file, offset): return "\(file): offset \(offset): variable-length quantity longer than 4 bytes"
        case let .runningStatusWithoutStatus(file, offset): return "\(file): offset \(offset): data byte with no running status"
        case let .undefinedStatus(file, offset, status): return "\(file): offset \(offset): undefined status byte 0x\(String(status, radix: 16, uppercase: true))"
        case let .dataByteOutOfRange(file, offset, byte): return "\(file): offset \(offset): data byte 0x\(String(byte, radix: 16, uppercase: true)) has its high bit set"
        case let .eventPastEndOfTrack(file, offset, track): return "\(file): offset \(offset): event in track \(track) runs past the end of its chunk"
        case let .missingEndOfTrack(file, offset, track): return "\(file): offset \(offset): track \(track) has no end-of-track event"
        case let .badMetaEvent(file, offset, type, problem):
            return "\(file): offset \(offset): meta event 0x\(String(type, radix: 16, uppercase: true)): \(problem)"
        case let .cannotWrite(file, reason): return "\(file): cannot write: \(reason)"
        case let .unrepresentable(field, problem): return "\(field): \(problem)"
        case let .multipleTempos(time, qpm, first):
            return "tempo changes from \(first) to \(qpm) qpm at \(time) s; quantization needs a single tempo"
        case let .multipleTimeSignatures(time, signature, first):
            return "time signature changes from \(first) to \(signature) at \(time) s; quantization needs a single time signature"
        case let .negativeTime(time): return "time \(time) s is before zero"
        }
    }
}
