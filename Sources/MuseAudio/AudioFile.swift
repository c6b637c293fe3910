import CSndFile
import Foundation
import MuseSupport

/// Reading and writing sound files through libsndfile, and `load` as `librosa.load`.
///
/// Every reader validates before it allocates: the file must exist, libsndfile must recognise it,
/// a RIFF/WAVE file's `data` chunk must fit in the file, an Ogg Vorbis file's headers must decode,
/// and `frames × channels` must stay under `maxSampleCount`. Writers go to a temporary file in the
/// same folder and `rename(2)` it into place, so an interrupted write never leaves a half-written
/// file under the final name.
public enum AudioFile {
    /// Largest `frames × channels` a read will allocate (2^30 floats, 4 GiB).
    public static let maxSampleCount = 1 << 30
    /// Largest channel count accepted (libsndfile's own limit is 1024).
    public static let maxChannelCount = 1024

    /// The header of `path`: rate, channels, frames, container and encoding.
    /// - Throws: `AudioError.fileNotFound`, `.unreadable`, `.truncated`, `.tooLarge`.
    public static func info(_ path: String) throws -> AudioFileInfo {
        let handle = try SndFileHandle(readingPath: path)
        defer { handle.close() }
        let names = AudioFileFormat.names(sndfileFormat: handle.info.format)
        return AudioFileInfo(path: path, sampleRate: Int(handle.info.samplerate),
                             channelCount: Int(handle.info.channels), frameCount: Int(handle.info.frames),
                             container: names.container, encoding: names.encoding)
    }

    /// Decodes every frame of `path` at its own sample rate, samples as libsndfile's normalised
    /// floats (PCM scaled to [-1, 1), as `soundfile.read(dtype="float32")`).
    ///
    /// The frame count in a FLAC or Ogg header is only a claim: the samples are decoded in blocks of
    /// at most 2^16 and the buffer grows as they arrive, so memory follows the audio the file really
    /// holds, never the header (a 100-byte FLAC that declares 2^30 frames costs one block, then
    /// throws `.truncated`).
    /// - Parameter maxSampleCount: largest `frames × channels` accepted, declared or decoded.
    /// - Returns: a planar buffer `[channels, frames]`.
    /// - Throws: `AudioError` (missing, not audio, truncated, empty, too large).
    public static func read(_ path: String, maxSampleCount: Int = AudioFile.maxSampleCount) throws -> AudioBuffer {
        let handle = try SndFileHandle(readingPath: path, maxSampleCount: maxSampleCount)
        defer { handle.close() }
        let frames = Int(handle.info.frames)
        let channels = Int(handle.info.channels)
        guard frames > 0 else { throw AudioError.empty(path: path) }
        let blockFrames = max(1, (1 << 16) / channels)
        var block = [Float](repeating: 0, count: blockFrames * channels)
        var interleaved: [Float] = []
        // A first guess from the file's size (16-bit PCM holds a sample in 2 bytes); grows if short.
        interleaved.reserveCapacity(min(frames * channels, handle.fileSize / 2 + block.count))
        var total = 0
        // Read in blocks so a decoder that stops early is noticed before anything large is allocated.
        while total < frames {
            let want = min(blockFrames, frames - total)
            let n = block.withUnsafeMutableBufferPointer { buf -> Int in
                Int(sf_readf_float(handle.file, buf.baseAddress!, sf_count_t(want)))
            }
            if n <= 0 { break }
            interleaved.append(contentsOf: block[0..<(min(n, want) * channels)])
            total += min(n, want)
        }
        guard total == frames else {
            throw AudioError.truncated(path: path, field: "frames", declared: frames, available: total)
        }
        return AudioBuffer(interleaved: interleaved, channelCount: channels,
                           sampleRate: Double(handle.info.samplerate))
    }

