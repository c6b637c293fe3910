import Foundation

/// How many Han characters the verses of Chinese poems have: the measure of whether generated
/// Tang poems keep the form (five or seven characters a verse in regulated verse and quatrains).
///
/// A verse is a stretch of a line between punctuation marks (，。？！；：、 and their ASCII
/// forms), counted in Han characters (CJK Unified Ideographs and their extensions A–B and
/// compatibility block). Lines holding a title (《…》) or an author (作者) are skipped, and so are
/// stretches with no Han character.
public struct VerseLengths: Codable, Equatable, Sendable {
    /// Verses counted.
    public var verses: Int
    /// Of them, five or seven characters long.
    public var fiveOrSeven: Int
    /// Verses by length in characters (JSON keys are the lengths).
    public var histogram: [Int: Int]

    /// `fiveOrSeven / verses` (0 when there is no verse).
    public var share: Double { verses == 0 ? 0 : Double(fiveOrSeven) / Double(verses) }

    /// Punctuation that ends a verse.
    public static let separators: Set<Unicode.Scalar> = ["，", "。", "？", "！", "；", "：", "、", ",", ".", "?", "!", ";", ":"]

    /// Whether `scalar` is a Han character.
    public static func isHan(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0xF900...0xFAFF: return true
        default: return false
        }
    }

    /// The verse lengths of `text`.
    public init(measuring text: String) {
        var histogram: [Int: Int] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.contains("《") || line.contains("》") || line.contains("作者") { continue }
            var count = 0
            func close() {
                if count > 0 { histogram[count, default: 0] += 1 }
                count = 0
            }
            for scalar in line.unicodeScalars {
                if Self.separators.contains(scalar) { close() } else if Self.isHan(scalar) { count += 1 }
            }
            close()
        }
        self.histogram = histogram
        verses = histogram.values.reduce(0, +)
        fiveOrSeven = (histogram[5] ?? 0) + (histogram[7] ?? 0)
    }

    /// The counts added together.
    public static func + (a: VerseLengths, b: VerseLengths) -> VerseLengths {
        var sum = a
        sum.verses += b.verses
        sum.fiveOrSeven += b.fiveOrSeven
        for (k, v) in b.histogram { sum.histogram[k, default: 0] += v }
        return sum
    }

    /// One line for people: the share and the commonest lengths.
    public var summary: String {
        let top = histogram.sorted { ($0.value, -$0.key) > ($1.value, -$1.key) }.prefix(6).map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        return String(format: "%d verses, %d of 5 or 7 characters (%.1f%%); by length: %@", verses, fiveOrSeven, 100 * share, top)
    }
}
