import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files and folders under a temporary name beside the destination, then renames them into
/// place (`rename(2)` is atomic within a file system), so an interrupted or failed write never
/// leaves a half-written WAV, MIDI file, checkpoint or cache where a reader would take it for whole.
public enum AtomicFile {
    /// A hidden temporary path in the same folder as `path` (unique per process and call).
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let name = ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Calls `body` with a temporary path, then renames that path to `path`. If `body` throws,
    /// the temporary file is removed and the error passes through unchanged.
    /// - Throws: `body`'s error, or `SupportError.io` when the rename fails.
    public static func write(toPath path: String, _ body: (_ temporaryPath: String) throws -> Void) throws {
        let temporary = temporaryPath(for: path)
        do { try body(temporary) } catch {
            unlink(temporary)
            throw error
        }
        try commit(temporary, to: path)
    }

    /// Renames a finished temporary file (from `temporaryPath(for:)`) to `path`, for writers that
    /// stream into the temporary file over time; removes it if the rename fails.
    /// - Throws: `SupportError.io`.
    public static func commit(_ temporary: String, to path: String) throws {
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw SupportError.io(file: path, reason: "cannot rename into place: \(reason)")
        }
    }

    /// Writes `data` to `url` atomically.
    /// - Throws: `SupportError.io` naming the file.
    public static func write(_ data: Data, to url: URL) throws {
        try write(toPath: url.path) { temporary in
            do { try data.write(to: URL(fileURLWithPath: temporary)) } catch {
                throw SupportError.io(file: url.path, reason: "cannot write: \(error.localizedDescription)")
            }
        }
    }

    /// Builds a folder under a temporary name with `body`, then renames it to `url`, replacing
    /// a folder of that name (a re-written checkpoint of the same step).
    /// - Throws: `body`'s error (the temporary folder is removed), or `SupportError.io`.
    public static func writeDirectory(at url: URL, _ body: (_ temporary: URL) throws -> Void) throws {
        let fm = FileManager.default
        let temporary = URL(fileURLWithPath: temporaryPath(for: url.path))
        do {
            try fm.createDirectory(at: temporary, withIntermediateDirectories: true)
        } catch {
            throw SupportError.io(file: url.path, reason: "cannot create folder: \(error.localizedDescription)")
        }
        do { try body(temporary) } catch {
            try? fm.removeItem(at: temporary)
            throw error
        }
        try? fm.removeItem(at: url)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(at: temporary)
            throw SupportError.io(file: url.path, reason: "cannot rename folder into place: \(reason)")
        }
    }

    /// Removes the temporary files and folders that writers killed before their rename left in
    /// `directory` (`.NAME.tmp-PID-N` whose process PID no longer exists). Returns their names.
    @discardableResult
    public static func removeStaleTemporaries(in directory: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var removed: [String] = []
        for name in names where name.hasPrefix(".") {
            guard let marker = name.range(of: ".tmp-", options: .backwards) else { continue }
            let fields = name[marker.upperBound...].split(separator: "-")
            guard fields.count == 2, let pid = Int32(fields[0]), UInt32(fields[1]) != nil else { continue }
            guard pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            if (try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))) != nil { removed.append(name) }
        }
        return removed
    }

    /// Reads a whole file, refusing files larger than `maximumBytes` before reading them.
    /// - Throws: `SupportError.io` naming the file.
    public static func read(_ url: URL, maximumBytes: Int = 1 << 40) throws -> Data {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard let size = (attributes?[.size] as? NSNumber)?.intValue else {
            throw SupportError.io(file: url.path, reason: "cannot open")
        }
        guard size <= maximumBytes else {
            throw SupportError.io(file: url.path, reason: "file of \(size) bytes is larger than the \(maximumBytes)-byte limit")
        }
        do {
            return try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw SupportError.io(file: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
    }
}
