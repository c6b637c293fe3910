import Foundation

extension BPETokenizer {
    /// Learns `vocabularySize - 256` merges from `text`: repeatedly the most frequent adjacent pair
    /// of tokens inside the chunks of `PreTokenizer`, counted over the whole text, becomes a new
    /// token (minbpe's and GPT-2's rule). Ties go to the pair with the lower left id, then the lower
    /// right id, so training is deterministic. Stops early when no chunk has two tokens left.
    ///
    /// Fast on a corpus: distinct chunks are counted once (Shakespeare's 4.8 MB is ~30k distinct
    /// chunks), pair counts are kept up to date by subtracting and re-adding only the chunks the
    /// new merge touches, and the best pair comes from a heap with stale entries skipped
    /// (HuggingFace tokenizers' BPE trainer works the same way).
    /// - Parameter vocabularySize: 256 byte tokens plus the merges; at least 256.
    /// - Throws: `TextError.invalidUTF8` (naming `file`), `TextError.emptyInput`, `TextError.badParameter`.
    public init(training bytes: [UInt8], vocabularySize: Int, file: String? = nil) throws {
        guard vocabularySize >= 256, vocabularySize <= BPETokenizer.maximumVocabularySize else {
            throw TextError.badParameter(name: "vocabSize", value: "\(vocabularySize)",
                                         problem: "must be from 256 (the byte tokens) to \(BPETokenizer.maximumVocabularySize)")
        }
        guard !bytes.isEmpty else { throw TextError.emptyInput(file: file) }
        var trainer = try bytes.withUnsafeBufferPointer { buffer in
            try UTF8Text.validate(buffer, file: file)
            return PairTrainer(chunksOf: buffer)
        }
        try self.init(merges: trainer.learn(mergeCount: vocabularySize - 256))
    }

    /// Learns merges from `text` (see `init(training:vocabularySize:file:)` for bytes).
    public init(training text: String, vocabularySize: Int) throws {
        try self.init(training: Array(text.utf8), vocabularySize: vocabularySize)
    }
}

/// The state of BPE training: distinct chunks as token sequences with their counts, and the count
/// of every adjacent pair over them.
struct PairTrainer {
    /// Each distinct chunk's current tokens.
    private var words: [[Int32]] = []
    /// How often each distinct chunk occurs in the text.
    private var wordCounts: [Int] = []
    /// Pair key → occurrences over the text (absent = 0).
    private var pairCounts: [UInt64: Int] = [:]
    /// Pair key → the words that held it when it was counted (may list words that lost it since).
    private var pairWords: [UInt64: [Int32]] = [:]
    /// Candidates for the best pair; an entry whose count is no longer current is skipped.
    private var queue = BestPairQueue()

    init(chunksOf text: UnsafeBufferPointer<UInt8>) {
        var index: [ArraySlice<UInt8>: Int] = [:]
        PreTokenizer().forEachChunk(in: text) { range in
            let chunk = ArraySlice(text[range])
            if let w = index[chunk] { wordCounts[w] += 1; return }
            index[chunk] = words.count
            words.append(chunk.map { Int32($0) })
            wordCounts.append(1)
        }
        for (w, word) in words.enumerated() where word.count > 1 {
            for k in 0..<(word.count - 1) {
                let pair = BPETokenizer.pairKey(word[k], word[k + 1])
                pairCounts[pair, default: 0] += wordCounts[w]
                pairWords[pair, default: []].append(Int32(w))
            }
        }
        for (pair, count) in pairCounts { queue.push(count: count, pair: pair) }
    }

    /// Learns up to `mergeCount` merges, in order.
    mutating func learn(mergeCount: Int) -> [(Int32, Int32)] {
        var merges: [(Int32, Int32)] = []
        merges.reserveCapacity(mergeCount)
        var visited = [Int32](repeating: -1, count: words.count)
        var touched = Set<UInt64>()
        while merges.count < mergeCount, let (count, pair) = queue.pop() {
            guard pairCounts[pair] == count else { continue }  // stale entry
            let left = Int32(truncatingIfNeeded: pair >> 32), right = Int32(truncatingIfNeeded: pair)
            let newID = Int32(256 + merges.count)
            merges.append((left, right))
            touched.removeAll(keepingCapacity: true)
            for w in pairWords.removeValue(forKey: pair) ?? [] {
                guard visited[Int(w)] != newID else { continue }
                visited[Int(w)] = newID
                merge(word: Int(w), left: left, right: right, into: newID, touched: &touched)
            }
            pairCounts.removeValue(forKey: pair)
            for changed in touched where changed != pair {
                if let current = pairCounts[changed] { queue.push(count: current, pair: changed) }
            }
        }
        return merges
    }

    /// Replaces every non-overlapping (left, right) in word `w` by `newID`, left to right, and
    /// moves the word's pair counts from its old tokens to its new ones.
    private mutating func merge(word w: Int, left: Int32, right: Int32, into newID: Int32, touched: inout Set<UInt64>) {
        let old = words[w]
        guard old.count > 1 else { return }
        var new: [Int32] = []
        new.reserveCapacity(old.count)
        var k = 0
        var found = false
        while k < old.count {
            if k + 1 < old.count && old[k] == left && old[k + 1] == right {
                new.append(newID); k += 2; found = true
            } else {
                new.append(old[k]); k += 1
            }
        }
        guard found else { return }
        let count = wordCounts[w]
        for k in 0..<(old.count - 1) {
            let pair = BPETokenizer.pairKey(old[k], old[k + 1])
            if let current = pairCounts[pair] {
                if current == count { pairCounts.removeValue(forKey: pair) } else { pairCounts[pair] = current - count }
            }
            touched.insert(pair)
        }
        if new.count > 1 {
            for k in 0..<(new.count - 1) {
                let pair = BPETokenizer.pairKey(new[k], new[k + 1])
                pairCounts[pair, default: 0] += count
                touched.insert(pair)
                // Pairs without the new token were in this word before, so it is listed under them already.
                if new[k] == newID || new[k + 1] == newID { pairWords[pair, default: []].append(Int32(w)) }
            }
        }
        words[w] = new
    }
}

/// Max-queue of (count, pair): the largest count first, ties to the lowest pair key (lower left
/// id, then lower right id). Entries are never updated in place; callers push the new count and
/// skip entries that no longer match.
struct BestPairQueue {
    private var entries: [(count: Int, pair: UInt64)] = []

    @inline(__always)
    private static func before(_ a: (count: Int, pair: UInt64), _ b: (count: Int, pair: UInt64)) -> Bool {
        a.count != b.count ? a.count > b.count : a.pair < b.pair
    }

    mutating func push(count: Int, pair: UInt64) {
        let entry = (count: count, pair: pair)
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if !BestPairQueue.before(entry, entries[parent]) { break }
            entries[child] = entries[parent]
            child = parent
        }
        entries[child] = entry
    }

    mutating func pop() -> (count: Int, pair: UInt64)? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        if entries.isEmpty { return top }
        var parent = 0
        let count = entries.count
        while true {
            var child = 2 * parent + 1
            if child >= count { break }
            if child + 1 < count && BestPairQueue.before(entries[child + 1], entries[child]) { child += 1 }
            if !BestPairQueue.before(entries[child], last) { break }
            entries[parent] = entries[child]
            parent = child
        }
        entries[parent] = last
        return top
    }
}
