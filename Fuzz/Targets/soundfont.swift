// fuzz-modules: MuseSupport MuseMIDI MuseAudio MuseSynth
// SoundFont 2: the RIFF/sfbk chunk reader, then the preset/instrument/zone builder.
import Foundation
import MuseSynth

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSoundFont(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let file = try? SoundFontFile(data: Data(bytes: data, count: size), path: "fuzz.sf2") { _ = try? SoundFont(file: file) }
    return 0
}
