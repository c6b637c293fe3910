// fuzz-modules: MuseSupport MuseMIDI
// Compressed MusicXML (.mxl): the zip archive reader (end record, central directory, local
// headers), raw inflate with declared sizes and CRC-32, META-INF/container.xml and the score.
import MuseMIDI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMXL(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? MusicXMLReader.read(bytes: bytes, file: "fuzz.mxl")
    if let archive = try? ZipArchive(bytes: bytes, file: "fuzz.mxl") {
        for entry in archive.entries.prefix(64) { _ = try? archive.contents(of: entry) }
    }
    return 0
}
