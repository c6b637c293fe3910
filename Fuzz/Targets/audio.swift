// fuzz-modules: MuseSupport MuseAudio
// Audio files through libsndfile (WAV, FLAC, Ogg Vorbis, anything it recognises): the bytes go to
// a temporary file, which AudioFile.read decodes with a 16 Mi-sample limit (64 MB of floats).
import Foundation
import MuseAudio

let audioFuzzPath = NSTemporaryDirectory() + "muse-fuzz-audio-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAudio(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard FileManager.default.createFile(atPath: audioFuzzPath, contents: Data(bytes: data, count: size)) else { return 0 }
    _ = try? AudioFile.read(audioFuzzPath, maxSampleCount: 1 << 24)
    return 0
}
