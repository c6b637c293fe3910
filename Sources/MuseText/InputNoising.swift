import MuseCore
import MuseTraining

/// Unigram noising of a language model's inputs (Xie et al. 2017, "Data Noising as Smoothing in
/// Neural Network Language Models"): during training an input token is replaced by a token drawn
/// from the unigram distribution of the training text — a token read at a uniformly random place
/// of it, so frequent tokens come as often as they occur. The targets are left alone, and nothing
/// is noised at evaluation or sampling.
///
/// How often a token x is replaced is the paper's choice too:
/// - `.perToken` (its γ_AD, after absolute discounting): γ(x) = γ₀ · N₁₊(x, •) / c(x), the number
///   of distinct tokens that follow x in the training text over the number of times x occurs.
///   Tokens seen often with few followers — the letters of a large English text — are hardly
///   noised; tokens seen once or twice, each time before something new — most characters of the
///   300 Tang poems — are noised at nearly γ₀. So one γ₀ suits a small and a large corpus.
/// - `.constant`: γ(x) = γ₀ for every token.
///
/// A model that cannot trust a rare input token has to learn what holds whatever the tokens are.
/// On the Tang poems (26,610 training characters of 2,578 kinds) that is the form: noised, a
/// char-rnn writes verses of five or seven characters as the poems do; without, it learns the
/// poems by heart and miscounts new verses.
public struct InputNoising: Sendable {
    /// How the chance of replacement depends on the token.
    public enum Scaling: String, CaseIterable, Sendable {
        /// γ₀ · distinct followers / occurrences (the paper's γ_AD).
        case perToken = "per-token"
        /// γ₀ for every token.
        case constant
    }

    /// γ₀, in [0, 1).
    public let probability: Double
    /// How γ depends on the token.
    public let scaling: Scaling
    /// γ(x) of each token id as a threshold on 53-bit draws (0 for ids absent from the text).
    let thresholds: [UInt64]
    /// The share of the training tokens replaced on average: the mean of γ(x) over the text.
    public let meanProbability: Double
    /// The training text the replacements are drawn from.
    let pool: [Int32]

    /// - Parameters:
    ///   - probability: γ₀.
    ///   - pool: the training ids (the unigram distribution, and the counts of `.perToken`).
    ///   - vocabularySize: ids lie in 0 ..< this.
    /// - Throws: `TrainingError.invalidOption` for γ₀ outside [0, 1), an empty pool with γ₀ > 0,
    ///   or an id of the pool outside the vocabulary.
    public init(probability: Double, scaling: Scaling = .perToken, pool: [Int32], vocabularySize: Int) throws {
        guard probability >= 0, probability < 1 else {
            throw TrainingError.invalidOption("input noise must lie in [0, 1), not \(probability)")
        }
        guard probability > 0 else {
            self.init(probability: 0, scaling: scaling, thresholds: [], meanProbability: 0, pool: [])
            return
        }
        guard !pool.isEmpty else { throw TrainingError.invalidOption("input noise needs training text to draw from") }
        if let bad = pool.first(where: { $0 < 0 || Int($0) >= vocabularySize }) {
            throw TrainingError.invalidOption("input noise: token id \(bad) lies outside the vocabulary of \(vocabularySize)")
        }
        let (thresholds, mean) = Self.thresholds(probability: probability, scaling: scaling, pool: pool, vocabularySize: vocabularySize)
        self.init(probability: probability, scaling: scaling, thresholds: thresholds, meanProbability: mean, pool: pool)
    }

    private init(probability: Double, scaling: Scaling, thresholds: [UInt64], meanProbability: Double, pool: [Int32]) {
        self.probability = probability
        self.scaling = scaling
        self.thresholds = thresholds
        self.meanProbability = meanProbability
        self.pool = pool
    }

    /// No noising.
    public static let none = InputNoising(probability: 0, scaling: .perToken, thresholds: [], meanProbability: 0, pool: [])

    /// γ(x) for every id, as 53-bit thresholds, and its mean over `pool`: per token, the sum of
    /// c(x) · γ₀ · N₁₊(x, •) / c(x) over x is γ₀ times the number of distinct bigrams.
    static func thresholds(probability: Double, scaling: Scaling, pool: [Int32], vocabularySize: Int) -> (thresholds: [UInt64], mean: Double) {
        let full = UInt64(probability * 0x1p53)
        guard scaling == .perToken else { return ([UInt64](repeating: full, count: vocabularySize), probability) }
        var occurrences = [Int](repeating: 0, count: vocabularySize)
        var followers = [Int](repeating: 0, count: vocabularySize)
        var bigrams = Set<Int64>()
        for (i, x) in pool.enumerated() {
            occurrences[Int(x)] += 1
            guard i + 1 < pool.count else { continue }
            if bigrams.insert(Int64(x) << 32 | Int64(pool[i + 1])).inserted { followers[Int(x)] += 1 }
        }
        let thresholds = (0..<vocabularySize).map { x in
            occurrences[x] == 0 ? 0 : UInt64(probability * Double(followers[x]) / Double(occurrences[x]) * 0x1p53)
        }
        return (thresholds, probability * Double(bigrams.count) / Double(pool.count))
    }

    /// γ(x) of token `id`.
    public func probability(of id: Int) -> Double {
        thresholds.indices.contains(id) ? Double(thresholds[id]) * 0x1p-53 : 0
    }

    /// One line for people: γ₀, the scaling and the mean γ.
    public var summary: String {
        String(format: "input noise: γ₀ %g, %@, %.3g%% of the training tokens replaced on average", probability, scaling.rawValue, 100 * meanProbability)
    }

    /// Noises `rows` of a batch of `batchSize` rows of `length` tokens. Two values are drawn from
    /// `generator` for every place of the whole batch, in row-major order, whether it is noised or
    /// not, so data-parallel ranks, each holding its own rows, noise exactly as one process would.
    /// γ₀ = 0 draws nothing.
    /// - Parameter inputs: rows.count · length token ids, row-major.
    public func apply(to inputs: inout [Int], rows: Range<Int>, batchSize: Int, length: Int, using generator: inout SplitMix64) {
        guard probability > 0 else { return }
        precondition(inputs.count == rows.count * length && rows.lowerBound >= 0 && rows.upperBound <= batchSize)
        let poolCount = UInt64(pool.count)
        inputs.withUnsafeMutableBufferPointer { x in
            for row in 0..<batchSize {
                let local = rows.contains(row) ? (row - rows.lowerBound) * length : -1
                for t in 0..<length {
                    let draw = generator.next() >> 11, pick = generator.next() % poolCount
                    guard local >= 0 else { continue }
                    let id = x[local + t]
                    if thresholds.indices.contains(id), draw < thresholds[id] { x[local + t] = Int(pool[Int(pick)]) }
                }
            }
        }
    }
}

extension InputNoising {
    /// γ₀ of `muse train char-rnn` when none is given. With `.perToken` it leaves a large text as
    /// it is (Shakespeare: 0.02% of the characters replaced) and noises the rare characters
    /// of a small one (the Tang poems: 31.8%).
    public static let charRNNDefault = 0.5
}
