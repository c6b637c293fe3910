// fuzz-modules: MuseSupport CMuseKernels MuseCore
// safetensors: header length, JSON header, dtype/shape/offsets against the data.
import Foundation
import MuseCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? SafeTensors.decode(Data(bytes: data, count: size), fileName: "fuzz.safetensors")
    return 0
}
