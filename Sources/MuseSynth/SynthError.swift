/// Everything that can go wrong in MuseSynth, carrying the file, RIFF chunk and byte offset
/// where a SoundFont was found bad. One line each through `description`.
public enum SynthError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file ends before a structure it declares (`needed` bytes at `offset`).
    case truncated(file: String, chunk: String, offset: Int, needed: Int)
    /// A four-character code is not the one the format requires here.
    case badMagic(file: String, chunk: String, offset: Int, found: String)
    /// A chunk's declared size runs past its parent (or the file).
    case chunkPastEnd(file: String, chunk: String, offset: Int, size: Int, available: Int)
    /// A required chunk is absent.
    case missingChunk(file: String, chunk: String)
    /// A hydra chunk's size is not a whole number of records (or it has no terminal record).
    case badRecordSize(file: String, chunk: String, offset: Int, size: Int, recordSize: Int)
    /// An index in the hydra points outside the table it indexes, or goes backwards.
    case indexOutOfRange(file: String, chunk: String, offset: Int, field: String, index: Int, count: Int)
    /// A sample header describes data outside the `smpl` chunk, an empty sample, or a loop
    /// outside the sample data.
    case badSample(file: String, chunk: String, offset: Int, sample: String, problem: String)
    /// No SoundFont at any place in the lookup order.
    case soundFontNotFound(searched: [String])

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read: \(reason)"
        case let .truncated(file, chunk, offset, needed):
            return "\(file): chunk '\(chunk)' at offset \(offset): truncated, \(needed) more bytes needed"
        case let .badMagic(file, chunk, offset, found):
            return "\(file): offset \(offset): expected '\(chunk)', found '\(found)'"
        case let .chunkPastEnd(file, chunk, offset, size, available):
            return "\(file): chunk '\(chunk)' at offset \(offset): size \(size) runs past the end (\(available) bytes available)"
        case let .missingChunk(file, chunk):
            return "\(file): required chunk '\(chunk)' is missing"
        case let .badRecordSize(file, chunk, offset, size, recordSize):
            return "\(file): chunk '\(chunk)' at offset \(offset): size \(size) is not a positive multiple of its \(recordSize)-byte records"
        case let .indexOutOfRange(file, chunk, offset, field, index, count):
            return "\(file): chunk '\(chunk)' at offset \(offset): \(field) \(index) is out of range (0..<\(count))"
        case let .badSample(file, chunk, offset, sample, problem):
            return "\(file): chunk '\(chunk)' at offset \(offset): sample '\(sample)': \(problem)"
        case let .soundFontNotFound(searched):
            return "no SoundFont found (searched: \(searched.joined(separator: ", ")))"
        }
    }
}
