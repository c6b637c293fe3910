import Dispatch
import Foundation
import MuseSupport

/// Streams an `AudioSource` to an `AudioSink` from a background thread, one period at a time.
///
/// ```swift
/// let player = AudioPlayer(sink: ALSASink(device: "default"))
/// let report = try player.play(AudioBufferSource(buffer))   // blocks; Ctrl-C stops cleanly
/// ```
/// `start` opens the sink on the caller's thread (so "no sound card" fails at once), then a
/// thread pulls `period` frames from the source and writes them to the sink until the source ends
/// (then the sink drains: queued audio plays out) or `stop()` is called (the sink drops what is
/// queued). Either way the device is closed. `play(_:stopOnInterrupt:)` also turns SIGINT
/// (Ctrl-C) into `stop()` for the duration of the playback and restores the previous handler afterwards.
public final class AudioPlayer: @unchecked Sendable {
    /// How a playback ended.
    public struct Report: Equatable, Sendable {
        /// Frames delivered to the sink.
        public var framesPlayed: Int
        /// True when `stop()` (or Ctrl-C) ended it before the source ran out.
        public var stoppedEarly: Bool
        /// A report of `framesPlayed` frames, stopped early or not.
        public init(framesPlayed: Int, stoppedEarly: Bool) {
            self.framesPlayed = framesPlayed; self.stoppedEarly = stoppedEarly
        }
    }

    /// Where the periods go.
    public let sink: AudioSink
    private let lock = NSLock()
    private var stopRequested = false
    private var running = false
    private var outcome: Result<Report, Error>?
    private let finished = DispatchSemaphore(value: 0)

    /// A player for `sink`.
    public init(sink: AudioSink) { self.sink = sink }

    /// Opens the sink for `source` and starts streaming on a background thread; returns at once.
    /// - Throws: `AudioError.invalidParameter` for a source with no channels or a non-integral
    ///   rate; the sink's `open` error (e.g. `.deviceUnavailable`).
    public func start(_ source: AudioSource) throws {
        let rate = source.sampleRate, channels = source.channelCount
        guard rate > 0, rate == rate.rounded(), rate < 10_000_000 else {
            throw AudioError.invalidParameter(name: "sampleRate", value: "\(rate)", reason: "must be a positive whole number of Hz")
        }
        guard channels >= 1, channels <= AudioFile.maxChannelCount else {
            throw AudioError.invalidParameter(name: "channelCount", value: "\(channels)", reason: "must be 1...\(AudioFile.maxChannelCount)")
        }
        lock.lock()
        precondition(!running, "AudioPlayer: already playing")
        running = true
        stopRequested = false
        outcome = nil
        lock.unlock()
        let period: Int
        do {
            period = try sink.open(sampleRate: Int(rate), channelCount: channels)
        } catch {
            lock.lock(); running = false; lock.unlock()
            throw error
        }
        let thread = Thread { [self] in self.stream(source, periodFrames: max(1, period), channels: channels) }
        thread.name = "muse.audio.player"
        thread.qualityOfService = .userInteractive
        thread.start()
    }

    /// Asks the streaming thread to stop after the current period and drop queued audio.
    /// Safe from any thread, including a signal handler's dispatch queue.
    public func stop() {
        lock.lock(); stopRequested = true; lock.unlock()
    }

    /// Blocks until the stream has ended and the sink is closed.
    /// - Throws: the first sink error met while streaming.
    public func wait() throws -> Report {
        finished.wait()
        lock.lock(); defer { lock.unlock() }
        running = false
        return try outcome!.get()
    }

    /// `start` then `wait`; with `stopOnInterrupt`, Ctrl-C (SIGINT) stops playback cleanly
    /// instead of killing the process.
    public func play(_ source: AudioSource, stopOnInterrupt: Bool = true) throws -> Report {
        let watcher = stopOnInterrupt ? InterruptWatcher { [weak self] _ in self?.stop() } : nil
        defer { watcher?.cancel() }
        try start(source)
        return try wait()
    }

    private var shouldStop: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopRequested
    }

    private func stream(_ source: AudioSource, periodFrames: Int, channels: Int) {
        ALSASink.silenceDiagnostics()
        var scratch = [Float](repeating: 0, count: periodFrames * channels)
        var played = 0
        var stopped = false
        var failure: Error?
        scratch.withUnsafeMutableBufferPointer { buf in
            let base = buf.baseAddress!
            while true {
                if shouldStop { stopped = true; break }
                let n = min(max(0, source.render(into: base, frameCount: periodFrames)), periodFrames)
                if n > 0 {
                    do { try sink.write(UnsafePointer(base), frameCount: n) } catch { failure = error; break }
                    played += n
                }
                if n < periodFrames { break }
            }
        }
        do { try sink.close(drain: !stopped && failure == nil) } catch { failure = failure ?? error }
        lock.lock()
        outcome = failure.map { .failure($0) } ?? .success(Report(framesPlayed: played, stoppedEarly: stopped))
        lock.unlock()
        finished.signal()
    }
}
