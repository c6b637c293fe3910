import CSndFile
import Foundation
import MuseSupport

/// A sink that streams periods into a sound file instead of a device, as fast as they come.
///
/// It runs the player's whole streaming path (background thread, periods, stop) where no sound
/// card exists, and doubles as "render to file". Written to a temporary name and renamed into
/// place on `close`, like every file Muse writes.
public final class WAVFileSink: AudioSink {
    /// Destination path.
    public let path: String
    /// Container and encoding (default 16-bit PCM WAV).
    public let format: AudioFileFormat
    /// Frames per `write` the player is asked to render.
    public let periodFrames: Int
    private var file: OpaquePointer?
    private var tempPath = ""

    public var name: String { path }

    /// A file sink writing `path` in `format`, asking for `periodFrames` frames at a time.
    public init(path: String, format: AudioFileFormat = .wavPCM16, periodFrames: Int = 1024) {
        self.path = path
        self.format = format
        self.periodFrames = max(1, periodFrames)
    }

    deinit { if let file { sf_close(file); unlink(tempPath) } }

    public func open(sampleRate: Int, channelCount: Int) throws -> Int {
        precondition(file == nil, "WAVFileSink: already open")
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(channelCount)
        info.format = format.sndfileFormat
        tempPath = AtomicFile.temporaryPath(for: path)
        guard sf_format_check(&info) != 0, let handle = sf_open(tempPath, Int32(SFM_WRITE), &info) else {
            throw AudioError.writeFailed(path: path, reason: String(cString: sf_strerror(nil)))
        }
        sf_command(handle, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
        file = handle
        return periodFrames
    }

    public func write(_ frames: UnsafePointer<Float>, frameCount: Int) throws {
        guard let file else { throw AudioError.writeFailed(path: path, reason: "not open") }
        let written = sf_writef_float(file, frames, sf_count_t(frameCount))
        if written != frameCount {
            throw AudioError.writeFailed(path: path, reason: String(cString: sf_strerror(file)))
        }
    }

    public func close(drain: Bool) throws {
        guard let file else { return }
        self.file = nil
        guard sf_close(file) == 0 else {
            unlink(tempPath)
            throw AudioError.writeFailed(path: path, reason: "close failed")
        }
        do { try AtomicFile.commit(tempPath, to: path) } catch let SupportError.io(_, reason) {
            throw AudioError.writeFailed(path: path, reason: reason)
        }
    }
}
