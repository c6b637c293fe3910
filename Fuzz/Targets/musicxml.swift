// fuzz-modules: MuseSupport MuseMIDI
// Plain MusicXML: the XML parser and the score-partwise reader.
import MuseMIDI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMusicXML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? MusicXMLReader.read(bytes: Array(UnsafeBufferPointer(start: data, count: size)), file: "fuzz.musicxml")
    return 0
}
