import Foundation
import MuseSupport
import MuseMIDI

extension MelodyDataset {
    /// Loads the dataset from `cachePath` when its key matches this corpus, pipeline, ratio and
    /// seed; otherwise builds it and writes the cache (temp file + rename).
    /// - Returns: the dataset and whether it came from the cache.
    public static func load(directory: String, pipeline: MelodyPipeline, evalRatio: Double, seed: UInt64,
                            cachePath: String) throws -> (dataset: MelodyDataset, fromCache: Bool) {
        let key = try cacheKey(directory: directory, pipeline: pipeline, evalRatio: evalRatio, seed: seed)
        if let bytes = FileManager.default.contents(atPath: cachePath),
           let cached = try? decodeCache([UInt8](bytes), expectedKey: key, pipeline: pipeline) {
            return (cached, true)
        }
        let dataset = try build(directory: directory, pipeline: pipeline, evalRatio: evalRatio, seed: seed)
        try? dataset.writeCache(to: cachePath, key: key)   // a cache that cannot be written only costs time
        return (dataset, false)
    }

    /// Hash of everything the dataset depends on.
    static func cacheKey(directory: String, pipeline: MelodyPipeline, evalRatio: Double, seed: UInt64) throws -> UInt64 {
        var hash = FNV1a()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        hash.add(Array(try encoder.encode(pipeline)))
        hash.add(evalRatio.bitPattern)
        hash.add(seed)
        for path in try MIDICorpus.files(in: directory) {
            hash.add(Array(relative(path, to: directory).utf8))
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            hash.add(UInt64((attributes?[.size] as? NSNumber)?.int64Value ?? -1))
            hash.add(((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0).bitPattern)
        }
        return hash.value
    }

    static let cacheMagic = Array("MUSEMEL1".utf8)

    /// Layout (little-endian): magic, key u64, 8 summary counts u32, train count u32, eval count u32,
    /// then per melody: length u32 and that many Int8 events.
    func writeCache(to path: String, key: UInt64) throws {
        var out = Self.cacheMagic
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { out += $0 } }
        u64(key)
        let s = summary
        for v in [s.files, s.unreadableFiles, s.filesWithoutMelodies, s.trainFiles, s.evalFiles,
                  s.extraction.discardedTooShort, s.extraction.discardedTooFewPitches, s.extraction.polyphonicTracksDiscarded] { u32(v) }
        u32(train.count)
        u32(eval.count)
        for melody in train + eval {
            u32(melody.count)
            out += melody.map { UInt8(bitPattern: $0) }
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        try AtomicFile.write(Data(out), to: URL(fileURLWithPath: path))
    }

    /// Reads a cache, validating every length against the bytes left; nil when stale or damaged.
    static func decodeCache(_ bytes: [UInt8], expectedKey: UInt64, pipeline: MelodyPipeline) throws -> MelodyDataset? {
        var at = 0
        func take(_ n: Int) -> ArraySlice<UInt8>? {
            guard n >= 0, at + n <= bytes.count else { return nil }
            defer { at += n }
            return bytes[at..<(at + n)]
        }
        func u32() -> Int? { take(4).map { $0.reversed().reduce(0) { $0 << 8 | Int($1) } } }
        guard take(8).map(Array.init) == cacheMagic, let keyBytes = take(8) else { return nil }
        let key = keyBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard key == expectedKey else { return nil }
        var counts: [Int] = []
        for _ in 0..<10 { guard let v = u32() else { return nil }; counts.append(v) }
        let (trainCount, evalCount) = (counts[8], counts[9])
        // Each melody needs at least its 4-byte length: bounds the allocation by the file size.
        guard trainCount + evalCount <= (bytes.count - at) / 4 else { return nil }
        var melodies: [[Int8]] = []
        melodies.reserveCapacity(trainCount + evalCount)
        for _ in 0..<(trainCount + evalCount) {
            guard let n = u32(), let body = take(n) else { return nil }
            melodies.append(body.map { Int8(bitPattern: $0) })
        }
        guard at == bytes.count else { return nil }
        var summary = Summary()
        (summary.files, summary.unreadableFiles, summary.filesWithoutMelodies, summary.trainFiles, summary.evalFiles) =
            (counts[0], counts[1], counts[2], counts[3], counts[4])
        summary.extraction.discardedTooShort = counts[5]
        summary.extraction.discardedTooFewPitches = counts[6]
        summary.extraction.polyphonicTracksDiscarded = counts[7]
        return MelodyDataset(pipeline: pipeline, train: Array(melodies[..<trainCount]),
                             eval: Array(melodies[trainCount...]), summary: summary)
    }
}
