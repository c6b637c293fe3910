// fuzz-modules: MuseSupport CMuseKernels MuseCore MuseTraining MuseImage
// PNG through libpng, with a 4 Mi-pixel cap.
import Foundation
import MuseImage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? PNGFile.decode(Data(bytes: data, count: size), file: "fuzz.png", maximumPixels: 1 << 22)
    return 0
}
