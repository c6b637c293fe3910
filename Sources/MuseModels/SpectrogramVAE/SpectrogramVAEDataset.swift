import Foundation
import MuseAudio

/// A folder of audio files cut into normalised log-mel patches for a `SpectrogramVAE`.
public enum SpectrogramVAEDataset {
    /// File name extensions read as audio (what libsndfile reads; compared case-insensitively).
    public static let extensions: Set<String> = ["wav", "flac", "ogg", "oga", "aiff", "aif"]

    /// Every audio file under `directory`, recursively, sorted.
    /// - Throws: `SpectrogramVAEError.invalidConfiguration` when the folder cannot be listed.
    public static func files(in directory: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
              let walker = FileManager.default.enumerator(atPath: directory) else {
            throw SpectrogramVAEError.invalidConfiguration("\(directory) is not a readable folder")
        }
        var paths: [String] = []
        while let relative = walker.nextObject() as? String {
            if extensions.contains((relative as NSString).pathExtension.lowercased()) {
                paths.append((directory as NSString).appendingPathComponent(relative))
            }
        }
        return paths.sorted()
    }

    /// Patches of every readable, non-silent file at least one patch long (others are counted).
    /// - Returns: the patches and a one-line summary.
    public static func patches(directory: String, model: SpectrogramVAE, maxFiles: Int = .max) throws -> (patches: [[Float]], summary: String) {
        let files = Array(try files(in: directory).prefix(maxFiles))
        var results = [[[Float]]?](repeating: nil, count: files.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            let patches = try? model.patches(of: AudioFile.read(files[i]), name: files[i])
            lock.lock(); results[i] = patches; lock.unlock()
        }
        let patches = results.compactMap { $0 }.flatMap { $0 }
        let skipped = results.filter { $0 == nil }.count
        return (patches, "\(files.count) audio files (\(skipped) unreadable, silent or too short): \(patches.count) patches")
    }
}
