#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Standard MIDI File's raw structure: its bytes, header fields and the byte ranges of its
/// `MTrk` chunks, validated against the file size before anything is read.
///
/// Events are decoded lazily, one pass over the bytes, by `forEachEvent(inTrack:_:)` or by
/// `NoteSequence(midiFile:)`; both validate every event and throw `MIDIError` on bad data.
///
/// Chunk rules (SMF 1.0): the file starts with `MThd` of length >= 6 (extra header bytes are
/// skipped); then `MTrk` chunks up to the declared count; chunks of any other type are skipped
/// whole, as the specification asks; bytes after the last declared track are ignored (as mido
/// does). Formats 0, 1 and 2 are accepted; format 2 tracks are read like format 1 tracks, each
/// its own parts on the one timeline, which is what pretty_midi does. SMPTE time division is
/// rejected with `MIDIError.smpteTimeDivision`.
public struct MIDIFile: Sendable {
    /// Largest file read, in bytes (256 MiB): bigger inputs are refused before any allocation.
    public static let maximumFileBytes = 1 << 28

    /// Where one `MTrk` chunk's data lies in `bytes`.
    public struct TrackChunk: Equatable, Sendable {
        /// Offset of the first data byte (just after the 8-byte chunk header).
        public var offset: Int
        /// Data length in bytes.
        public var length: Int
    }

    /// Name used in errors (the path, or `<memory>`).
    public let file: String
    /// The whole file.
    public let bytes: [UInt8]
    /// SMF format: 0 (one track), 1 (simultaneous tracks) or 2 (independent tracks).
    public let format: Int
    /// Time division: ticks (pulses) per quarter note.
    public let ticksPerQuarter: Int
    /// The `MTrk` chunks, in file order (as many as the header declares).
    public let tracks: [TrackChunk]
    /// Number of chunks of unknown type that were skipped.
    public let skippedChunkCount: Int

    /// Reads and validates the chunk structure of the file at `path`.
    /// - Throws: `MIDIError` (unreadable, empty, too large, bad magic, chunks past the end, …).
    public init(contentsOf path: String) throws {
        try self.init(bytes: try MIDIFile.readBytes(path: path), file: path)
    }

    /// Validates the chunk structure of `bytes`; `file` names the source in errors.
    /// - Throws: `MIDIError`.
    public init(bytes: [UInt8], file: String = "<memory>") throws {
        self.file = file
        self.bytes = bytes
        let count = bytes.count
        guard count > 0 else { throw MIDIError.emptyFile(file: file) }
        guard count <= MIDIFile.maximumFileBytes else { throw MIDIError.fileTooLarge(file: file, bytes: count) }
        let magic: [UInt8] = Array("MThd".utf8)
        let prefix = Array(bytes.prefix(4))
        guard prefix == Array(magic.prefix(prefix.count)) else {
            throw MIDIError.badMagic(file: file, offset: 0, found: MIDIFile.printable(prefix))
        }
        guard count >= 8 else { throw MIDIError.truncated(file: file, offset: count, what: "the header chunk", needed: 8 - count) }
        let headerLength = MIDIFile.uint32(bytes, 4)
        guard headerLength >= 6 else {
            throw MIDIError.badHeader(file: file, offset: 4, problem: "header length \(headerLength) is less than 6")
        }
        guard headerLength <= count - 8 else {
            throw MIDIError.chunkPastEndOfFile(file: file, offset: 0, chunkType: "MThd", declaredLength: headerLength, available: count - 8)
        }
        let format = MIDIFile.uint16(bytes, 8)
        let declaredTracks = MIDIFile.uint16(bytes, 10)
        let division = MIDIFile.uint16(bytes, 12)
        guard format <= 2 else { throw MIDIError.badHeader(file: file, offset: 8, problem: "format \(format) is not 0, 1 or 2") }
        guard declaredTracks > 0 else { throw MIDIError.badHeader(file: file, offset: 10, problem: "declares no tracks") }
        if division & 0x8000 != 0 {
            let fps = -Int(Int8(truncatingIfNeeded: division >> 8))
            throw MIDIError.smpteTimeDivision(file: file, offset: 12, framesPerSecond: fps, ticksPerFrame: division & 0xFF)
        }
        guard division > 0 else { throw MIDIError.badHeader(file: file, offset: 12, problem: "0 ticks per quarter note") }

        var tracks: [TrackChunk] = []
        tracks.reserveCapacity(min(declaredTracks, (count - 8 - headerLength) / 8))  // never more than the file can hold
        var skipped = 0
        var position = 8 + headerLength
        while tracks.count < declaredTracks {
            if position == count { throw MIDIError.missingTracks(file: file, declared: declaredTracks, found: tracks.count) }
            guard count - position >= 8 else {
                throw MIDIError.truncated(file: file, offset: position, what: "a chunk header", needed: 8 - (count - position))
            }
            let length = MIDIFile.uint32(bytes, position + 4)
            let isTrack = bytes[position] == 0x4D && bytes[position + 1] == 0x54 && bytes[position + 2] == 0x72 && bytes[position + 3] == 0x6B
            guard length <= count - position - 8 else {
                throw MIDIError.chunkPastEndOfFile(file: file, offset: position,
                                                   chunkType: MIDIFile.printable(Array(bytes[position..<position + 4])),
                                                   declaredLength: length, available: count - position - 8)
            }
            if isTrack { tracks.append(TrackChunk(offset: position + 8, length: length)) } else { skipped += 1 }
            position += 8 + length
        }
        self.format = format
        self.ticksPerQuarter = division
        self.tracks = tracks
        self.skippedChunkCount = skipped
    }

