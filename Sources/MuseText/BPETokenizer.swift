import Foundation

/// Byte-level byte-pair encoding as GPT-2's: text is split into chunks by `PreTokenizer` (GPT-2's
/// pattern), each chunk's UTF-8 bytes are tokens 0–255, and the learned merges are applied in the
/// order they were learned; merge `k` makes token `256 + k`. Any text encodes (there is no unknown
/// token), and the ids of a chunk decode to exactly its bytes.
///
/// Train one with `BPETokenizer(training:vocabularySize:)` (`BPETokenizer+Training.swift`).
public struct BPETokenizer: TextTokenizer, Equatable {
    /// The merges in learned order: merge `k` joins tokens `merges[k].0`, `merges[k].1` into `256 + k`.
    public let merges: [(Int32, Int32)]
    /// The bytes each token id stands for.
    public let tokenBytes: [[UInt8]]
    /// Pair (left << 32 | right) → id of the token it merges into; lower ids were learned first.
    private let mergedID: [UInt64: Int32]
    private let preTokenizer = PreTokenizer()
    /// Largest vocabulary accepted (ids stay far inside Int32).
    public static let maximumVocabularySize = 1 << 20

    public var kind: TokenizerKind { .bpe }
    public var vocabularySize: Int { 256 + merges.count }

    /// The tokenizer with these merges.
    /// - Throws: `TextError.badParameter` if a merge names a token not made before it, or repeats an
    ///   earlier pair, or there are more than `maximumVocabularySize - 256`.
    public init(merges: [(Int32, Int32)]) throws {
        guard 256 + merges.count <= BPETokenizer.maximumVocabularySize else {
            throw TextError.badParameter(name: "merges", value: "\(merges.count)", problem: "more than \(BPETokenizer.maximumVocabularySize - 256) merges")
        }
        var bytes = (0..<256).map { [UInt8($0)] }
        var mergedID: [UInt64: Int32] = [:]
        mergedID.reserveCapacity(merges.count)
        for (k, (left, right)) in merges.enumerated() {
            let id = Int32(256 + k)
            guard left >= 0, right >= 0, left < id, right < id else {
                throw TextError.badParameter(name: "merges[\(k)]", value: "[\(left), \(right)]", problem: "names a token not made before it (ids must be below \(id))")
            }
            guard mergedID.updateValue(id, forKey: BPETokenizer.pairKey(left, right)) == nil else {
                throw TextError.badParameter(name: "merges[\(k)]", value: "[\(left), \(right)]", problem: "repeats an earlier merge")
            }
            bytes.append(bytes[Int(left)] + bytes[Int(right)])
        }
        self.merges = merges
        self.tokenBytes = bytes
        self.mergedID = mergedID
    }

    /// One integer for a pair of ids: left in the high half.
    @inline(__always)
    static func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    public func encode(_ text: String, file: String?) throws -> [Int32] {
        var text = text
        return text.withUTF8 { encodeValidated($0) }
    }

    public func encode(utf8 bytes: [UInt8], file: String?) throws -> [Int32] {
        try bytes.withUnsafeBufferPointer { buffer in
            try UTF8Text.validate(buffer, file: file)
            return encodeValidated(buffer)
        }
    }

