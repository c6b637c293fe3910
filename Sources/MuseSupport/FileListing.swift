import Foundation

/// Recursive folder listings (corpora of MIDI, MusicXML, audio, text or image files).
public enum FileListing {
    /// Paths of every file under `directory` (recursively; symbolic links to folders are followed,
    /// the folder given included, and a folder reached twice through links is read once, so a
    /// link back up the tree cannot loop) whose extension, lower-cased, is in `extensions`. Each
    /// path is `directory` joined with the names walked (links not resolved); sorted, so the
    /// order is the same on every machine. Folders that cannot be read below the top are skipped.
    /// - Throws: `SupportError.io` when `directory` is not a readable folder.
    public static func files(in directory: String, extensions: Set<String>) throws -> [String] {
        guard isFolder(directory), let top = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw SupportError.io(file: directory, reason: "not a readable folder")
        }
        var paths: [String] = []
        var visited: Set<String> = [URL(fileURLWithPath: directory).resolvingSymlinksInPath().path]
        var pending: [(folder: String, names: [String])] = [(directory, top)]
        while let (folder, names) = pending.popLast() {
            for name in names {
                let path = (folder as NSString).appendingPathComponent(name)
                if isFolder(path) {
                    guard visited.insert(URL(fileURLWithPath: path).resolvingSymlinksInPath().path).inserted,
                          let inner = try? FileManager.default.contentsOfDirectory(atPath: path) else { continue }
                    pending.append((path, inner))
                } else if extensions.contains((name as NSString).pathExtension.lowercased()) {
                    paths.append(path)
                }
            }
        }
        return paths.sorted()
    }

    /// Whether `path` is a folder, or a link to one.
    public static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
