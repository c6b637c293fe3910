import Foundation
import MuseCore

/// Reading text files with their size checked before anything is allocated, and listing the
/// `.txt` files of a folder.
public enum TextFiles {
    /// File name extensions read from a folder (compared case-insensitively).
    public static let extensions: Set<String> = ["txt"]

    /// The bytes of the file at `path`, at most `limitBytes`.
    /// - Throws: `TextError.cannotRead`, `TextError.fileTooLarge`.
    public static func read(_ path: String, limitBytes: Int) throws -> [UInt8] {
        let size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            guard (attributes[.type] as? FileAttributeType) != .typeDirectory else {
                throw TextError.cannotRead(file: path, reason: "is a folder")
            }
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch let error as TextError {
            throw error
        } catch {
            throw TextError.cannotRead(file: path, reason: FileManager.default.fileExists(atPath: path) ? "\(error.localizedDescription)" : "no such file")
        }
        guard size <= limitBytes else { throw TextError.fileTooLarge(file: path, bytes: size, limitBytes: limitBytes) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw TextError.cannotRead(file: path, reason: "cannot open") }
        defer { try? handle.close() }
        do {
            // Reads at most one byte past the limit, in case the file grew since it was measured.
            let data = try handle.read(upToCount: limitBytes + 1) ?? Data()
            guard data.count <= limitBytes else { throw TextError.fileTooLarge(file: path, bytes: data.count, limitBytes: limitBytes) }
            return [UInt8](data)
        } catch let error as TextError {
            throw error
        } catch {
            throw TextError.cannotRead(file: path, reason: error.localizedDescription)
        }
    }

    /// Whether `path` is a folder (false for a file or nothing).
    public static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Every `.txt` file under `directory`, recursively (links to folders followed), sorted by path.
    /// - Throws: `TextError.cannotRead` if it cannot be listed, `TextError.noTextFiles` if it holds none.
    public static func textFiles(in directory: String) throws -> [String] {
        guard isDirectory(directory) else { throw TextError.cannotRead(file: directory, reason: "not a folder") }
        let paths: [String]
        do { paths = try FileListing.files(in: directory, extensions: extensions) } catch {
            throw TextError.cannotRead(file: directory, reason: "cannot list")
        }
        guard !paths.isEmpty else { throw TextError.noTextFiles(directory: directory) }
        return paths
    }
}
