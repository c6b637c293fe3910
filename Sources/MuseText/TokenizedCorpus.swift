/// A corpus as token ids, split into training and validation parts.
public struct TokenizedCorpus: Sendable, Equatable {
    /// Ids of the training text, in order.
    public var train: [Int32]
    /// Ids of the validation text, in order.
    public var validation: [Int32]
    /// The tokenizer's vocabulary size: every id is below it.
    public var vocabularySize: Int

    /// The parts and their vocabulary size.
    public init(train: [Int32], validation: [Int32], vocabularySize: Int) {
        self.train = train
        self.validation = validation
        self.vocabularySize = vocabularySize
    }

    /// `ids` as UInt16, the type nanoGPT stores `train.bin` in, half the memory of Int32.
    /// - Throws: `TextError.vocabularyTooLarge` when the vocabulary has more than 65,536 tokens.
    public func uint16(_ ids: [Int32]) throws -> [UInt16] {
        guard vocabularySize <= 1 << 16 else { throw TextError.vocabularyTooLarge(vocabularySize: vocabularySize, limit: 1 << 16) }
        return ids.map { UInt16(truncatingIfNeeded: $0) }
    }
}
