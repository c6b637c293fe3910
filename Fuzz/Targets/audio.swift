// fuzz-modules: MuseSupport MuseAudio
// Audio files through libsndfile (WAV, FLAC, Ogg Vorbis, anything it recognises): the bytes go to
// a temporary file, which AudioFile.read decodes with a 16 Mi-sample limit (64 MB of floats).
// The file is written with plain write(2) (Foundation's createFile writes atomically and syncs,
// which cost more than the decode) into /dev/shm when it exists, so no run waits for the disk.
import Foundation
import MuseAudio

let audioFuzzPath = (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory())
    + "muse-fuzz-audio-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAudio(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let fd = open(audioFuzzPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { return 0 }
    let written = write(fd, data, size)
    close(fd)
    guard written == size else { return 0 }
    _ = try? AudioFile.read(audioFuzzPath, maxSampleCount: 1 << 24)
    return 0
}
