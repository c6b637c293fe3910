// fuzz-modules: MuseSupport CMuseKernels MuseCore MuseTraining MuseImage
// JPEG through libjpeg-turbo, with a 4 Mi-pixel cap.
import Foundation
import MuseImage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? JPEGFile.decode(Data(bytes: data, count: size), file: "fuzz.jpg", maximumPixels: 1 << 22)
    return 0
}
