import Foundation
import MuseCore
import MuseTraining

extension MusicVAE {
    /// Reconstruction accuracy of windows, as in the MusicVAE paper's Table 1: each window is
    /// encoded to z = μ, then decoded (a) teacher-forced, scoring the argmax at every step, and
    /// (b) freely with argmax decoding, scoring every step against the input.
    public struct ReconstructionAccuracy: CustomStringConvertible {
        /// Fraction of steps right with teacher forcing.
        public var teacherForced: Double
        /// Fraction of steps right when decoding on its own.
        public var sampled: Double
        /// Windows scored.
        public var windows: Int
        public var description: String {
            String(format: "teacher-forced %.3f, sampled %.3f over %d windows", teacherForced, sampled, windows)
        }
    }

    /// Measures `ReconstructionAccuracy` over `windows` in batches of `batchSize`.
    /// - Throws: `MusicVAEError.badWindow`, `TensorError`.
    public func reconstructionAccuracy(_ windows: [[Int]], batchSize: Int = 256) throws -> ReconstructionAccuracy {
        var forcedRight = 0, sampledRight = 0, total = 0
        var rng = SplitMix64(seed: 0)  // unused by argmax decoding
        try noGrad {
            for start in stride(from: 0, to: windows.count, by: max(batchSize, 1)) {
                let batch = Array(windows[start..<min(start + batchSize, windows.count)])
                let events = try oneHot(batch)
                let z = try encode(events).mu
                let logits = try decodeTeacherForced(events, z: z)
                let predicted = try logits.reshape([-1, config.classCount]).argmax(axis: 1).indices()
                let targets = batch.flatMap { $0 }
                forcedRight += zip(predicted, targets).filter { $0 == $1 }.count
                let decoded = try decode(z, temperature: 0, using: &rng).flatMap { $0 }
                sampledRight += zip(decoded, targets).filter { $0 == $1 }.count
                total += targets.count
            }
        }
        return ReconstructionAccuracy(teacherForced: Double(forcedRight) / Double(max(total, 1)),
                                      sampled: Double(sampledRight) / Double(max(total, 1)), windows: windows.count)
    }

    /// Latent means of windows.
    /// - Returns: [windows.count, zSize].
    public func encodeMeans(_ windows: [[Int]]) throws -> Tensor {
        try noGrad { try encode(oneHot(windows)).mu }
    }

    /// Decodes the latent path from `a`'s window to `b`'s in `steps` points (ends included).
    /// - Parameters:
    ///   - a, b: windows of class indices.
    ///   - spherical: slerp instead of a straight line.
    ///   - temperature: as `decode` (0 = argmax).
    /// - Returns: `steps` decoded windows, the first from a's latent, the last from b's.
    /// - Throws: `MusicVAEError.tooFewSteps` for steps < 2.
    public func interpolate<G: RandomNumberGenerator>(from a: [Int], to b: [Int], steps: Int, spherical: Bool,
                                                      temperature: Float, using generator: inout G) throws -> [[Int]] {
        guard steps >= 2 else { throw MusicVAEError.tooFewSteps(steps) }
        let means = try encodeMeans([a, b]).scalars
        let Z = config.zSize
        let path = LatentPath.points(from: Array(means[0..<Z]), to: Array(means[Z...]), steps: steps, spherical: spherical)
        return try decode(Tensor(path.flatMap { $0 }, shape: [steps, Z]), temperature: temperature, using: &generator)
    }

    /// `count` windows decoded from z ~ N(0, I).
    public func sample<G: RandomNumberGenerator>(count: Int, temperature: Float, using generator: inout G) throws -> [[Int]] {
        try decode(Tensor.randn([count, config.zSize], using: &generator), temperature: temperature, using: &generator)
    }
}
