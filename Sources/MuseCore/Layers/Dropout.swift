import Foundation

/// Zeroes each element with probability `probability` in training mode and scales survivors by
/// 1/(1−p) (`torch.nn.Dropout`); the identity in eval mode. Owns its seeded generator, whose
/// state (`generator`) belongs in checkpoints.
public final class Dropout: Layer {
    /// Probability of zeroing an element, in [0, 1).
    public let probability: Float
    /// The mask generator (owned; save its state to resume a run exactly).
    public var generator: SplitMix64
    public var isTraining = true

    /// - Precondition: `0 <= probability < 1` (a programmer's constant).
    public init(probability: Float, seed: UInt64) {
        precondition(probability >= 0 && probability < 1, "Dropout: probability \(probability) not in [0, 1)")
        self.probability = probability
        generator = SplitMix64(seed: seed)
    }

    /// Elements per independently seeded block of the mask: blocks are drawn in parallel, each
    /// from a generator seeded by one draw of `generator`, so the mask depends only on the seed
    /// and the tensor size, never on the number of cores.
    static let blockSize = 1 << 16

    /// - Returns: `input` with dropped elements zeroed and the rest scaled (training), else `input`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard isTraining, probability > 0 else { return input }
        let scale = 1 / (1 - probability), p = probability, n = input.count
        let blocks = (n + Dropout.blockSize - 1) / Dropout.blockSize
        let seeds = (0..<blocks).map { _ in generator.next() }
        let mask = Tensor(uninitializedShape: input.shape)
        let out = Tensor(uninitializedShape: input.shape)
        let pm = mask.storage.pointer, po = out.storage.pointer, px = input.storage.pointer
        Parallel.forEachChunk(count: blocks, minimumChunk: Swift.max(1, Parallel.minimumElements / Dropout.blockSize)) { range in
            for block in range {
                var rng = SplitMix64(seed: seeds[block])
                for i in (block * Dropout.blockSize)..<Swift.min(n, (block + 1) * Dropout.blockSize) {
                    let m: Float = rng.nextUnitFloat() < p ? 0 : scale
                    pm[i] = m
                    po[i] = px[i] * m
                }
            }
        }
        return Tensor.record(out, "dropout", [input]) { g, _ in [Tensor.zip(g, mask) { $0 * $1 }] }
    }
}
