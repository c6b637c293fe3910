import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files under a temporary name in the destination folder, then renames them into place,
/// so an interrupted run never leaves a half-written checkpoint.
public enum AtomicFile {
    /// Writes `data` to `url` atomically (temp file + `rename(2)`).
    /// - Throws: `TensorError.io` naming the file.
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try data.write(to: temp)
        } catch {
            throw TensorError.io(file: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
        guard rename(temp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temp)
            throw TensorError.io(file: url.path, reason: "cannot rename into place: \(reason)")
        }
    }

    /// Reads a whole file, refusing files larger than `maximumBytes`.
    /// - Throws: `TensorError.io` naming the file.
    static func read(_ url: URL, maximumBytes: Int = 1 << 40) throws -> Data {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard let size = (attributes?[.size] as? NSNumber)?.intValue else {
            throw TensorError.io(file: url.path, reason: "cannot open")
        }
        guard size <= maximumBytes else { throw TensorError.io(file: url.path, reason: "file of \(size) bytes is too large") }
        do {
            return try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw TensorError.io(file: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
    }
}