    /// The ids of well-formed UTF-8 `text`: chunk by chunk, each distinct chunk merged once.
    func encodeValidated(_ text: UnsafeBufferPointer<UInt8>) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(text.count / 2)
        var cache: [ArraySlice<UInt8>: [Int32]] = [:]
        var scratch = MergeScratch()
        preTokenizer.forEachChunk(in: text) { range in
            let chunk = ArraySlice(text[range])
            if let ids = cache[chunk] { out.append(contentsOf: ids); return }
            let ids = encodeChunk(chunk, scratch: &scratch)
            if cache.count < 1 << 18 { cache[chunk] = ids }
            out.append(contentsOf: ids)
        }
        return out
    }

    /// Reused buffers of `encodeChunk`, so chunks after the first allocate only their result.
    struct MergeScratch {
        var tokens: [Int32] = []
        var next: [Int32] = []
        var previous: [Int32] = []
        var heap = MinHeap()
    }

    /// Applies the merges to one chunk's bytes, lowest merge id first, each merge to all its
    /// non-overlapping occurrences left to right (as minbpe's and GPT-2's loops), in O(n log n):
    /// tokens form a linked list and candidate pairs sit in a heap keyed (merged id, position).
    /// A merge only ever creates pairs of higher id than its own, so popping in key order applies
    /// the same merges in the same places as rescanning the chunk after every merge.
    func encodeChunk(_ bytes: ArraySlice<UInt8>, scratch: inout MergeScratch) -> [Int32] {
        let n = bytes.count
        if n < 2 { return bytes.map { Int32($0) } }
        scratch.tokens.removeAll(keepingCapacity: true)
        scratch.next.removeAll(keepingCapacity: true)
        scratch.previous.removeAll(keepingCapacity: true)
        scratch.heap.removeAll()
        for (i, byte) in bytes.enumerated() {
            scratch.tokens.append(Int32(byte))
            scratch.next.append(i + 1 < n ? Int32(i + 1) : -1)
            scratch.previous.append(Int32(i - 1))
        }
        for i in 0..<(n - 1) {
            if let id = mergedID[BPETokenizer.pairKey(scratch.tokens[i], scratch.tokens[i + 1])] {
                scratch.heap.push(UInt64(id) << 32 | UInt64(i))
            }
        }
        while let key = scratch.heap.pop() {
            let id = Int32(key >> 32), i = Int(key & 0xFFFF_FFFF)
            let j = Int(scratch.next[i])
            // Stale: position i was absorbed by a merge (tokens -1), or its pair changed.
            guard scratch.tokens[i] >= 0, j >= 0,
                  mergedID[BPETokenizer.pairKey(scratch.tokens[i], scratch.tokens[j])] == id else { continue }
            scratch.tokens[i] = id
            scratch.tokens[j] = -1
            let after = scratch.next[j]
            scratch.next[i] = after
            if after >= 0 { scratch.previous[Int(after)] = Int32(i) }
            let before = scratch.previous[i]
            if before >= 0, let merged = mergedID[BPETokenizer.pairKey(scratch.tokens[Int(before)], id)] {
                scratch.heap.push(UInt64(merged) << 32 | UInt64(before))
            }
            if after >= 0, let merged = mergedID[BPETokenizer.pairKey(id, scratch.tokens[Int(after)])] {
                scratch.heap.push(UInt64(merged) << 32 | UInt64(i))
            }
        }
        var out: [Int32] = []
        var i = 0
        while i >= 0 { out.append(scratch.tokens[i]); i = Int(scratch.next[i]) }
        return out
    }

    public func decodeBytes(_ ids: [Int32]) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ids.count * 3)
        for (position, id) in ids.enumerated() {
            guard id >= 0 && Int(id) < tokenBytes.count else {
                throw TextError.tokenOutOfRange(position: position, id: id, vocabularySize: tokenBytes.count)
            }
            out.append(contentsOf: tokenBytes[Int(id)])
        }
        return out
    }

    /// `{"kind": "bpe", "version": 1, "pattern": "gpt2", "merges": [[101, 32], …]}`: merge `k` makes token `256 + k`.
    public func jsonData() throws -> Data {
        let file = TokenizerFile.BPE(kind: .bpe, version: TokenizerFile.version, pattern: TokenizerFile.gpt2Pattern,
                                     merges: merges.map { [$0.0, $0.1] })
        return try TokenizerFile.encoder.encode(file)
    }

    public static func == (a: BPETokenizer, b: BPETokenizer) -> Bool {
        a.merges.count == b.merges.count && zip(a.merges, b.merges).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}

/// A binary min-heap of UInt64 keys (BPE's merge candidates: merged id in the high half,
/// position or pair in the low half).
struct MinHeap {
    private var keys: [UInt64] = []

    var isEmpty: Bool { keys.isEmpty }
    var count: Int { keys.count }

    mutating func removeAll() { keys.removeAll(keepingCapacity: true) }

    mutating func push(_ key: UInt64) {
        keys.append(key)
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if keys[parent] <= key { break }
            keys[child] = keys[parent]
            child = parent
        }
        keys[child] = key
    }

    mutating func pop() -> UInt64? {
        guard let top = keys.first else { return nil }
        let last = keys.removeLast()
        if keys.isEmpty { return top }
        var parent = 0
        let count = keys.count
        while true {
            var child = 2 * parent + 1
            if child >= count { break }
            if child + 1 < count && keys[child + 1] < keys[child] { child += 1 }
            if last <= keys[child] { break }
            keys[parent] = keys[child]
            parent = child
        }
        keys[parent] = last
        return top
    }
}
