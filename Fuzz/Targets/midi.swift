// fuzz-modules: MuseSupport MuseMIDI
// Standard MIDI Files: MIDIFile's chunk and event parser, then NoteSequence's track merging.
import MuseMIDI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMIDI(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let file = try? MIDIFile(bytes: bytes, file: "fuzz.mid") { _ = try? NoteSequence(midiFile: file) }
    return 0
}