    /// Loads audio as `librosa.load(path, sr=sampleRate, mono=mono)`: decode, mix to mono (mean of
    /// channels), resample.
    ///
    /// Resampling is librosa's default, soxr "HQ" (`quality`, default `.soxrHQ`), through the same
    /// library, so the samples are librosa's to float rounding (see
    /// `AudioFileTests.testLoadMatchesLibrosaLoad`). The output length is
    /// `ceil(frames × sampleRate / fileRate)`, as librosa's.
    /// - Parameters:
    ///   - sampleRate: target rate in Hz; `nil` keeps the file's rate (librosa's `sr=None`).
    ///   - mono: mix all channels down to one.
    ///   - quality: the resampling filter, named as librosa's `res_type`.
    /// - Returns: `[channels, frames]` at `sampleRate`.
    public static func load(_ path: String, sampleRate: Double? = 22050, mono: Bool = true,
                            quality: ResampleQuality = .soxrHQ) throws -> AudioBuffer {
        var buffer = try read(path)
        if mono { buffer = buffer.monoMixed() }
        if let rate = sampleRate, rate != buffer.sampleRate {
            buffer = try Resampler.resample(buffer, to: rate, quality: quality)
        }
        return buffer
    }

    /// Writes `buffer` to `path` in `format` (default 16-bit PCM WAV), through a temporary file
    /// renamed into place. PCM formats clip samples to [-1, 1].
    /// - Throws: `AudioError.writeFailed` naming the path and libsndfile's or the OS's reason;
    ///   `.invalidParameter` for a sample rate that is not a positive whole number of Hz.
    public static func write(_ buffer: AudioBuffer, to path: String, format: AudioFileFormat = .wavPCM16) throws {
        let rate = buffer.sampleRate
        guard rate > 0, rate == rate.rounded(), rate < 10_000_000 else {
            throw AudioError.invalidParameter(name: "sampleRate", value: "\(rate)",
                                              reason: "must be a positive whole number of Hz")
        }
        var info = SF_INFO()
        info.samplerate = Int32(rate)
        info.channels = Int32(buffer.channelCount)
        info.format = format.sndfileFormat
        guard sf_format_check(&info) != 0 else {
            throw AudioError.writeFailed(path: path, reason: "libsndfile rejects \(format.rawValue) with \(buffer.channelCount) channels at \(Int(rate)) Hz")
        }
        let interleaved = buffer.interleavedSamples()
        let frames = buffer.frameCount
        do {
            try AtomicFile.write(toPath: path) { temp in
                guard let file = sf_open(temp, Int32(SFM_WRITE), &info) else {
                    throw AudioError.writeFailed(path: path, reason: String(cString: sf_strerror(nil)))
                }
                sf_command(file, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
                let written = interleaved.withUnsafeBufferPointer { buf -> Int in
                    guard let base = buf.baseAddress else { return 0 }
                    return Int(sf_writef_float(file, base, sf_count_t(frames)))
                }
                let writeError = written == frames ? nil : String(cString: sf_strerror(file))
                let closeStatus = sf_close(file)
                if let reason = writeError ?? (closeStatus != 0 ? "close failed (\(closeStatus))" : nil) {
                    throw AudioError.writeFailed(path: path, reason: reason)
                }
            }
        } catch let SupportError.io(_, reason) {
            throw AudioError.writeFailed(path: path, reason: reason)
        }
    }
}

/// An open libsndfile reader whose header has been validated.
final class SndFileHandle {
    let file: OpaquePointer
    let info: SF_INFO

    /// The file's length in bytes.
    let fileSize: Int

    init(readingPath path: String, maxSampleCount: Int = AudioFile.maxSampleCount) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AudioError.fileNotFound(path: path)
        }
        if isDirectory.boolValue { throw AudioError.unreadable(path: path, reason: "is a directory") }
        try RIFFValidator.validate(path: path)
        try OggVorbisValidator.validate(path: path)
        let fileSize = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        var info = SF_INFO()
        guard let file = sf_open(path, Int32(SFM_READ), &info) else {
            throw AudioError.unreadable(path: path, reason: String(cString: sf_strerror(nil)))
        }
        guard info.channels >= 1, Int(info.channels) <= AudioFile.maxChannelCount else {
            sf_close(file)
            throw AudioError.tooLarge(path: path, field: "channels", value: Int(info.channels),
                                      limit: AudioFile.maxChannelCount)
        }
        guard info.samplerate > 0 else {
            sf_close(file)
            throw AudioError.unreadable(path: path, reason: "sample rate \(info.samplerate) Hz")
        }
        let maxFrames = max(0, maxSampleCount) / Int(info.channels)
        guard info.frames >= 0, info.frames <= Int64(maxFrames) else {
            sf_close(file)
            throw AudioError.tooLarge(path: path, field: "frames", value: Int(info.frames), limit: maxFrames)
        }
        self.file = file
        self.fileSize = fileSize
        self.info = info
    }

    func close() { sf_close(file) }
}
