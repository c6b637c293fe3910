import Foundation
import MuseCore

/// Which rows of every global batch this process trains on in data-parallel training: process
/// `rank` of `worldSize`. Every rank draws the same global batch from the same data generator and
/// keeps its contiguous block of rows; its loss is weighted so that the mean of the ranks'
/// gradients (the all-reduce) equals the gradient of the whole batch. `.whole` (rank 0 of 1) is a
/// plain run and changes nothing.
public struct TrainingShard: Equatable, Sendable, CustomStringConvertible {
    /// This process's rank, 0-based.
    public let rank: Int
    /// Number of processes training together.
    public let worldSize: Int

    /// A plain run: one process owning every row.
    public static let whole = TrainingShard(rank: 0, worldSize: 1)

    /// - Parameters: rank in `0..<worldSize` (checked by `TrainerOptions.validate`).
    public init(rank: Int, worldSize: Int) {
        self.rank = rank
        self.worldSize = worldSize
    }

    /// Whether this is a plain run (one process).
    public var isWhole: Bool { worldSize == 1 }
    /// Whether this process prints, evaluates and writes checkpoints (rank 0).
    public var isPrimary: Bool { rank == 0 }

    public var description: String { "rank \(rank) of \(worldSize)" }

    /// This rank's rows of a global batch of `count` rows: `rank·count/worldSize ..<
    /// (rank+1)·count/worldSize` (blocks differ in size by at most one row).
    /// - Throws: `TrainingError.invalidOption` when the batch has fewer rows than there are ranks.
    public func rows(ofBatch count: Int) throws -> Range<Int> {
        guard count >= worldSize else {
            throw TrainingError.invalidOption("a global batch of \(count) cannot be split over \(worldSize) processes (raise --batch-size)")
        }
        return (rank * count / worldSize)..<((rank + 1) * count / worldSize)
    }

    /// The factor for a loss that is a mean over `local` of the batch's `global` items (rows,
    /// or tokens that count): `worldSize·local/global`, so that the ranks' weighted losses average
    /// to the mean over the whole batch. Exactly 1 for a plain run.
    public func weight(local: Int, global: Int) -> Float {
        isWhole || global == 0 ? 1 : Float(worldSize) * Float(local) / Float(global)
    }

    /// `loss` (a mean over `local` of `global` items) times `weight(local:global:)`; `loss` itself,
    /// untouched, in a plain run.
    public func weighted(_ loss: Tensor, local: Int, global: Int) -> Tensor {
        isWhole ? loss : loss * weight(local: local, global: global)
    }

    /// The rows `rows` of `tensor`'s first dimension (a copy; `tensor` itself when they are all).
    /// - Throws: `TrainingError.invalidOption` if `rows` is outside the first dimension.
    public func slice(_ tensor: Tensor, rows: Range<Int>) throws -> Tensor {
        guard let first = tensor.shape.first, rows.lowerBound >= 0, rows.upperBound <= first else {
            throw TrainingError.invalidOption("rows \(rows) outside a tensor of shape \(tensor.shape)")
        }
        if rows.count == first { return tensor }
        let rowSize = first == 0 ? 0 : tensor.count / first
        let values = tensor.withUnsafeBufferPointer { Array($0[(rows.lowerBound * rowSize)..<(rows.upperBound * rowSize)]) }
        return try Tensor(values, shape: [rows.count] + tensor.shape.dropFirst())
    }
}
