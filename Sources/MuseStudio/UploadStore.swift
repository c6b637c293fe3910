import Foundation
import MuseAudio
import MuseMIDI
import MuseSupport

/// What an upload holds: a MIDI file (primer, interpolation end) or an audio file (WAV/FLAC/OGG).
public enum UploadKind: String, Codable, Sendable {
    case midi
    case audio
}

/// An accepted upload, as the API answers it.
public struct UploadInfo: Codable, Equatable, Sendable {
    /// Its id (`u1`, `u2`, …): requests name uploads by it.
    public var id: String
    /// MIDI or audio.
    public var kind: UploadKind
    /// Size in bytes.
    public var bytes: Int
    /// Notes in a MIDI file.
    public var notes: Int?
    /// Length in seconds (MIDI: end of the last note; audio: duration).
    public var seconds: Double
}

/// Uploaded files kept in a folder, each validated on arrival by the readers the CLI uses
/// (`NoteSequence(contentsOfMIDIFile:)`, `AudioFile.read`): a file they refuse is deleted and
/// answered with 400 and their message.
public final class UploadStore: @unchecked Sendable {
    /// Where uploads are written (`u1.mid`, `u2.wav`, …).
    public let directory: URL
    /// Size limits per kind.
    public let limits: StudioLimits
    private let lock = NSLock()
    private var next = 1
    private var uploads: [String: (info: UploadInfo, url: URL)] = [:]

    /// A store writing into `directory` (created when missing).
    public init(directory: URL, limits: StudioLimits) throws {
        self.directory = directory
        self.limits = limits
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// The byte limit of `kind`.
    public func limit(for kind: UploadKind) -> Int { kind == .midi ? limits.midiBytes : limits.audioBytes }

    /// Stores and validates `data` as `kind`.
    /// - Throws: `StudioError.tooLarge` over the limit, `.badRequest` for an empty file or one the
    ///   reader refuses (its message, without the server's folder).
    public func add(_ data: Data, kind: UploadKind) throws -> UploadInfo {
        guard data.count <= limit(for: kind) else { throw StudioError.tooLarge(what: "the \(kind.rawValue) upload", limitBytes: limit(for: kind)) }
        guard !data.isEmpty else { throw StudioError.badRequest("the \(kind.rawValue) upload is empty") }
        let id: String = lock.withLock { defer { next += 1 }; return "u\(next)" }
        let url = directory.appendingPathComponent(id + (kind == .midi ? ".mid" : ".audio"))
        try AtomicFile.write(data, to: url)
        let info: UploadInfo
        do {
            switch kind {
            case .midi:
                let sequence = try NoteSequence(contentsOfMIDIFile: url.path)
                info = UploadInfo(id: id, kind: kind, bytes: data.count, notes: sequence.notes.count, seconds: sequence.totalTime)
            case .audio:
                let audio = try AudioFile.read(url.path)
                info = UploadInfo(id: id, kind: kind, bytes: data.count, notes: nil, seconds: audio.durationSeconds)
            }
        } catch {
            try? FileManager.default.removeItem(at: url)
            let message = String(describing: error).replacingOccurrences(of: url.path, with: "upload")
            throw StudioError.badRequest("not a readable \(kind == .midi ? "MIDI" : "audio") file: \(message)")
        }
        lock.withLock { uploads[id] = (info, url) }
        return info
    }

    /// The file of upload `id`, which must be of `kind`.
    /// - Throws: `StudioError.notFound` for an unknown id, `.badRequest` for the wrong kind.
    public func file(_ id: String, kind: UploadKind, field: String) throws -> URL {
        guard let entry = lock.withLock({ uploads[id] }) else { throw StudioError.notFound("\(field): no upload '\(id)'") }
        guard entry.info.kind == kind else { throw StudioError.badRequest("\(field): upload \(id) is \(entry.info.kind.rawValue), not \(kind.rawValue)") }
        return entry.url
    }
}
