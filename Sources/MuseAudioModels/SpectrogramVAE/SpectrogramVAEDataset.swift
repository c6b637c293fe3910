import Foundation
import MuseAudio
import MuseCore

/// A folder of audio files cut into normalised log-mel patches for a `SpectrogramVAE`.
public enum SpectrogramVAEDataset {
    /// File name extensions read as audio (what libsndfile reads; compared case-insensitively).
    public static let extensions: Set<String> = ["wav", "flac", "ogg", "oga", "aiff", "aif"]

    /// Every audio file under `directory`, recursively, sorted.
    /// - Throws: `SpectrogramVAEError.invalidConfiguration` when the folder cannot be listed.
    public static func files(in directory: String) throws -> [String] {
        do { return try FileListing.files(in: directory, extensions: extensions) } catch {
            throw SpectrogramVAEError.invalidConfiguration("\(directory) is not a readable folder")
        }
    }

    /// Patches of every readable, non-silent file at least one patch long (others are counted),
    /// split by file into training and held-out patches: a file is held out when the seeded hash
    /// of its path relative to `directory` falls below `evalRatio` (`MelodyDataset.isEvalFile`),
    /// so the split of a file never changes when others are added.
    /// - Returns: the patches and a one-line summary.
    /// - Throws: `SpectrogramVAEError.invalidConfiguration` for an unreadable folder or a ratio outside [0, 1).
    public static func patches(directory: String, model: SpectrogramVAE, maxFiles: Int = .max, evalRatio: Double = 0,
                               seed: UInt64 = 0) throws -> (train: [[Float]], eval: [[Float]], summary: String) {
        guard evalRatio >= 0 && evalRatio < 1 else {
            throw SpectrogramVAEError.invalidConfiguration("eval ratio \(evalRatio) must lie in [0, 1)")
        }
        let files = Array(try files(in: directory).prefix(maxFiles))
        var results = [[[Float]]?](repeating: nil, count: files.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            let patches = try? model.patches(of: AudioFile.read(files[i]), name: files[i])
            lock.lock(); results[i] = patches; lock.unlock()
        }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        var train: [[Float]] = [], eval: [[Float]] = [], evalFiles = 0
        for (path, patches) in zip(files, results) {
            guard let patches else { continue }
            let relative = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
            if HeldOutSplit.isHeldOut(relativePath: relative, seed: seed, ratio: evalRatio) {
                eval += patches
                evalFiles += 1
            } else {
                train += patches
            }
        }
        let skipped = results.filter { $0 == nil }.count
        return (train, eval, "\(files.count) audio files (\(skipped) unreadable, silent or too short): "
                    + "\(train.count) training patches, \(eval.count) held-out patches from \(evalFiles) files")
    }
}
