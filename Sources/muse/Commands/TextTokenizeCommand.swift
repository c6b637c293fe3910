import ArgumentParser
import Foundation
import MuseText

extension TokenizerKind: ExpressibleByArgument {}

/// `muse text tokenize FILE|DIR`: makes a tokenizer for a text corpus, prints its vocabulary size
/// and the token counts of the training and validation parts, and can save it as JSON.
struct TextTokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Make a character or byte-level BPE tokenizer for a text corpus and print its vocabulary size and token counts.",
        discussion: """
            char: one token per Unicode scalar of the whole text. bpe: merges learned from the \
            training part (the first --train-fraction of the text by position).
            """)

    @Argument(help: "A UTF-8 text file, or a folder of .txt files (read recursively, in path order).")
    var text: String

    @Option(help: "Tokenizer: char (one token per Unicode scalar) or bpe (GPT-2-style byte-level BPE).")
    var tokenizer: TokenizerKind = .char

    @Option(name: [.customLong("vocab-size"), .customLong("vocab_size")],
            help: "BPE vocabulary: 256 byte tokens plus the merges learned (bpe only).")
    var vocabSize = 1024

    @Option(name: [.customLong("train-fraction"), .customLong("train_fraction")], help: "Share of the text, by position, in the training part (nanoGPT's 0.9).")
    var trainFraction = 0.9

    @Option(help: "Save the tokenizer as JSON here (e.g. vocab.json); empty: do not save.")
    var output = ""

    func validate() throws {
        guard vocabSize >= 256 else { throw ValidationError("--vocab-size must be at least 256 (the byte tokens)") }
        guard trainFraction >= 0 && trainFraction <= 1 else { throw ValidationError("--train-fraction must be from 0 to 1") }
    }

    func run() throws {
        let corpus = try TextCorpus(contentsOf: text)
        let start = DispatchTime.now().uptimeNanoseconds
        let made = try corpus.makeTokenizer(kind: tokenizer, vocabularySize: vocabSize, trainFraction: trainFraction)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let encoded = try corpus.encode(with: made, trainFraction: trainFraction)
        if !output.isEmpty { try made.save(to: output) }
        let tokens = encoded.train.count + encoded.validation.count
        print("text: \(corpus.files.count) file(s), \(corpus.bytes.count) bytes, \(corpus.scalarCount) characters")
        print("tokenizer: \(made.kind.rawValue), vocabulary \(made.vocabularySize) tokens, made in \(String(format: "%.2f", seconds)) s")
        print("tokens: \(tokens) (train \(encoded.train.count), validation \(encoded.validation.count)),"
              + " \(String(format: "%.2f", Double(corpus.bytes.count) / Double(max(tokens, 1)))) bytes per token")
        if !output.isEmpty { print("saved: \(output)") }
    }
}