    /// Calls `body` with every event of track `index`, in order, up to and including its
    /// end-of-track event.
    /// - Throws: `MIDIError` for the first malformed event (or a missing end of track), or
    ///   whatever `body` throws.
    public func forEachEvent(inTrack index: Int, _ body: (MIDIEvent) throws -> Void) throws {
        precondition(tracks.indices.contains(index), "track \(index) out of range")
        let chunk = tracks[index]
        try bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var reader = MIDITrackReader(base: base, start: chunk.offset, end: chunk.offset + chunk.length,
                                         track: index, file: file)
            while let event = try reader.next() { try body(event) }
        }
    }

    /// The bytes `event.payloadOffset ..< payloadOffset + payloadLength` (meta or sysex data).
    public func payload(of event: MIDIEvent) -> ArraySlice<UInt8> {
        bytes[event.payloadOffset..<event.payloadOffset + event.payloadLength]
    }

    /// Reads a whole file with one `read` loop, refusing files over `maximumFileBytes`.
    static func readBytes(path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw MIDIError.cannotRead(file: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw MIDIError.cannotRead(file: path, reason: String(cString: strerror(errno))) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw MIDIError.cannotRead(file: path, reason: "is a directory") }
        let size = Int(info.st_size)
        guard size <= maximumFileBytes else { throw MIDIError.fileTooLarge(file: path, bytes: size) }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while filled < size {
                let got = read(descriptor, buffer.baseAddress! + filled, size - filled)
                if got < 0 {
                    if errno == EINTR { continue }
                    throw MIDIError.cannotRead(file: path, reason: String(cString: strerror(errno)))
                }
                if got == 0 { break }
                filled += got
            }
        }
        if filled < size { bytes.removeLast(size - filled) }
        return bytes
    }

    static func uint16(_ bytes: [UInt8], _ at: Int) -> Int { Int(bytes[at]) << 8 | Int(bytes[at + 1]) }
    static func uint32(_ bytes: [UInt8], _ at: Int) -> Int {
        Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
    }
    /// Bytes as text for error messages: printable ASCII kept, others as `\xNN`.
    static func printable(_ bytes: [UInt8]) -> String {
        bytes.map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined()
    }
}
