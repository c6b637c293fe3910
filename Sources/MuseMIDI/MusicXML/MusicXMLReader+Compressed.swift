import Foundation

extension MusicXMLReader {
    /// Whether `bytes` start as a zip archive does (a local file header, `PK\u{3}\u{4}`): compressed
    /// MusicXML (`.mxl`).
    public static func isZip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04
    }

    /// The score of a compressed MusicXML archive (`.mxl`): the first `<rootfile full-path>` that
    /// `META-INF/container.xml` names, or — without a container — the archive's only MusicXML file
    /// outside `META-INF/`.
    /// - Throws: `MusicXMLError` naming `file` for a damaged archive or container, or a missing score.
    public static func rootFile(ofArchive bytes: [UInt8], file: String) throws -> [UInt8] {
        let archive = try ZipArchive(bytes: bytes, file: file)
        if let containerEntry = archive.entry(named: "META-INF/container.xml") {
            let container: XMLElement
            do { container = try XMLElement.parse(archive.contents(of: containerEntry)) } catch let error as XMLParseError {
                throw MusicXMLError(file: file, reason: "META-INF/container.xml is not well-formed XML at \(error)")
            }
            guard container.name == "container" else {
                throw MusicXMLError(file: file, reason: "META-INF/container.xml has root <\(container.name)>, not <container>")
            }
            let paths = container.child("rootfiles")?.children("rootfile").compactMap { $0.attributes["full-path"] } ?? []
            guard let path = paths.first else { throw MusicXMLError(file: file, reason: "META-INF/container.xml names no rootfile full-path") }
            guard let entry = archive.entry(named: path) else {
                throw MusicXMLError(file: file, reason: "the rootfile \(path) named by META-INF/container.xml is not in the archive")
            }
            return try archive.contents(of: entry)
        }
        let scores = archive.entries.filter { entry in
            !entry.name.hasPrefix("META-INF/") && ["xml", "musicxml"].contains((entry.name as NSString).pathExtension.lowercased())
        }
        guard scores.count == 1, let entry = scores.first else {
            throw MusicXMLError(file: file, reason: "no META-INF/container.xml and \(scores.count) MusicXML files in the archive (need exactly one)")
        }
        return try archive.contents(of: entry)
    }
}
