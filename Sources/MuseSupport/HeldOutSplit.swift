/// 64-bit FNV-1a (Fowler–Noll–Vo), for cache keys and stable held-out splits: the same bytes give
/// the same value on every machine and in every run (Swift's `Hasher` is seeded per process).
public struct FNV1a: Sendable {
    /// The hash of everything added so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    /// An empty hash.
    public init() {}

    /// Adds bytes.
    public mutating func add(_ bytes: [UInt8]) {
        for b in bytes { value = (value ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    }

    /// Adds a 64-bit word, little-endian.
    public mutating func add(_ word: UInt64) {
        withUnsafeBytes(of: word.littleEndian) { add(Array($0)) }
    }
}

/// Splits a corpus into training and held-out files by file, not by item: a file is held out when
/// the FNV-1a hash of the seed and its path relative to the corpus folder falls below the ratio,
/// so a file's side never changes when other files are added or removed.
public enum HeldOutSplit {
    /// Whether the file at `relativePath` is held out for evaluation.
    /// - Parameter ratio: share of files held out, in [0, 1).
    public static func isHeldOut(relativePath: String, seed: UInt64, ratio: Double) -> Bool {
        var hash = FNV1a()
        hash.add(seed)
        hash.add(Array(relativePath.utf8))
        return Double(hash.value % 1_000_000) < ratio * 1_000_000
    }

    /// `path` relative to `directory` (unchanged if it is not inside it).
    public static func relativePath(_ path: String, to directory: String) -> String {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
