import Foundation

/// Recursive folder listings (corpora of MIDI, MusicXML, audio, text or image files).
public enum FileListing {
    /// Paths of every file under `directory` (recursively, symbolic links to folders followed by
    /// Foundation's enumerator) whose extension, lower-cased, is in `extensions`; sorted, so the
    /// order is the same on every machine.
    /// - Throws: `SupportError.io` when `directory` is not a readable folder.
    public static func files(in directory: String, extensions: Set<String>) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
              let walker = FileManager.default.enumerator(atPath: directory) else {
            throw SupportError.io(file: directory, reason: "not a readable folder")
        }
        var paths: [String] = []
        while let relative = walker.nextObject() as? String {
            if extensions.contains((relative as NSString).pathExtension.lowercased()) {
                paths.append((directory as NSString).appendingPathComponent(relative))
            }
        }
        return paths.sorted()
    }
}
