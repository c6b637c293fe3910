import Foundation
import MuseTraining

/// The sizes and training choices of a sentence VAE (Bowman et al. 2016, "Generating Sentences
/// from a Continuous Space"): a token embedding shared by an LSTM encoder and an LSTM decoder,
/// a Gaussian posterior of `latent_size` dimensions, the decoder conditioned on z through its
/// initial state and/or z concatenated to every input.
///
/// Ids `0..<tokenizer_vocab_size` are the tokenizer's; three more follow: begin-of-line
/// (`bosID`), end-of-line (`eosID`, the line's newline) and the word-dropout mask (`unkID`).
public struct TextVAEConfig: Codable, Equatable, Sendable {
    /// Ids of the tokenizer (the bundle's `vocab.json`).
    public var tokenizerVocabSize: Int
    /// Width of the token embedding.
    public var embeddingSize: Int = 128
    /// LSTM units of the encoder and of the decoder.
    public var hiddenSize: Int = 256
    /// Stacked LSTM layers of each.
    public var numLayers: Int = 1
    /// Dimensions of z.
    public var latentSize: Int = 32
    /// z → the decoder's initial (h, c) through a Linear layer (Bowman et al.'s choice).
    public var latentToInitialState: Bool = true
    /// z concatenated to the decoder's input at every step (makes z harder to ignore).
    public var latentAtEveryStep: Bool = true
    /// Probability of replacing each decoder input token (not the begin-of-line) by the mask id
    /// in training (Bowman et al.'s word dropout; 0 = off, 1 = the decoder sees only z).
    public var wordDropout: Float = 0.25
    /// The KL weight's warm-up.
    public var klAnnealing: KLAnnealing = KLAnnealing()
    /// KL per line, in bits, that costs nothing (MusicVAE's `free_bits`; Kingma et al. 2016): the
    /// trained term is max(KL − freeBits·ln 2, 0), so the encoder may carry that much about each
    /// line before the prior pulls it back, which keeps an LSTM decoder from ignoring z
    /// (posterior collapse). 0 = Bowman et al.'s plain KL. Absent in a config.json = 0.
    public var freeBits: Float = 0
    /// Longest line in tokens trained on (longer ones are skipped) and generated.
    public var maxLength: Int = 64

    enum CodingKeys: String, CodingKey {
        case tokenizerVocabSize = "tokenizer_vocab_size", embeddingSize = "embedding_size", hiddenSize = "hidden_size", numLayers = "num_layers",
             latentSize = "latent_size", latentToInitialState = "latent_to_initial_state", latentAtEveryStep = "latent_at_every_step",
             wordDropout = "word_dropout", klAnnealing = "kl_annealing", freeBits = "free_bits", maxLength = "max_length"
    }

    /// A config for a tokenizer of `tokenizerVocabSize` ids.
    public init(tokenizerVocabSize: Int, embeddingSize: Int = 128, hiddenSize: Int = 256, numLayers: Int = 1, latentSize: Int = 32,
                latentToInitialState: Bool = true, latentAtEveryStep: Bool = true, wordDropout: Float = 0.25,
                klAnnealing: KLAnnealing = KLAnnealing(), freeBits: Float = 0, maxLength: Int = 64) {
        self.tokenizerVocabSize = tokenizerVocabSize
        self.embeddingSize = embeddingSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.latentSize = latentSize
        self.latentToInitialState = latentToInitialState
        self.latentAtEveryStep = latentAtEveryStep
        self.wordDropout = wordDropout
        self.klAnnealing = klAnnealing
        self.freeBits = freeBits
        self.maxLength = maxLength
    }

    /// Decodes a config.json; `free_bits` may be absent (configs written before it existed).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tokenizerVocabSize = try c.decode(Int.self, forKey: .tokenizerVocabSize)
        embeddingSize = try c.decode(Int.self, forKey: .embeddingSize)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        numLayers = try c.decode(Int.self, forKey: .numLayers)
        latentSize = try c.decode(Int.self, forKey: .latentSize)
        latentToInitialState = try c.decode(Bool.self, forKey: .latentToInitialState)
        latentAtEveryStep = try c.decode(Bool.self, forKey: .latentAtEveryStep)
        wordDropout = try c.decode(Float.self, forKey: .wordDropout)
        klAnnealing = try c.decode(KLAnnealing.self, forKey: .klAnnealing)
        freeBits = try c.decodeIfPresent(Float.self, forKey: .freeBits) ?? 0
        maxLength = try c.decode(Int.self, forKey: .maxLength)
    }

    /// Ids of the model: the tokenizer's plus begin, end and mask.
    public var vocabSize: Int { tokenizerVocabSize + 3 }
    /// Begin-of-line: the decoder's first input.
    public var bosID: Int { tokenizerVocabSize }
    /// End-of-line: the decoder's last target (the line's newline).
    public var eosID: Int { tokenizerVocabSize + 1 }
    /// The word-dropout mask (Bowman et al.'s `<unk>`).
    public var unkID: Int { tokenizerVocabSize + 2 }

    /// - Throws: `TrainingError.badField` naming `file` and the field that makes no sense.
    public func validate(file: String = "config") throws {
        func bad(_ field: String, _ reason: String) -> TrainingError { .badField(file: file, field: field, reason: reason) }
        guard tokenizerVocabSize > 0 else { throw bad("tokenizer_vocab_size", "must be positive, got \(tokenizerVocabSize)") }
        guard embeddingSize > 0 else { throw bad("embedding_size", "must be positive, got \(embeddingSize)") }
        guard hiddenSize > 0 else { throw bad("hidden_size", "must be positive, got \(hiddenSize)") }
        guard numLayers > 0 else { throw bad("num_layers", "must be positive, got \(numLayers)") }
        guard latentSize > 0 else { throw bad("latent_size", "must be positive, got \(latentSize)") }
        guard latentToInitialState || latentAtEveryStep else {
            throw bad("latent_to_initial_state", "the decoder must see z somewhere (latent_to_initial_state or latent_at_every_step)")
        }
        guard wordDropout >= 0, wordDropout <= 1 else { throw bad("word_dropout", "\(wordDropout) not in [0, 1]") }
        guard freeBits >= 0, freeBits.isFinite else { throw bad("free_bits", "must be a non-negative number, got \(freeBits)") }
        guard klAnnealing.warmupSteps >= 0 else { throw bad("kl_annealing.warmup_steps", "must not be negative, got \(klAnnealing.warmupSteps)") }
        guard maxLength > 0 else { throw bad("max_length", "must be positive, got \(maxLength)") }
    }
}
