import CALSA
import Foundation

/// Plays periods on an ALSA PCM device ("default", "null", "hw:0,0", "plughw:1", …).
///
/// ALSA's `null` device (defined in alsa-lib's own `alsa.conf`, present wherever alsa-lib is)
/// accepts and discards samples, so the full device path runs on machines without a sound card.
/// The stream is 32-bit float interleaved, opened with `snd_pcm_set_params` (resampling allowed,
/// `latencyMicroseconds` of buffer); the period size ALSA chose is what the player renders.
/// ALSA's own diagnostics (which it prints to stderr by default) are silenced while opening; the
/// error names the device and `snd_strerror`'s reason.
public final class ALSASink: AudioSink {
    /// The ALSA PCM name.
    public let device: String
    /// Requested total buffer latency in microseconds.
    public let latencyMicroseconds: Int
    private var pcm: OpaquePointer?
    private var openChannelCount = 1

    public var name: String { device }

    /// A sink for ALSA device `device` (default "default").
    public init(device: String = "default", latencyMicroseconds: Int = 100_000) {
        self.device = device
        self.latencyMicroseconds = latencyMicroseconds
    }

    deinit { if let pcm { snd_pcm_close(pcm) } }

    public func open(sampleRate: Int, channelCount: Int) throws -> Int {
        precondition(pcm == nil, "ALSASink: already open")
        ALSASink.silenceDiagnostics()
        var handle: OpaquePointer?
        var status = snd_pcm_open(&handle, device, SND_PCM_STREAM_PLAYBACK, 0)
        guard status >= 0, let handle else {
            throw AudioError.deviceUnavailable(device: device, reason: ALSASink.describe(status))
        }
        status = snd_pcm_set_params(handle, SND_PCM_FORMAT_FLOAT_LE, SND_PCM_ACCESS_RW_INTERLEAVED,
                                    UInt32(channelCount), UInt32(sampleRate), 1, UInt32(latencyMicroseconds))
        guard status >= 0 else {
            snd_pcm_close(handle)
            throw AudioError.deviceUnavailable(
                device: device, reason: "cannot play \(channelCount) channel(s) of float at \(sampleRate) Hz: \(ALSASink.describe(status))")
        }
        var bufferFrames: snd_pcm_uframes_t = 0
        var periodFrames: snd_pcm_uframes_t = 0
        status = snd_pcm_get_params(handle, &bufferFrames, &periodFrames)
        pcm = handle
        openChannelCount = channelCount
        return status >= 0 && periodFrames > 0 ? Int(periodFrames) : 1024
    }

    public func write(_ frames: UnsafePointer<Float>, frameCount: Int) throws {
        guard let pcm else { throw AudioError.playbackFailed(device: device, reason: "not open") }
        var done = 0
        let channels = openChannelCount
        while done < frameCount {
            let n = snd_pcm_writei(pcm, frames + done * channels, snd_pcm_uframes_t(frameCount - done))
            if n < 0 {
                // Underrun (-EPIPE) or suspend (-ESTRPIPE): recover and retry; anything else is fatal.
                let recovered = snd_pcm_recover(pcm, Int32(n), 1)
                if recovered < 0 {
                    throw AudioError.playbackFailed(device: device, reason: ALSASink.describe(Int32(n)))
                }
            } else {
                done += Int(n)
            }
        }
    }

    public func close(drain: Bool) throws {
        guard let pcm else { return }
        self.pcm = nil
        if drain { snd_pcm_drain(pcm) } else { snd_pcm_drop(pcm) }
        snd_pcm_close(pcm)
    }

    /// `snd_strerror` of a negative ALSA status, with a hint for the usual server case.
    static func describe(_ status: Int32) -> String {
        let text = String(cString: snd_strerror(status))
        if status == -ENOENT || status == -ENODEV {
            return "\(text) (no sound card here? try --device null)"
        }
        return text
    }

    /// Routes ALSA's diagnostics for this thread to nowhere (they would print several lines to
    /// stderr on a server with no sound card; the thrown error carries the reason instead).
    static func silenceDiagnostics() {
        _ = snd_lib_error_set_local { _, _, _, _, _, _ in }
    }
}
