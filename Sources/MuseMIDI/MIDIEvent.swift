/// One decoded event of a track: a plain value (no allocation), pointing into the file's bytes
/// for meta and sysex data.
public struct MIDIEvent: Equatable, Sendable {
    /// Absolute time in ticks from the start of the track.
    public var tick: Int
    /// Byte offset of the event's delta time in the file.
    public var offset: Int
    /// Status byte: 0x80...0xEF channel messages (running status resolved), 0xF0/0xF7 sysex,
    /// 0xFF meta, other 0xF_ system messages.
    public var status: UInt8
    /// First data byte of a channel or system message (0 if none).
    public var data1: UInt8
    /// Second data byte of a channel or system message (0 if none).
    public var data2: UInt8
    /// Meta event type (0x51 tempo, 0x58 time signature, …), when `status == 0xFF`.
    public var metaType: UInt8
    /// Offset in the file of meta or sysex data.
    public var payloadOffset: Int
    /// Length of meta or sysex data in bytes.
    public var payloadLength: Int

    /// MIDI channel 0...15 of a channel message.
    @inlinable public var channel: Int { Int(status & 0x0F) }
    /// Upper nibble of a channel message's status (0x80 note-off … 0xE0 pitch bend).
    @inlinable public var kind: UInt8 { status & 0xF0 }
    /// True for a meta event.
    @inlinable public var isMeta: Bool { status == 0xFF }
}

/// Meta event types Muse interprets.
public enum MIDIMetaType {
    /// Free text (FF 01).
    public static let text: UInt8 = 0x01
    /// Sequence or track name (FF 03), Latin-1.
    public static let trackName: UInt8 = 0x03
    /// Rehearsal marker (FF 06).
    public static let marker: UInt8 = 0x06
    /// End of track (FF 2F 00), required last in every track.
    public static let endOfTrack: UInt8 = 0x2F
    /// Set tempo (FF 51 03 tt tt tt), microseconds per quarter note.
    public static let tempo: UInt8 = 0x51
    /// Time signature (FF 58 04 nn dd cc bb), denominator as a power of two.
    public static let timeSignature: UInt8 = 0x58
    /// Key signature (FF 59 02 sf mi), sharps (negative: flats) and minor flag.
    public static let keySignature: UInt8 = 0x59
    /// Sequencer-specific data (FF 7F), skipped.
    public static let sequencerSpecific: UInt8 = 0x7F
}

/// Decodes one track chunk's events in one pass over raw bytes, validating as it goes.
///
/// Rules: delta times are variable-length quantities of at most 4 bytes; running status applies
/// to channel messages and is kept across meta and sysex events (as mido keeps it across meta
/// events; lenient where the SMF text says "cancel", so more real files read); a note-on with
/// velocity 0 is reported as is (callers treat it as a note-off); sysex (F0/F7) and system
/// common/real-time messages are skipped by their lengths; undefined status bytes (F4, F5, F9,
/// FD) are errors; reading stops at the end-of-track event (bytes after it in the chunk are
/// ignored) and a chunk that ends without one is an error.
@usableFromInline
struct MIDITrackReader {
    @usableFromInline let base: UnsafePointer<UInt8>
    @usableFromInline var position: Int
    @usableFromInline let end: Int
    @usableFromInline let track: Int
    @usableFromInline let file: String
    @usableFromInline var tick = 0
    @usableFromInline var runningStatus: UInt8 = 0
    @usableFromInline var ended = false

    @usableFromInline
    init(base: UnsafePointer<UInt8>, start: Int, end: Int, track: Int, file: String) {
        self.base = base; self.position = start; self.end = end; self.track = track; self.file = file
    }

    @inline(__always)
    mutating func readVLQ(eventOffset: Int) throws -> Int {
        var value = 0
        for _ in 0..<4 {
            guard position < end else { throw MIDIError.eventPastEndOfTrack(file: file, offset: eventOffset, track: track) }
            let byte = base[position]
            position += 1
            value = value << 7 | Int(byte & 0x7F)
            if byte < 0x80 { return value }
        }
        throw MIDIError.badVariableLengthQuantity(file: file, offset: position - 4)
    }

    @inline(__always)
    mutating func dataByte(eventOffset: Int) throws -> UInt8 {
        guard position < end else { throw MIDIError.eventPastEndOfTrack(file: file, offset: eventOffset, track: track) }
        let byte = base[position]
        guard byte < 0x80 else { throw MIDIError.dataByteOutOfRange(file: file, offset: position, byte: byte) }
        position += 1
        return byte
    }

    /// The next event, or nil after the end-of-track event.
    @inline(__always)
    mutating func next() throws -> MIDIEvent? {
        if ended { return nil }
        guard position < end else { throw MIDIError.missingEndOfTrack(file: file, offset: end, track: track) }
        let offset = position
        tick += try readVLQ(eventOffset: offset)
        guard position < end else { throw MIDIError.eventPastEndOfTrack(file: file, offset: offset, track: track) }
        var status = base[position]
        if status < 0x80 {
            guard runningStatus != 0 else { throw MIDIError.runningStatusWithoutStatus(file: file, offset: position) }
            status = runningStatus
        } else {
            position += 1
        }
        var event = MIDIEvent(tick: tick, offset: offset, status: status, data1: 0, data2: 0, metaType: 0,
                              payloadOffset: 0, payloadLength: 0)
        switch status {
        case 0x80...0xBF, 0xE0...0xEF:
            runningStatus = status
            event.data1 = try dataByte(eventOffset: offset)
            event.data2 = try dataByte(eventOffset: offset)
        case 0xC0...0xDF:
            runningStatus = status
            event.data1 = try dataByte(eventOffset: offset)
        case 0xFF:
            guard position < end else { throw MIDIError.eventPastEndOfTrack(file: file, offset: offset, track: track) }
            event.metaType = base[position]
            position += 1
            try readPayload(into: &event)
            if event.metaType == MIDIMetaType.endOfTrack { ended = true }
        case 0xF0, 0xF7:
            try readPayload(into: &event)
        case 0xF1, 0xF3:
            event.data1 = try dataByte(eventOffset: offset)
        case 0xF2:
            event.data1 = try dataByte(eventOffset: offset)
            event.data2 = try dataByte(eventOffset: offset)
        case 0xF6, 0xF8, 0xFA, 0xFB, 0xFC, 0xFE:
            break
        default:
            throw MIDIError.undefinedStatus(file: file, offset: position - 1, status: status)
        }
        return event
    }

    @inline(__always)
    mutating func readPayload(into event: inout MIDIEvent) throws {
        let length = try readVLQ(eventOffset: event.offset)
        guard length <= end - position else { throw MIDIError.eventPastEndOfTrack(file: file, offset: event.offset, track: track) }
        event.payloadOffset = position
        event.payloadLength = length
        position += length
    }
}
