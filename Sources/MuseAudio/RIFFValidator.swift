import Foundation

/// Checks a RIFF/WAVE file's chunk sizes against the file's length before libsndfile reads it.
///
/// libsndfile quietly shortens a WAV whose `data` chunk claims more bytes than the file holds;
/// Muse reports that as `AudioError.truncated` instead, so a cut-off download is not mistaken for
/// a short recording. Files that are not RIFF/WAVE pass through untouched.
enum RIFFValidator {
    /// Bytes of header read while looking for the `data` chunk.
    static let scanLimit = 1 << 20

    static func validate(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw AudioError.unreadable(path: path, reason: "cannot open for reading")
        }
        defer { try? handle.close() }
        let fileSize = Int((try? handle.seekToEnd()) ?? 0)
        try? handle.seek(toOffset: 0)
        guard fileSize > 0 else { throw AudioError.empty(path: path) }
        let header = (try? handle.read(upToCount: min(fileSize, scanLimit))) ?? Data()
        let bytes = [UInt8](header)
        guard bytes.count >= 12, bytes[0..<4] == [0x52, 0x49, 0x46, 0x46],  // "RIFF"
              bytes[8..<12] == [0x57, 0x41, 0x56, 0x45] else { return }  // "WAVE"
        var offset = 12
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self)
            let size = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8
                | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
            let available = fileSize - (offset + 8)
            if id == "data" {
                // 0 and 0xFFFFFFFF mean "unknown length" (streamed WAV); libsndfile then reads to EOF.
                if size > available && size != 0xFFFF_FFFF {
                    throw AudioError.truncated(path: path, field: "data chunk at offset \(offset)",
                                               declared: size, available: available)
                }
                return
            }
            if size > available {
                throw AudioError.truncated(path: path, field: "'\(id)' chunk at offset \(offset)",
                                           declared: size, available: available)
            }
            offset += 8 + size + (size & 1)
        }
    }
}
