// fuzz-modules: MuseSupport MuseMIDI MuseEncoding
// The melody dataset cache (MUSEMEL1). The key the cache must carry is taken from the input itself
// (bytes 8..<16) so the fuzzer reaches the counts and melodies behind it.
import Foundation
@testable import MuseEncoding

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMelodyCache(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var key: UInt64 = 0
    if bytes.count >= 16 { for i in 0..<8 { key |= UInt64(bytes[8 + i]) << UInt64(8 * i) } }
    _ = try? MelodyDataset.decodeCache(bytes, expectedKey: key, pipeline: MelodyPipeline())
    return 0
}
