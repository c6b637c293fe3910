// fuzz-modules: MuseSupport CMuseKernels MuseCore
// NumPy .npy: MuseSupport's float reader and MuseCore's tensor reader.
import Foundation
import MuseCore
import MuseSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    _ = try? NPYFile.decode(bytes, file: "fuzz.npy")
    _ = try? NPY.decode(bytes, fileName: "fuzz.npy")
    return 0
}
