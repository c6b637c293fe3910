import Foundation

/// Log-mel spectrograms ↔ fixed-size VAE patches. A spectrogram is `[nMels, frames]` mel-major
/// (librosa's `melspectrogram` layout), in dB as librosa's `power_to_db(ref=np.max, top_db=80)`
/// gives it (maximum 0 dB, floor −topDB).
public enum SpectrogramPatches {
    /// dB in [−topDB, 0] → [0, 1]; values outside are clipped.
    public static func normalize(decibels: [Float], topDB: Float) -> [Float] {
        decibels.map { Swift.min(Swift.max(($0 + topDB) / topDB, 0), 1) }
    }

    /// [0, 1] → dB in [−topDB, 0] (values outside [0, 1] are clipped first).
    public static func denormalize(_ values: [Float], topDB: Float) -> [Float] {
        values.map { Swift.min(Swift.max($0, 0), 1) * topDB - topDB }
    }

    /// Cuts `[nMels, frames]` into patches of `patchFrames` frames every `hopFrames` frames (the
    /// last patch ends at the last frame, so every frame is covered).
    /// - Returns: patches, each `[nMels, patchFrames]` mel-major.
    /// - Throws: `SpectrogramVAEError.tooShort` when `frames < patchFrames`, `.badPatch` for a size
    ///   that is not `nMels · frames`.
    public static func cut(_ spectrogram: [Float], nMels: Int, patchFrames: Int, hopFrames: Int) throws -> [[Float]] {
        guard nMels > 0, patchFrames > 0, hopFrames > 0, spectrogram.count % nMels == 0 else {
            throw SpectrogramVAEError.badPatch(reason: "\(spectrogram.count) values do not make \(nMels) mel rows")
        }
        let frames = spectrogram.count / nMels
        guard frames >= patchFrames else { throw SpectrogramVAEError.tooShort(frames: frames, needed: patchFrames) }
        var starts = Array(stride(from: 0, through: frames - patchFrames, by: hopFrames))
        if starts.last! + patchFrames < frames { starts.append(frames - patchFrames) }
        return starts.map { start in
            var patch = [Float](repeating: 0, count: nMels * patchFrames)
            for m in 0..<nMels {
                for f in 0..<patchFrames { patch[m * patchFrames + f] = spectrogram[m * frames + start + f] }
            }
            return patch
        }
    }

    /// Joins patches in time with linear crossfades of `overlapFrames` frames between neighbours.
    /// - Parameter patches: each `[nMels, patchFrames]` mel-major.
    /// - Returns: `[nMels, frames]` with frames = n·patchFrames − (n − 1)·overlapFrames.
    public static func crossfade(_ patches: [[Float]], nMels: Int, patchFrames: Int, overlapFrames: Int) -> [Float] {
        precondition(overlapFrames >= 0 && overlapFrames < patchFrames, "crossfade: overlap must be in 0..<patchFrames")
        guard !patches.isEmpty else { return [] }
        let step = patchFrames - overlapFrames
        let frames = patches.count * patchFrames - (patches.count - 1) * overlapFrames
        var out = [Float](repeating: 0, count: nMels * frames), weight = [Float](repeating: 0, count: frames)
        for (k, patch) in patches.enumerated() {
            for f in 0..<patchFrames {
                // Ramps up over the overlap at the start (except the first patch), down at the end (except the last).
                var w: Float = 1
                if k > 0 && f < overlapFrames { w = Float(f + 1) / Float(overlapFrames + 1) }
                if k + 1 < patches.count && f >= patchFrames - overlapFrames { w = Float(patchFrames - f) / Float(overlapFrames + 1) }
                let t = k * step + f
                weight[t] += w
                for m in 0..<nMels { out[m * frames + t] += w * patch[m * patchFrames + f] }
            }
        }
        for t in 0..<frames where weight[t] > 0 { for m in 0..<nMels { out[m * frames + t] /= weight[t] } }
        return out
    }
}
