// fuzz-modules: MuseSupport CMuseKernels MuseCore MuseTraining MuseImage
// IDX (MNIST / Fashion-MNIST arrays): magic, dtype, rank, dimensions against the data, 64 MB cap.
import Foundation
import MuseImage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? IDXFile.decode(Data(bytes: data, count: size), file: "fuzz.idx", maximumBytes: 1 << 26)
    return 0
}
