extension TextCorpus {
    /// A tokenizer of `kind` made for this corpus. `char`: every scalar of the whole text, as
    /// nanoGPT's shakespeare_char builds its vocabulary (so validation has no unknown character).
    /// `bpe`: `vocabularySize - 256` merges learned from the training part only (the first
    /// `trainFraction` by position), so the validation text stays unseen.
    /// - Throws: `TextError.badParameter` for a vocabulary size below 256 or a bad fraction,
    ///   `TextError.emptyInput` when the training part is empty.
    public func makeTokenizer(kind: TokenizerKind, vocabularySize: Int = 1024, trainFraction: Double = 0.9) throws -> any TextTokenizer {
        switch kind {
        case .char:
            return try CharacterTokenizer(training: text)
        case .bpe:
            let train = try split(trainFraction: trainFraction).train
            return try BPETokenizer(training: Array(train), vocabularySize: vocabularySize, file: path)
        }
    }
}
