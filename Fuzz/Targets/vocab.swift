// fuzz-modules: MuseSupport CMuseKernels MuseCore MuseTraining MuseText
// Tokenizer files (characters or byte-level BPE vocab.json + merges).
import Foundation
import MuseText

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVocab(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? TokenizerFile.decode(Data(bytes: data, count: size), file: "vocab.json")
    return 0
}
